import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from analysis import (
    CONCENTRATE_HERE,
    KEEP_UP,
    LOW_PRIORITY,
    POSSIBLE_OVERKILL,
    covariance_from_sums,
    cronbach_alpha,
    cronbach_alpha_from_covariance,
    cronbach_alpha_from_sums,
    cronbach_alpha_from_variances,
    importance_performance,
)


def hand_alpha(x):
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


@settings(max_examples=50, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(3, 40), st.integers(2, 6)),
              elements=st.integers(1, 5)))
def test_all_entry_points_agree_with_hand_formula(x):
    x = x.astype(float)
    t = x.sum(axis=1)
    n = x.shape[0]
    raw = cronbach_alpha(x)
    sums = cronbach_alpha_from_sums(n, x.sum(0), (x**2).sum(0), t.sum(), (t**2).sum())
    cov = cronbach_alpha_from_covariance(covariance_from_sums(n, x.sum(0), x.T @ x), n)
    if t.var() == 0:
        assert raw.alpha is None and sums.alpha is None and cov.alpha is None
        return
    expected = hand_alpha(x)
    for r in (raw, sums, cov):
        assert r.alpha == pytest.approx(expected, rel=1e-8, abs=1e-8)
        assert r.low == (r.alpha < 0.7)
    via_var = cronbach_alpha_from_variances(x.var(0), t.var())
    assert via_var.alpha == pytest.approx(expected, rel=1e-8, abs=1e-8)
    assert np.allclose(covariance_from_sums(n, x.sum(0), x.T @ x), np.cov(x.T))


def test_alpha_flag_and_edges(rng):
    latent = rng.normal(size=(200, 1))
    good = latent + rng.normal(scale=0.3, size=(200, 4))
    r = cronbach_alpha(good)
    assert r.alpha > 0.9 and r.low is False and r.n_respondents == 200
    noise = rng.normal(size=(200, 4))
    assert cronbach_alpha(noise).low is True
    assert cronbach_alpha(good[:, :1]).alpha is None
    assert cronbach_alpha(good[:1]).alpha is None
    assert cronbach_alpha(np.ones((5, 3))).alpha is None
    with_nan = good.copy()
    with_nan[0, 0] = np.nan
    assert cronbach_alpha(with_nan).n_respondents == 199
    json.dumps(cronbach_alpha(np.ones((5, 3))).to_dict())
    with pytest.raises(ValueError):
        cronbach_alpha_from_covariance([[1.0, 0.5], [0.2, 1.0]])
    with pytest.raises(ValueError):
        cronbach_alpha_from_variances([1.0, -1.0], 2.0)


def test_drivers_against_spearman_and_quadrants(rng):
    overall = rng.integers(1, 6, 300).astype(float)
    scores = {
        "A": overall + rng.normal(0, 0.5, 300),
        "B": overall + rng.normal(0, 0.5, 300),
        "C": rng.normal(size=300),
        "D": rng.normal(size=300),
    }
    perf = {"A": 0.6, "B": 0.9, "C": 0.65, "D": 0.95}
    r = importance_performance(scores, overall, perf)
    by = {e.element: e for e in r.elements}
    for name, x in scores.items():
        assert by[name].importance == pytest.approx(stats.spearmanr(x, overall).statistic)
    assert by["A"].quadrant == CONCENTRATE_HERE
    assert by["B"].quadrant == KEEP_UP
    assert by["C"].quadrant == LOW_PRIORITY
    assert by["D"].quadrant == POSSIBLE_OVERKILL
    assert r.mean_performance == pytest.approx(0.775)
    json.dumps(r.to_dict())


def test_drivers_missing_values_and_undefined():
    overall = [1, 2, 3, 4, 5, None]
    r = importance_performance(
        {"A": [1, 2, 3, 5, 4, 2], "B": [3, 3, 3, 3, 3, 3]}, overall, {"A": 0.8, "B": 0.7}
    )
    a, b = r.elements
    assert a.n_pairs == 5 and a.importance == pytest.approx(0.9)
    assert b.importance is None and b.quadrant is None
    assert a.quadrant == KEEP_UP
    with pytest.raises(ValueError):
        importance_performance({"A": [1, 2]}, [1, 2, 3], {"A": 0.5})
    with pytest.raises(ValueError):
        importance_performance({"A": [1, 2]}, [1, 2], {"B": 0.5})
