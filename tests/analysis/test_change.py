import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

from analysis import proportion_change, proportion_change_many, rank_shift

kn = st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=60, deadline=None)
@given(kn, kn)
def test_change_matches_statsmodels_newcombe_and_chi2(before, after):
    (k1, n1), (k2, n2) = before, after
    r = proportion_change(k1, n1, k2, n2)
    assert r.difference == pytest.approx(k2 / n2 - k1 / n1)
    assert r.difference_points == pytest.approx(100 * r.difference)
    lo, hi = confint_proportions_2indep(k2, n2, k1, n1, method="newcomb", compare="diff")
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi), abs=1e-9)
    table = np.array([[k1, n1 - k1], [k2, n2 - k2]])
    if table.sum(axis=0).min() > 0:
        ref = stats.chi2_contingency(table, correction=False)
        assert r.chi2 == pytest.approx(ref.statistic, rel=1e-9, abs=1e-12)
        assert r.p_value == pytest.approx(ref.pvalue, rel=1e-7, abs=1e-14)
    else:
        assert (r.z, r.p_value) == (0.0, 1.0)


def test_change_edges():
    absent = proportion_change(0, 0, 3, 4)
    assert absent.difference is None and absent.p_value is None and absent.share_after == 0.75
    json.dumps(absent.to_dict())
    everyone = proportion_change(50, 50, 40, 40)
    assert everyone.difference == 0.0 and everyone.p_value == 1.0
    assert everyone.ci_low < 0 < everyone.ci_high
    nobody = proportion_change(0, 50, 0, 40)
    assert nobody.p_value == 1.0


def test_change_many_equals_scalar(rng):
    n1 = rng.integers(0, 100, 40)
    n2 = rng.integers(0, 100, 40)
    k1, k2 = rng.binomial(n1, 0.8), rng.binomial(n2, 0.85)
    t = proportion_change_many(k1, n1, k2, n2)
    for i in range(40):
        s = proportion_change(int(k1[i]), int(n1[i]), int(k2[i]), int(n2[i]))
        if s.p_value is None:
            assert np.isnan(t.p_value[i])
        else:
            assert t.p_value[i] == pytest.approx(s.p_value)
            assert t.ci_high[i] == pytest.approx(s.ci_high)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 25), min_size=5, max_size=5).filter(lambda c: sum(c) > 0),
    st.lists(st.integers(0, 25), min_size=5, max_size=5).filter(lambda c: sum(c) > 0),
)
def test_rank_shift_matches_mannwhitneyu_on_raw(expand, c1, c2):
    x, y = expand(c1), expand(c2)
    r = rank_shift(c1, c2)
    ref = stats.mannwhitneyu(x, y, method="asymptotic")
    assert r.u == pytest.approx(ref.statistic)
    if len(set(x) | set(y)) > 1:
        assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    else:
        assert r.p_value == 1.0
    greater = (x[:, None] > y[None, :]).mean()
    less = (x[:, None] < y[None, :]).mean()
    assert r.rank_biserial == pytest.approx(greater - less)


def test_rank_shift_direction_and_edges(expand):
    up = rank_shift([0, 0, 1, 5, 10], [5, 5, 3, 1, 0])
    assert up.rank_biserial > 0.5 and up.p_value < 0.001
    ref = stats.mannwhitneyu(expand([1, 1, 1, 1, 1]), expand([0, 2, 0, 2, 0]),
                             use_continuity=False, method="asymptotic")
    assert rank_shift([1, 1, 1, 1, 1], [0, 2, 0, 2, 0], use_continuity=False).p_value == \
        pytest.approx(ref.pvalue)
    empty = rank_shift([0] * 5, [1, 2, 3, 4, 5])
    assert empty.u is None and empty.p_value is None
    with pytest.raises(ValueError):
        rank_shift([1, 2, 3], [1, 2, 3, 4, 5])
