import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis import (
    benchmark_test,
    benchmark_test_many,
    wilson_interval,
    wilson_interval_many,
)


def test_wilson_worked_example():
    r = wilson_interval(430, 500)
    assert r.share == 0.86
    assert r.ci_low == pytest.approx(0.8268, abs=5e-5)
    assert r.ci_high == pytest.approx(0.8877, abs=5e-5)
    assert r.confidence_interval() == (r.ci_low, r.ci_high)


def test_benchmark_worked_example():
    r = benchmark_test(430, 500)
    assert r.p_value == pytest.approx(3.0e-4, abs=0.05e-4)
    assert r.ci_low == pytest.approx(0.8319, abs=5e-5)
    assert r.meets_benchmark is True


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_matches_scipy_and_statsmodels(kn):
    k, n = kn
    r = wilson_interval(k, n)
    ci = stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert r.ci_low == pytest.approx(ci.low, abs=1e-12)
    assert r.ci_high == pytest.approx(ci.high, abs=1e-12)
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi), abs=1e-10)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.sampled_from([0.5, 0.8, 0.95]),
)
def test_benchmark_matches_binomtest(kn, target):
    k, n = kn
    r = benchmark_test(k, n, target=target)
    ref = stats.binomtest(k, n, p=target, alternative="greater")
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-15)
    assert r.ci_low == pytest.approx(ref.proportion_ci(0.95).low, abs=1e-9)
    # The bound and the test agree on the decision.
    assert r.meets_benchmark == (ref.pvalue <= 0.05)


def test_many_equals_scalar(rng):
    n = rng.integers(0, 200, size=300)
    k = rng.binomial(n, 0.8)
    w = wilson_interval_many(k, n)
    b = benchmark_test_many(k, n)
    for i in range(0, 300, 17):
        s = wilson_interval(int(k[i]), int(n[i]))
        bs = benchmark_test(int(k[i]), int(n[i]))
        if n[i] == 0:
            assert np.isnan(w.ci_low[i]) and s.ci_low is None and bs.p_value is None
            assert not b.meets_benchmark[i]
        else:
            assert w.ci_low[i] == pytest.approx(s.ci_low)
            assert b.p_value[i] == pytest.approx(bs.p_value)
            assert bool(b.meets_benchmark[i]) == bs.meets_benchmark


def test_edges():
    zero = wilson_interval(0, 0)
    assert (zero.share, zero.ci_low, zero.ci_high) == (None, None, None)
    assert wilson_interval(7, 7).ci_high == 1.0
    assert wilson_interval(0, 7).ci_low == 0.0
    b = benchmark_test(0, 0)
    assert b.p_value is None and b.meets_benchmark is False
    assert benchmark_test(0, 10).ci_low == 0.0
    assert benchmark_test(0, 10).p_value == 1.0
    d = benchmark_test_many([0, 3], [0, 3]).to_dict()
    assert d["p_value"][0] is None and d["meets_benchmark"] == [False, False]
    json.dumps(d)
    json.dumps(wilson_interval(0, 0).to_dict())


@pytest.mark.parametrize(
    ("args", "exc"),
    [((5, 3), ValueError), ((-1, 3), ValueError), ((1.5, 3), ValueError), (("a", 3), TypeError)],
)
def test_bad_input(args, exc):
    with pytest.raises(exc):
        wilson_interval(*args)


def test_bad_confidence_and_target():
    with pytest.raises(ValueError):
        wilson_interval(1, 2, confidence=1.0)
    with pytest.raises(ValueError):
        benchmark_test(1, 2, target=0.0)
    with pytest.raises(ValueError):
        wilson_interval([1, 2], [3, 4])
