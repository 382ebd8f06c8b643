import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis import (
    ElementIndex,
    element_index,
    expectation_index,
    frequency_table,
    overall_index,
    satisfaction_share,
    score,
    score_many,
)


def test_share_excludes_missing_codes_and_reports_them():
    r = satisfaction_share({1: 2, 4: 3, 5: 5, 97: 2, 98: 1, 99: 4})
    assert (r.k, r.n, r.share) == (8, 10, 0.8)
    assert (r.missing.not_applicable, r.missing.dont_know, r.missing.refused) == (2, 1, 4)
    assert r.missing.total == 7
    assert r.counts == (2, 0, 0, 3, 5)


def test_share_sequence_with_separate_missing():
    r = satisfaction_share([0, 1, 1, 4, 4], missing={98: 3})
    assert (r.k, r.n) == (8, 10) and r.missing.dont_know == 3
    ref = stats.binomtest(8, 10).proportion_ci(method="wilson")
    assert (r.ci_low, r.ci_high) == pytest.approx((ref.low, ref.high))


def test_rating3_and_expectation4_positive_codes():
    assert satisfaction_share([1, 2, 3], "rating3").k == 5
    e = expectation_index({1: 1, 2: 2, 3: 3, 4: 4})
    assert (e.k, e.n, e.scale) == (7, 10, "expectation4")


def test_share_edges():
    all_missing = satisfaction_share({99: 5, 98: 1})
    assert all_missing.n == 0 and all_missing.share is None and all_missing.ci_low is None
    assert all_missing.missing.total == 6
    assert satisfaction_share([0, 0, 0, 0, 9]).share == 1.0
    assert satisfaction_share([9, 0, 0, 0, 0]).share == 0.0
    json.dumps(all_missing.to_dict())


@pytest.mark.parametrize(
    ("table", "exc"),
    [({6: 1}, ValueError), ({"4": 1}, TypeError), ([1, 2, 3], ValueError), ("12345", TypeError),
     ([1, -1, 0, 0, 0], ValueError), ({4: 1.5}, ValueError)],
)
def test_bad_tables(table, exc):
    with pytest.raises(exc):
        satisfaction_share(table)


def test_frequency_table_rejects_non_missing_extra_code():
    with pytest.raises(ValueError):
        frequency_table([1, 1, 1, 1, 1], 5, missing={96: 1})


def test_element_index_mean_and_pooled():
    items = [[1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [0, 0, 0, 5, 5]]
    mean = element_index(items)
    assert mean.value == pytest.approx((0.4 + 1.0) / 2)
    assert mean.skipped == (1,) and mean.n_items_used == 2 and mean.method == "mean_of_items"
    pooled = element_index(items, method="pooled")
    assert pooled.value == pytest.approx(12 / 15) and pooled.method == "pooled"
    assert element_index([[0] * 5]).value is None
    with pytest.raises(ValueError):
        element_index(items, method="weighted")


def test_overall_index_methods():
    e = {"A": ElementIndex(0.7, "mean_of_items", (), 1, 0, 0, ()), "B": None, "C": 0.5}
    r = overall_index(e)
    assert r.value == pytest.approx(0.6) and r.skipped == ("B",)
    assert r.method == "mean_of_elements"
    item = overall_index(overall_item=[0, 0, 1, 2, 3], method="overall_item")
    assert item.value == pytest.approx(5 / 6) and item.n == 6 and item.ci_low is not None
    assert overall_index({"A": None}).value is None
    with pytest.raises(ValueError):
        overall_index({"A": 1.5})
    with pytest.raises(TypeError):
        overall_index(method="overall_item")
    json.dumps(r.to_dict())


def test_score_from_counts_matches_raw_t_interval(expand):
    counts = [3, 5, 10, 20, 12]
    r = score(counts)
    raw = (expand(counts) - 1) / 4 * 100
    assert r.mean == pytest.approx(raw.mean())
    assert r.sd == pytest.approx(raw.std(ddof=1))
    lo, hi = stats.t.interval(0.95, raw.size - 1, loc=raw.mean(), scale=stats.sem(raw))
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=5, max_size=5).filter(lambda c: sum(c) > 1))
def test_score_property_against_raw(expand, counts):
    raw = (expand(counts) - 1) / 4 * 100
    r = score(counts)
    assert r.mean == pytest.approx(raw.mean())
    assert 0 <= r.ci_low <= r.mean <= r.ci_high <= 100


def test_score_points_and_edges():
    assert score([1, 0, 1]).mean == 50.0
    assert score({3: 2, 98: 1}, "likert5").mean == 50.0
    zero = score([0, 0, 0, 0, 0])
    assert zero.mean is None and zero.ci_low is None
    one = score([0, 0, 0, 1, 0])
    assert one.mean == 75.0 and one.sd is None and one.ci_low is None
    const = score([0, 0, 0, 0, 4])
    assert (const.ci_low, const.ci_high) == (100.0, 100.0)
    with pytest.raises(ValueError):
        score({1: 1})


def test_score_many_equals_scalar(rng):
    counts = rng.integers(0, 6, size=(50, 5))
    counts[0] = 0
    t = score_many(counts)
    for i in range(50):
        s = score(counts[i])
        if s.mean is None:
            assert np.isnan(t.mean[i])
        else:
            assert t.mean[i] == pytest.approx(s.mean)
        if s.ci_low is not None:
            assert t.ci_low[i] == pytest.approx(s.ci_low)
    assert t.to_dict()["mean"][0] is None
