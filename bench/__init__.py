"""Benchmarks: `make bench` (python -m bench). Not part of `make test`.

Every figure is measured beside its baseline in the same run, on the same data and machine,
and reported as a ratio. Results go to bench/results/latest.json and latest.md.
"""
