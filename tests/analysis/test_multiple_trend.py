import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis import PAR_INDEX_BREAK_YEARS, adjust_pvalues, comparable_items, split_series, trend

P = (0.01, 0.04, 0.03, 0.005)


def test_worked_example():
    assert adjust_pvalues(P, "bh").adjusted == pytest.approx((0.02, 0.04, 0.04, 0.02))
    holm = adjust_pvalues(P, "holm")
    assert holm.adjusted == pytest.approx((0.03, 0.06, 0.06, 0.02))
    assert holm.rejected == (True, False, False, True)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_bh_against_scipy(p):
    bh = adjust_pvalues(p, "bh").adjusted
    assert bh == pytest.approx(tuple(stats.false_discovery_control(p, method="bh")), abs=1e-12)


def test_against_statsmodels(rng):
    for size in (1, 2, 5, 17, 40):
        p = rng.uniform(size=size) ** 3
        p[0] = p[-1]  # ties must be handled
        for ours, theirs in (("bh", "fdr_bh"), ("holm", "holm")):
            expected = multipletests(p, method=theirs)
            r = adjust_pvalues(p, ours)
            assert r.adjusted == pytest.approx(tuple(expected[1]), abs=1e-12)
            assert r.rejected == tuple(bool(v) for v in expected[0])


def test_none_is_left_out_of_the_family():
    r = adjust_pvalues([None, 0.01, float("nan"), 0.04], "holm")
    assert r.adjusted == pytest.approx((None, 0.02, None, 0.04))
    assert r.rejected == (None, True, None, True)
    assert adjust_pvalues([]).adjusted == ()
    json.dumps(r.to_dict())
    with pytest.raises(ValueError):
        adjust_pvalues([1.2])
    with pytest.raises(ValueError):
        adjust_pvalues([0.1], method="bonferroni")


def test_trend_worked_example():
    r = trend([2019, 2020, 2021, 2022, 2023], [0.78, 0.795, 0.81, 0.825, 0.84])
    assert r.method == "mann_kendall"
    assert r.tau == pytest.approx(1.0)
    assert r.p_value == pytest.approx(0.017, abs=5e-4)
    assert r.slope_points == pytest.approx(1.5)
    assert len(r.changes) == 4


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=5, max_size=12, unique=True))
def test_trend_against_scipy(shares):
    years = np.arange(2010, 2010 + len(shares))
    r = trend(years, shares)
    kt = stats.kendalltau(years, shares)
    ts = stats.theilslopes(shares, years)
    assert r.tau == pytest.approx(kt.statistic)
    assert r.p_value == pytest.approx(kt.pvalue)
    assert r.slope == pytest.approx(ts.slope)


def test_short_series_and_gaps():
    r = trend([2022, 2023, 2024], [0.8, 0.82, 0.81])
    assert r.method == "changes_only" and r.tau is None and r.slope is None
    assert [c.difference_points for c in r.changes] == pytest.approx([2.0, -1.0])
    assert "only year-to-year changes" in r.message
    one = trend([2024], [0.8])
    assert one.method == "none" and one.changes == ()
    assert trend([], []).n_years == 0
    gap = trend([2020, 2021], [0.8, None])
    assert gap.method == "none" and gap.years == (2020,)
    flat = trend(range(2018, 2024), [0.8] * 6)
    assert (flat.tau, flat.p_value, flat.slope) == (0.0, 1.0, 0.0)
    json.dumps(r.to_dict())
    with pytest.raises(ValueError):
        trend([2020, 2020], [0.1, 0.2])


def test_comparability():
    before = {"A1": "likert5", "A2": "likert5", "B1": "likert5"}
    after = {"A1": "likert5", "A2": "rating3", "C1": "likert5"}
    assert comparable_items(before, after) == ("A1",)
    segs = split_series([2014, 2015, 2016, 2017, 2018], [1, 2, 3, 4, None],
                        PAR_INDEX_BREAK_YEARS)
    assert [s.years for s in segs] == [(2014, 2015), (2016,), (2017, 2018)]
    assert [s.break_before for s in segs] == [False, True, True]
    assert segs[2].values == (4.0, None)
