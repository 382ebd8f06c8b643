"""Proportions: Wilson interval and the 80 % benchmark test (docs/METHODOLOGY.md §3).

Scalar functions return one result; the ``*_many`` functions take arrays of counts (one cell per
element) and use closed forms only, so a league table of thousands of cells costs milliseconds.
A cell with n = 0 has share, interval and p-value ``None`` (nan inside the array results).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats

from ._result import Result, as_count_array, check_confidence, check_probability, opt_float

DEFAULT_TARGET = 0.80


def _counts_pair(k: Any, n: Any) -> tuple[np.ndarray, np.ndarray]:
    k_arr = as_count_array(k, "k")
    n_arr = as_count_array(n, "n")
    try:
        k_arr, n_arr = np.broadcast_arrays(k_arr, n_arr)
    except ValueError as exc:
        raise ValueError("k and n must have the same shape") from exc
    if np.any(k_arr > n_arr):
        raise ValueError("k must not exceed n")
    return k_arr, n_arr


def wilson_bounds(
    k: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided Wilson score bounds for arrays of validated counts; nan where n = 0."""
    z = special.ndtri(0.5 + confidence / 2.0)
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    has = n > 0
    safe_n = np.where(has, n, 1.0)
    z2 = z * z
    denom = safe_n + z2
    centre = (k + z2 / 2.0) / denom
    # k(n-k)/n is exactly 0 at k = 0 or k = n, so the bounds touch 0 or 1 as they should.
    half = z / denom * np.sqrt(np.maximum(k * (safe_n - k) / safe_n, 0.0) + z2 / 4.0)
    low = np.where(has, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(has, np.clip(centre + half, 0.0, 1.0), np.nan)
    low = np.where(has & (k == 0), 0.0, low)
    high = np.where(has & (k == n), 1.0, high)
    return low, high


def _share(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    return np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)


@dataclass(frozen=True, slots=True)
class ProportionResult(Result):
    k: int
    n: int
    share: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float

    def confidence_interval(self) -> tuple[float | None, float | None]:
        return self.ci_low, self.ci_high


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> ProportionResult:
    """Share k/n with its Wilson score interval (never Wald). n = 0 gives ``None`` fields."""
    confidence = check_confidence(confidence)
    k_arr, n_arr = _counts_pair(k, n)
    if k_arr.ndim != 0:
        raise ValueError("wilson_interval takes scalars; use wilson_interval_many for arrays")
    low, high = wilson_bounds(k_arr, n_arr, confidence)
    return ProportionResult(
        int(k_arr), int(n_arr), opt_float(_share(k_arr, n_arr)),
        opt_float(low), opt_float(high), confidence,
    )


@dataclass(frozen=True, slots=True)
class ProportionTable(Result):
    """Vectorised :class:`ProportionResult`; nan marks n = 0 (``None`` in ``to_dict``)."""

    k: np.ndarray
    n: np.ndarray
    share: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    confidence: float


def wilson_interval_many(k: Any, n: Any, confidence: float = 0.95) -> ProportionTable:
    confidence = check_confidence(confidence)
    k_arr, n_arr = _counts_pair(k, n)
    low, high = wilson_bounds(k_arr, n_arr, confidence)
    return ProportionTable(k_arr, n_arr, _share(k_arr, n_arr), low, high, confidence)


def _benchmark_arrays(
    k: np.ndarray, n: np.ndarray, target: float, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    has = n > 0
    # P(X >= k | n, target): the exact one-sided p-value of H1 p > target.
    p_value = np.where(has, stats.binom.sf(k - 1, np.where(has, n, 1), target), np.nan)
    p_value = np.clip(p_value, 0.0, 1.0)
    # Dummy parameters where the bound is not a beta quantile keep scipy away from invalid input.
    kk = np.where(k > 0, k, 1)
    nn = np.where(has, n, 1)
    # One-sided Clopper–Pearson lower bound: the bound the exact test inverts.
    lower = np.where(k > 0, stats.beta.ppf(1.0 - confidence, kk, nn - kk + 1), 0.0)
    lower = np.where(has, lower, np.nan)
    return p_value, lower


@dataclass(frozen=True, slots=True)
class BenchmarkResult(Result):
    """One-sided exact binomial test of H1: p > target.

    ``meets_benchmark`` is true only when the one-sided Clopper–Pearson lower bound reaches the
    target, which is the same decision as ``p_value <= 1 - confidence``.
    """

    k: int
    n: int
    share: float | None
    target: float
    p_value: float | None
    ci_low: float | None
    confidence: float
    meets_benchmark: bool

    def confidence_interval(self) -> tuple[float | None, float]:
        return self.ci_low, 1.0


def benchmark_test(
    k: int, n: int, target: float = DEFAULT_TARGET, confidence: float = 0.95
) -> BenchmarkResult:
    """Exact test against the 80 % benchmark; n = 0 gives ``None`` and does not meet it."""
    confidence = check_confidence(confidence)
    target = check_probability(target, "target")
    k_arr, n_arr = _counts_pair(k, n)
    if k_arr.ndim != 0:
        raise ValueError("benchmark_test takes scalars; use benchmark_test_many for arrays")
    p_value, lower = _benchmark_arrays(k_arr, n_arr, target, confidence)
    low = opt_float(lower)
    return BenchmarkResult(
        int(k_arr), int(n_arr), opt_float(_share(k_arr, n_arr)), target,
        opt_float(p_value), low, confidence, low is not None and low >= target,
    )


@dataclass(frozen=True, slots=True)
class BenchmarkTable(Result):
    """Vectorised :class:`BenchmarkResult` (nan where n = 0)."""

    k: np.ndarray
    n: np.ndarray
    share: np.ndarray
    target: float
    p_value: np.ndarray
    ci_low: np.ndarray
    confidence: float
    meets_benchmark: np.ndarray


def benchmark_test_many(
    k: Any, n: Any, target: float = DEFAULT_TARGET, confidence: float = 0.95
) -> BenchmarkTable:
    confidence = check_confidence(confidence)
    target = check_probability(target, "target")
    k_arr, n_arr = _counts_pair(k, n)
    p_value, lower = _benchmark_arrays(k_arr, n_arr, target, confidence)
    meets = np.where(n_arr > 0, np.nan_to_num(lower, nan=-1.0) >= target, False)
    return BenchmarkTable(
        k_arr, n_arr, _share(k_arr, n_arr), target, p_value, lower, confidence, meets
    )


MEETS = "meets"
NOT_ESTABLISHED = "not_established"
BELOW = "below"
VERDICTS = (MEETS, NOT_ESTABLISHED, BELOW)


def benchmark_verdict(lower: float | None, wilson_high: float | None,
                      target: float = DEFAULT_TARGET) -> str | None:
    """The one word shown to people, the same on every page, report and API.

    ``meets`` when the one-sided exact lower bound reaches the target, ``below`` when the upper
    end of the two-sided Wilson interval is under it, otherwise ``not_established``; no bounds
    (a suppressed or empty cell) give no verdict at all (docs/METHODOLOGY.md §3).
    """
    target = check_probability(target, "target")
    if lower is None or wilson_high is None:
        return None
    if np.isnan(lower) or np.isnan(wilson_high):
        return None
    if lower >= target:
        return MEETS
    if wilson_high < target:
        return BELOW
    return NOT_ESTABLISHED
