import dataclasses
import json

import numpy as np
import pytest
from scipy import stats

from analysis import (
    kish,
    post_stratify,
    sample_size_proportion,
    sample_size_two_proportions,
)


def test_kish_worked_example():
    r = kish([1, 1, 2, 2, 4, 4])
    assert r.n_eff == pytest.approx(4.67, abs=5e-3)
    assert r.deff == pytest.approx(1.29, abs=5e-3)
    assert kish([0, 0]).n_eff is None


def test_post_stratify_against_direct_formula(rng):
    n = rng.integers(2, 80, 6)
    k = rng.binomial(n, 0.8)
    big = rng.integers(100, 5000, 6)
    r = post_stratify(k, n, big)
    W = big / big.sum()
    p = k / n
    assert r.share == pytest.approx((W * p).sum())
    var = (W**2 * p * (1 - p) / (n - 1) * (1 - n / big)).sum()
    assert r.variance == pytest.approx(var)
    z = stats.norm.ppf(0.975)
    assert r.ci_low == pytest.approx(max(0, r.share - z * var**0.5))
    assert r.unweighted_share == pytest.approx(k.sum() / n.sum())
    w = np.repeat(big / n, n)
    assert r.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert r.deff == pytest.approx(w.size * (w**2).sum() / w.sum() ** 2)
    assert r.coverage == 1.0


def test_post_stratify_edges():
    proportional = post_stratify([8, 16], [10, 20], [100, 200])
    assert proportional.share == pytest.approx(proportional.unweighted_share)
    assert proportional.deff == pytest.approx(1.0)
    missing_stratum = post_stratify([8, 0], [10, 0], [100, 300])
    assert missing_stratum.share == pytest.approx(0.8) and missing_stratum.coverage == 0.25
    single = post_stratify([1, 8], [1, 10], [50, 100])
    assert single.share is not None and single.variance is None and single.ci_low is None
    census = post_stratify([9, 8], [10, 10], [5, 100])
    assert census.variance >= 0
    nothing = post_stratify([0], [0], [10])
    assert nothing.share is None and nothing.unweighted_share is None
    json.dumps(nothing.to_dict())
    with pytest.raises(ValueError):
        post_stratify([1, 2], [3, 4], [5])


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [({"margin": 0.03}, 1068), ({"margin": 0.03, "p": 0.8}, 683),
     ({"margin": 0.03, "population": 2000}, 697)],
)
def test_sample_size_worked_examples(kwargs, expected):
    assert sample_size_proportion(**kwargs).n == expected


def test_sample_size_deff_and_fpc():
    base = sample_size_proportion(0.05)
    assert base.n0 == pytest.approx(stats.norm.ppf(0.975) ** 2 * 0.25 / 0.0025)
    assert sample_size_proportion(0.05, deff=2.0).n == int(np.ceil(base.n0 * 2))
    assert sample_size_proportion(0.05, population=10).n <= 10
    with pytest.raises(ValueError):
        sample_size_proportion(0.05, deff=0.5)
    with pytest.raises(ValueError):
        sample_size_proportion(0.0)


def _power(n, p1, p2, alpha=0.05):
    """Normal-approximation power of the pooled two-proportion z-test."""
    za = stats.norm.ppf(1 - alpha / 2)
    pbar = (p1 + p2) / 2
    num = abs(p2 - p1) * np.sqrt(n) - za * np.sqrt(2 * pbar * (1 - pbar))
    return stats.norm.cdf(num / np.sqrt(p1 * (1 - p1) + p2 * (1 - p2)))


def test_two_proportions_worked_example_and_power():
    r = sample_size_two_proportions(0.80, 0.85)
    assert r.n_per_group == 906
    # 906 is the smallest n per year reaching 80 % power.
    assert _power(906, 0.80, 0.85) >= 0.80 > _power(905, 0.80, 0.85)
    assert sample_size_two_proportions(0.85, 0.80).n_per_group == 906
    assert sample_size_two_proportions(0.8, 0.85, deff=1.5).n_per_group == int(
        np.ceil(r.n_exact * 1.5))
    with pytest.raises(ValueError):
        sample_size_two_proportions(0.8, 0.8)


def test_results_are_frozen_and_json_safe():
    r = sample_size_two_proportions(0.8, 0.85)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.n_per_group = 1
    d = post_stratify(np.array([3]), np.array([4]), np.array([10])).to_dict()
    assert all(type(v) in (int, float, type(None)) for v in d.values())
    json.dumps(d)
