"""The staff roles: a vocabulary below the models (the database checks that an account's role is
one of them), the services and the pages. What each role may do is survey/access.py."""

ROLES = ("admin", "designer", "analyst", "unit_officer", "data_entry")
