"""Trend over years (docs/METHODOLOGY.md §3).

With at least ``min_years`` (5) years with data: Mann–Kendall (Kendall's τ of the yearly shares
against the year, scipy's exact p-value when there are no ties) and the Theil–Sen slope, given
per year as a fraction and in percentage points. With 2–4 years only the year-to-year changes
are reported (``method == "changes_only"``); with 0–1 years there is nothing to compare
(``method == "none"``). Years whose share is ``None`` (group absent that year) are dropped
before counting. A constant series has τ = 0, p = 1 and slope 0 (Mann–Kendall S = 0).
``intercept`` is the Theil–Sen intercept at year 0 (scipy convention).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._result import Result, as_float_array, opt_float

MIN_TREND_YEARS = 5


@dataclass(frozen=True, slots=True)
class YearChange(Result):
    year_from: int
    year_to: int
    difference: float
    difference_points: float


@dataclass(frozen=True, slots=True)
class TrendResult(Result):
    method: str
    n_years: int
    years: tuple[int, ...]
    changes: tuple[YearChange, ...]
    tau: float | None
    p_value: float | None
    slope: float | None
    slope_points: float | None
    intercept: float | None
    slope_ci_low: float | None
    slope_ci_high: float | None
    message: str


def trend(
    years: Sequence[int] | np.ndarray,
    shares: Sequence[float | None] | np.ndarray,
    *,
    min_years: int = MIN_TREND_YEARS,
    confidence: float = 0.95,
) -> TrendResult:
    """Trend of a yearly share; the slope interval is Theil–Sen's at *confidence*."""
    y = as_float_array(years, "years")
    s = as_float_array(shares, "shares")
    if y.shape != s.shape:
        raise ValueError("years and shares must have the same length")
    if np.any(np.isnan(y)) or np.any(y != np.round(y)):
        raise ValueError("years must be whole numbers")
    if np.unique(y).size != y.size:
        raise ValueError("years must not repeat")
    if isinstance(min_years, bool) or not isinstance(min_years, int) or min_years < 3:
        raise ValueError("min_years must be an integer >= 3")
    keep = ~np.isnan(s)
    order = np.argsort(y[keep])
    y, s = y[keep][order], s[keep][order]
    yrs = tuple(int(v) for v in y)
    changes = tuple(
        YearChange(yrs[i], yrs[i + 1], float(s[i + 1] - s[i]), float(100 * (s[i + 1] - s[i])))
        for i in range(len(yrs) - 1)
    )
    if len(yrs) < 2:
        return TrendResult("none", len(yrs), yrs, (), None, None, None, None, None, None, None,
                           "fewer than 2 years with data: nothing to compare")
    if len(yrs) < min_years:
        return TrendResult("changes_only", len(yrs), yrs, changes, None, None, None, None, None,
                           None, None, f"{len(yrs)} years: only year-to-year changes are "
                           f"reported; a trend needs at least {min_years} years")
    if np.all(s == s[0]):
        tau, p = 0.0, 1.0
    else:
        kt = stats.kendalltau(y, s)
        tau, p = float(kt.statistic), float(kt.pvalue)
    ts = stats.theilslopes(s, y, alpha=confidence)
    slope = float(ts.slope)
    return TrendResult(
        "mann_kendall", len(yrs), yrs, changes, tau, p, slope, 100.0 * slope,
        opt_float(ts.intercept), opt_float(ts.low_slope), opt_float(ts.high_slope),
        f"Mann–Kendall and Theil–Sen over {len(yrs)} years",
    )
