"""Spearman from a frequency table of pairs equals scipy on the expanded raw data."""

import numpy as np
import pytest
from scipy import stats

from analysis import importance_performance, importance_performance_from_tables, spearman_weighted


def _table(x, y):
    pairs, counts = np.unique(np.column_stack([x, y]), axis=0, return_counts=True)
    return pairs[:, 0], pairs[:, 1], counts


@pytest.mark.parametrize("seed", range(5))
def test_weighted_spearman_equals_scipy_on_expanded_data(seed):
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=400)
    x = np.clip(np.round(3 + latent + rng.normal(scale=0.8, size=400)), 1, 5) / 1.0
    x = (x + np.clip(np.round(3 + latent), 1, 5)) / 2  # half points, as a two-item mean
    y = np.clip(np.round(3 + 0.7 * latent + rng.normal(scale=0.9, size=400)), 1, 5)
    rho, p, n = spearman_weighted(*_table(x, y))
    expected = stats.spearmanr(x, y)
    assert n == 400
    assert rho == pytest.approx(expected.statistic, abs=1e-12)
    assert p == pytest.approx(expected.pvalue, rel=1e-9)


def test_weighted_spearman_edges():
    assert spearman_weighted([1, 2], [1, 2], [1, 1]) == (None, None, 2)
    assert spearman_weighted([3, 3], [1, 2], [10, 10])[0] is None  # no variation in x
    assert spearman_weighted([1, 2, 3], [3, 2, 1], [2, 2, 2])[0] == pytest.approx(-1.0)
    with pytest.raises(ValueError):
        spearman_weighted([1, 2], [1, 2], [1, -1])
    with pytest.raises(ValueError):
        spearman_weighted([1, 2, 3], [1, 2], [1, 1])


def test_tables_and_raw_arrays_give_the_same_quadrants():
    rng = np.random.default_rng(7)
    latent = rng.normal(size=300)
    y = np.clip(np.round(3 + latent), 1, 5)
    scores = {e: np.clip(np.round(3 + w * latent + rng.normal(size=300)), 1, 5)
              for e, w in zip("ABCDE", (0.2, 0.5, 1.0, 0.9, 0.1), strict=True)}
    performance = dict(zip("ABCDE", (0.9, 0.6, 0.7, 0.85, 0.5), strict=True))
    raw = importance_performance(scores, y, performance)
    tables = importance_performance_from_tables(
        {e: _table(s, y) for e, s in scores.items()}, performance)
    for a, b in zip(raw.elements, tables.elements, strict=True):
        assert a.element == b.element and a.quadrant == b.quadrant
        assert a.importance == pytest.approx(b.importance, abs=1e-12)
