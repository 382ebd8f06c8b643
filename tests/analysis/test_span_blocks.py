"""The exact check over base units splits its system into independent blocks (the connected
components of units and the visible cells holding them) and decides each target block by
block. Its answers must be those of the whole system: here the whole system's exact path
(`in_span` on one matrix, with a limit above its size) where that is feasible, and plain
rational rank (as in tests/analysis/test_span_reduction.py) on small tables."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

import analysis._span as span
from analysis._span import determined_members, in_span
from tests.analysis.rational_rank import given_away


def _block_tables(rng, blocks: int, low: int, high: int,
                  singles: bool = True) -> sparse.csr_matrix:
    """A layer of independent tables (one per block, as tables of different years): each
    block's total, one or two partitions of its base units and (`singles`) the units
    themselves, which leaves few units in the reduced system without them; now and then a cell
    spanning two blocks, so that blocks join and targets cross them."""
    rows, start = [], 0
    sizes = rng.integers(low, high + 1, size=blocks)
    width = int(sizes.sum())

    def row(columns):
        out = np.zeros(width, dtype=np.int64)
        out[columns] = 1
        return out

    for size in sizes:
        units = np.arange(start, start + size)
        rows.append(row(units))
        if singles:
            rows += [row([u]) for u in units]
        for _ in range(rng.integers(1, 3)):
            labels = rng.integers(0, max(2, size // 2), size=size)
            rows += [row(units[labels == v]) for v in np.unique(labels)]
        start += size
    for _ in range(rng.integers(0, 3) if width > 1 else 0):  # cells across blocks
        rows.append(row(rng.choice(width, size=int(rng.integers(2, min(5, width) + 1)),
                                   replace=False)))
    return sparse.csr_matrix(np.array(rows))


def _draw(rng, members):
    cells = members.shape[0]
    n = rng.integers(0, 60, size=cells)
    n[rng.random(cells) < 0.1] = 0
    hidden = rng.random(cells) < rng.uniform(0.2, 0.8)
    return n, hidden


def _whole(n, members, hidden) -> np.ndarray:
    """The answer of the exact check on the whole, unsplit system (no reduction, no blocks):
    e_cell's units in the span of the known cells' rows, by `in_span` with no limit."""
    out = np.zeros(n.size, dtype=bool)
    targets = np.flatnonzero(hidden & (n > 0))
    known = members[np.flatnonzero(~hidden | (n == 0))]
    if targets.size:
        out[targets] = in_span(known, members[targets], members.shape[1] + 1)
    return out


@pytest.mark.parametrize("seed", range(200))
def test_small_blocks_answer_as_rational_rank(seed):
    rng = np.random.default_rng(1000 + seed)
    members = _block_tables(rng, int(rng.integers(1, 5)), 1, 5)
    n, hidden = _draw(rng, members)
    assert np.array_equal(determined_members(n, members, hidden, 1500),
                          given_away(n, members, hidden))


@pytest.mark.parametrize("seed", range(150))
def test_blocks_answer_as_the_whole_exact_system(seed):
    rng = np.random.default_rng(5000 + seed)
    members = _block_tables(rng, int(rng.integers(5, 40)), 2, 12, bool(seed % 2))
    n, hidden = _draw(rng, members)
    assert np.array_equal(determined_members(n, members, hidden, 1500),
                          _whole(n, members, hidden))


@pytest.mark.parametrize("seed", range(4))
def test_more_than_the_limit_in_small_blocks_answers_as_the_whole_system(seed):
    rng = np.random.default_rng(9000 + seed)
    members = _block_tables(rng, 300, 4, 8, False)  # about 1,800 units, some joined
    assert members.shape[1] > 1500
    n, hidden = _draw(rng, members)
    assert np.array_equal(determined_members(n, members, hidden, 1500),
                          _whole(n, members, hidden))


def test_a_layer_of_3000_base_cells_in_independent_blocks_stays_exact(monkeypatch):
    rng = np.random.default_rng(7)
    blocks = []
    while sum(b.shape[1] for b in blocks) <= 3000:
        blocks.append(_block_tables(rng, 1, 4, 8, False))
    members = sparse.csr_matrix(sparse.block_diag(blocks))
    assert members.shape[1] > 3000
    n, hidden = _draw(rng, members)
    called = []

    def no_fallback(*args, **kwargs):
        called.append(args)
        raise AssertionError("the iterative path was taken")

    monkeypatch.setattr(span, "lsqr", no_fallback)
    found = determined_members(n, members, hidden, 1500)
    assert not called
    monkeypatch.undo()
    assert np.array_equal(found, _whole(n, members, hidden))
    assert found.any() and not found[hidden & (n > 0)].all()
