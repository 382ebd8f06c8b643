"""r × c cross-tabulation: percentages, Pearson χ², Cramér's V (used by §3, §6, §7).

Rows or columns with a zero total carry no information and would make expected counts zero, so
the test drops them (``shape_tested``); with fewer than 2 rows or columns left, χ², p and V are
``None``. ``low_expected`` counts tested cells with an expected count under 5, and ``warning``
says so in words: the χ² approximation is then unreliable. 2 × 2 tables are tested without
Yates' correction, consistent with the two-proportion z-test. Percentages of an empty row or
column are ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from ._result import Result, as_count_array

MIN_EXPECTED = 5.0


def _pct(num: np.ndarray, den: np.ndarray) -> tuple[tuple[float | None, ...], ...]:
    safe = np.where(den > 0, den, 1)
    pct = np.where(den > 0, num / safe, np.nan)
    return tuple(tuple(None if np.isnan(v) else float(v) for v in row) for row in pct)


@dataclass(frozen=True, slots=True)
class CrosstabResult(Result):
    counts: tuple[tuple[int, ...], ...]
    row_totals: tuple[int, ...]
    col_totals: tuple[int, ...]
    n: int
    row_pct: tuple[tuple[float | None, ...], ...]
    col_pct: tuple[tuple[float | None, ...], ...]
    shape_tested: tuple[int, int]
    chi2: float | None
    dof: int | None
    p_value: float | None
    cramers_v: float | None
    min_expected: float | None
    low_expected: int
    warning: str | None


def crosstab(table: Any) -> CrosstabResult:
    t = as_count_array(table, "table", ndim=2)
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    n = int(t.sum())
    row_pct = _pct(t, rows[:, None])
    col_pct = _pct(t, cols[None, :])
    tested = t[rows > 0][:, cols > 0]
    r, c = tested.shape
    base = dict(
        counts=tuple(tuple(int(v) for v in row) for row in t),
        row_totals=tuple(int(v) for v in rows), col_totals=tuple(int(v) for v in cols), n=n,
        row_pct=row_pct, col_pct=col_pct, shape_tested=(int(r), int(c)),
    )
    if r < 2 or c < 2:
        return CrosstabResult(**base, chi2=None, dof=None, p_value=None, cramers_v=None,
                              min_expected=None, low_expected=0,
                              warning="fewer than 2 non-empty rows or columns: no test")
    res = stats.chi2_contingency(tested, correction=False)
    expected = res.expected_freq
    low = int((expected < MIN_EXPECTED).sum())
    chi2 = float(res.statistic)
    v = float(np.sqrt(chi2 / (n * (min(r, c) - 1))))
    warning = None
    if low:
        warning = (f"{low} of {r * c} cells have an expected count under {MIN_EXPECTED:g}: "
                   "the χ² approximation is unreliable")
    return CrosstabResult(**base, chi2=chi2, dof=int(res.dof), p_value=float(res.pvalue),
                          cramers_v=min(v, 1.0), min_expected=float(expected.min()),
                          low_expected=low, warning=warning)
