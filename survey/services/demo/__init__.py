"""The demo data set: a fictional province, five years of responses and dossier statistics.

Generated from a fixed seed, so every machine gets the same numbers. Satisfaction rises over
the years, crosses 80 % for some services (ID cards, marriage) but not for others (land,
construction), varies by unit, and answers within a respondent hang together, so the
reliability and driver analyses have something real to find.
"""

from survey.services.demo.load import DemoRefused, load_demo

__all__ = ["DemoRefused", "load_demo"]
