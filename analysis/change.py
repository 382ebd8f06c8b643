"""Year-over-year change (docs/METHODOLOGY.md §3).

* :func:`proportion_change` – difference after − before in % satisfied with the Newcombe
  (hybrid Wilson, method 10) interval and the two-proportion z-test; z² equals Pearson's χ² on
  the 2×2 table without Yates' correction. When a group is absent in one year (n = 0) the
  difference, interval and test are ``None``. When the pooled share is 0 or 1 (everybody, or
  nobody, satisfied in both years) there is no variation to test: z = 0 and p = 1.
* :func:`rank_shift` – Mann–Whitney U on the 1..K codes computed from two frequency tables with
  mid-ranks, the tie-corrected normal approximation (continuity correction as in scipy's
  default) and the rank-biserial r = 2U/(n₁n₂) − 1, where U counts pairs in which the *first*
  table's answer is higher (ties count one half). Pass the later year first so that r > 0 means
  answers improved. If every answer is the same code, z = 0 and p = 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from ._result import Result, as_count_array, check_confidence, opt_float
from .proportions import _counts_pair, wilson_bounds


def _change_arrays(k1, n1, k2, n2, confidence):
    has = (n1 > 0) & (n2 > 0)
    p1 = np.where(n1 > 0, k1 / np.where(n1 > 0, n1, 1), np.nan)
    p2 = np.where(n2 > 0, k2 / np.where(n2 > 0, n2, 1), np.nan)
    l1, u1 = wilson_bounds(k1, n1, confidence)
    l2, u2 = wilson_bounds(k2, n2, confidence)
    diff = p2 - p1
    # Newcombe: combine each year's Wilson distances on the side the difference moves to.
    low = diff - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = diff + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    pooled = np.where(has, (k1 + k2) / np.where(has, n1 + n2, 1), np.nan)
    var = pooled * (1 - pooled) * (1 / np.where(has, n1, 1) + 1 / np.where(has, n2, 1))
    varies = has & (var > 0)
    z = np.where(varies, diff / np.sqrt(np.where(varies, var, 1.0)), 0.0)
    z = np.where(has, z, np.nan)
    p_value = np.where(has, 2.0 * special.ndtr(-np.abs(np.nan_to_num(z))), np.nan)
    return p1, p2, diff, low, high, z, p_value


@dataclass(frozen=True, slots=True)
class ChangeResult(Result):
    k_before: int
    n_before: int
    share_before: float | None
    k_after: int
    n_after: int
    share_after: float | None
    difference: float | None
    difference_points: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    z: float | None
    chi2: float | None
    p_value: float | None

    def confidence_interval(self) -> tuple[float | None, float | None]:
        return self.ci_low, self.ci_high


def proportion_change(
    k_before: int, n_before: int, k_after: int, n_after: int, confidence: float = 0.95
) -> ChangeResult:
    """Change in % satisfied from one period to the next (shares as fractions, points ×100)."""
    confidence = check_confidence(confidence)
    k1, n1 = _counts_pair(k_before, n_before)
    k2, n2 = _counts_pair(k_after, n_after)
    if k1.ndim or k2.ndim:
        raise ValueError("proportion_change takes scalars; use proportion_change_many")
    p1, p2, diff, low, high, z, p = _change_arrays(k1, n1, k2, n2, confidence)
    d = opt_float(diff)
    zf = opt_float(z)
    return ChangeResult(
        int(k1), int(n1), opt_float(p1), int(k2), int(n2), opt_float(p2),
        d, None if d is None else 100.0 * d, opt_float(low), opt_float(high), confidence,
        zf, None if zf is None else zf * zf, opt_float(p),
    )


@dataclass(frozen=True, slots=True)
class ChangeTable(Result):
    """Vectorised :class:`ChangeResult` (nan where a year has n = 0)."""

    share_before: np.ndarray
    share_after: np.ndarray
    difference: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    confidence: float
    z: np.ndarray
    p_value: np.ndarray


def proportion_change_many(
    k_before: Any, n_before: Any, k_after: Any, n_after: Any, confidence: float = 0.95
) -> ChangeTable:
    confidence = check_confidence(confidence)
    k1, n1 = _counts_pair(k_before, n_before)
    k2, n2 = _counts_pair(k_after, n_after)
    if k1.shape != k2.shape:
        raise ValueError("before and after arrays must have the same shape")
    p1, p2, diff, low, high, z, p = _change_arrays(k1, n1, k2, n2, confidence)
    return ChangeTable(p1, p2, diff, low, high, confidence, z, p)


@dataclass(frozen=True, slots=True)
class RankShiftResult(Result):
    n1: int
    n2: int
    u: float | None
    z: float | None
    p_value: float | None
    rank_biserial: float | None


def rank_shift(counts1: Any, counts2: Any, *, use_continuity: bool = True) -> RankShiftResult:
    """Two-sided Mann–Whitney U test from two frequency tables over the same K codes."""
    a = as_count_array(counts1, "counts1", ndim=1)
    b = as_count_array(counts2, "counts2", ndim=1)
    if a.shape != b.shape or a.shape[0] < 2:
        raise ValueError("both tables need the same number (>= 2) of codes")
    n1, n2 = int(a.sum()), int(b.sum())
    if n1 == 0 or n2 == 0:
        return RankShiftResult(n1, n2, None, None, None, None)
    t = (a + b).astype(float)
    n = n1 + n2
    below = np.concatenate(([0.0], np.cumsum(t)[:-1]))
    midrank = below + (t + 1.0) / 2.0
    r1 = float((a * midrank).sum())
    u1 = r1 - n1 * (n1 + 1) / 2.0
    mu = n1 * n2 / 2.0
    tie = float((t**3 - t).sum())
    var = n1 * n2 / 12.0 * ((n + 1) - tie / (n * (n - 1)))
    if var <= 0:
        z, p = 0.0, 1.0
    else:
        dev = abs(u1 - mu) - (0.5 if use_continuity else 0.0)
        z = float(np.sign(u1 - mu) * max(dev, 0.0) / np.sqrt(var))
        p = float(min(1.0, 2.0 * special.ndtr(-abs(z))))
    return RankShiftResult(n1, n2, u1, z, p, 2.0 * u1 / (n1 * n2) - 1.0)
