"""The verdict shown to people (docs/METHODOLOGY.md §3), checked on worked examples with scipy."""

import pytest
from scipy.stats import binomtest

from analysis import benchmark_verdict


def _bounds(k: int, n: int) -> tuple[float, float]:
    lower = binomtest(k, n, p=0.8, alternative="greater").proportion_ci(0.95).low
    high = binomtest(k, n).proportion_ci(0.95, method="wilson").high
    return lower, high


@pytest.mark.parametrize(("k", "n", "expected"), [
    (430, 500, "meets"), (400, 500, "not_established"), (370, 500, "below"),
    (5, 5, "not_established"), (0, 10, "below"), (879, 1000, "meets"),
])
def test_worked_examples(k, n, expected):
    assert benchmark_verdict(*_bounds(k, n), 0.8) == expected


def test_no_bounds_no_verdict():
    assert benchmark_verdict(None, 0.9) is None
    assert benchmark_verdict(float("nan"), float("nan")) is None


def test_target_is_checked():
    with pytest.raises(ValueError):
        benchmark_verdict(0.5, 0.6, 1.5)
