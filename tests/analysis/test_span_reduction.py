"""The exact check over base units (`analysis._span.determined_members`) shrinks its system
before solving it: units a visible cell gives on its own leave the equations, units no visible
cell holds make their targets undetermined, equal targets are decided once. Its answers must be
those of the whole system, here worked out independently by rational rank (fractions, no
modular arithmetic, no reduction) on random tables of the shape the suppression layers build."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from analysis._span import determined_members
from tests.analysis.rational_rank import given_away


def _tables(rng, units: int) -> sparse.csr_matrix:
    """Cells of several partitions of the base units (tables of one layer), each cell the
    sum of its units, plus the base units themselves (the finest table) and the total."""
    rows = [np.ones(units, dtype=int), *np.eye(units, dtype=int)]
    for _ in range(rng.integers(1, 4)):
        labels = rng.integers(0, rng.integers(2, units), size=units)
        rows += [(labels == value).astype(int) for value in np.unique(labels)]
    return sparse.csr_matrix(np.array(rows))


@pytest.mark.parametrize("seed", range(40))
def test_the_smaller_system_answers_as_the_whole_one(seed):
    rng = np.random.default_rng(seed)
    members = _tables(rng, int(rng.integers(3, 9)))
    cells = members.shape[0]
    n = rng.integers(0, 60, size=cells)
    n[rng.random(cells) < 0.1] = 0  # an empty cell hides nothing
    hidden = rng.random(cells) < rng.uniform(0.1, 0.7)
    assert np.array_equal(determined_members(n, members, hidden, 1500),
                          given_away(n, members, hidden))


def test_a_unit_only_hidden_cells_hold_is_never_given():
    # units 0, 1; cells: the total, unit 0, unit 1 (hidden), unit 1 again (hidden)
    members = sparse.csr_matrix(np.array([[1, 1], [1, 0], [0, 1], [0, 1]]))
    n = np.array([50, 20, 30, 30])
    # the total and unit 0 shown: unit 1 follows, in both hidden cells
    hidden = np.array([False, False, True, True])
    assert determined_members(n, members, hidden, 1500).tolist() == [False, False, True, True]
    # the total hidden as well: nothing shown holds unit 1, so nothing gives it
    hidden = np.array([True, False, True, True])
    assert determined_members(n, members, hidden, 1500).tolist() == [False] * 4
