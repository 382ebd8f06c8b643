"""The independent reference of the exact-check tests (test_span_reduction, test_span_blocks):
which hidden cells a table gives away, by rational rank (fractions, plain Gaussian elimination,
no modular arithmetic, no reduction)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def rational_rank(rows: list[list[int]]) -> int:
    """Rank over the rationals by plain Gaussian elimination."""
    matrix = [[Fraction(v) for v in row] for row in rows]
    rank, cols = 0, len(matrix[0]) if matrix else 0
    for col in range(cols):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][col] != 0:
                factor = matrix[r][col] / matrix[rank][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank],
                                                             strict=True)]
        rank += 1
    return rank


def given_away(n, members, hidden) -> np.ndarray:
    """A hidden cell is given when adding its row leaves the known rows' rank unchanged."""
    dense = members.toarray().tolist()
    known = [dense[i] for i in range(len(dense)) if not hidden[i] or n[i] == 0]
    base = rational_rank(known) if known else 0
    out = np.zeros(len(dense), dtype=bool)
    for i in np.flatnonzero(hidden & (n > 0)):
        out[i] = (rational_rank(known + [dense[i]]) if known else int(any(dense[i]))) == base
    return out
