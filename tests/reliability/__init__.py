"""Reliability under load and faults (issue #10): real gunicorn, real databases, real faults.

Each scenario runs 200 simulated kiosks and phones against gunicorn, injects its fault, and then
counts in the database: every acknowledged response stored exactly once, none twice, none
half-written, the maintained counts equal to a fresh recomputation, no 5xx but the 503s a fault
must give. Sizes come from the environment (settings.py): small in `make test` and CI, larger
in `make test-reliability`, which also writes the results table of docs/RELIABILITY.md.
"""
