"""Year-over-year changes with their significance, and long-run trends (METHODOLOGY §3, §8).

A series is one group and one item code: an item whose code changed between versions is a new
series (a break), never joined to the old one.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

import analysis
from analysis.scales import SCALES
from analysis.trend import MIN_TREND_YEARS
from survey.services.reporting.cache import cached
from survey.services.reporting.cells import References, fetch_cells
from survey.services.reporting.indices import CONFIDENCE, SMALL_N, _num, _sort_key, method_note
from survey.services.reporting.scope import Grouping, Measure, Scope, ScopeError

FDR = 0.05


@cached
def trends(scope: Scope, grouping: Grouping, measure: Measure, benchmark: float, stream: str,
           refs: References | None = None) -> dict:
    if "year" in grouping.dimensions:
        raise ScopeError("by", "trends are per year already; group by other dimensions")
    if measure.kind == "elements":
        raise ScopeError("measure", "trends compare one item across years: use measure=overall "
                                    "or item:<code>", ["overall", "item:<code>"])
    refs = refs or References.load()
    cells = fetch_cells(scope, grouping, measure, refs, extra=("item", "year"))
    positive = [c - 1 for c in SCALES[cells.scale].positive]
    series: dict[tuple, dict[int, np.ndarray]] = defaultdict(dict)
    for key, counts in cells.counts.items():
        series[key[:-1]][key[-1]] = counts
    inference = stream == "survey"
    rows, pairs = [], []
    for group in sorted(series, key=_sort_key):
        years = series[group]
        for year in sorted(years):
            rows.append(_row(cells.dimensions, group, year, years, positive))
            if inference and year - 1 in years and _testable(years[year - 1], years[year]):
                pairs.append((len(rows) - 1, years[year - 1], years[year]))
    _add_tests(rows, pairs, positive)
    note = method_note(stream, measure, benchmark, cells.scale)
    note["change"] = ("difference in points with the Newcombe hybrid-Wilson 95% interval; "
                      "two-proportion z-test; Benjamini-Hochberg across the rows (FDR 5%); "
                      "mw_r = rank-biserial r of the Mann-Whitney test (> 0: answers improved)")
    note["trend"] = "Mann-Kendall (Kendall tau) and Theil-Sen slope, only with 5 or more years"
    return {"method": note, "rows": rows,
            "trends": _long_run(series, cells.dimensions, positive) if inference else []}


def _share(counts: np.ndarray, positive: list[int]) -> tuple[int, int, float | None]:
    n = int(counts.sum())
    k = int(counts[positive].sum())
    return k, n, (k / n if n >= SMALL_N else None)


def _testable(before: np.ndarray, after: np.ndarray) -> bool:
    return before.sum() >= SMALL_N and after.sum() >= SMALL_N


def _row(dimensions, group, year, years, positive) -> dict:
    row = dict(zip(dimensions[:-1], group, strict=True))
    k, n, share = _share(years[year], positive)
    previous = years.get(year - 1)
    row.update(year=year, n=n, satisfied=k, share=share, previous_year=None, previous_n=None,
               previous_share=None, delta=None, delta_ci_low=None, delta_ci_high=None,
               p_value=None, p_adjusted=None, significant=None, mw_r=None)
    if previous is not None:
        _, pn, pshare = _share(previous, positive)
        row.update(previous_year=year - 1, previous_n=pn, previous_share=pshare)
        if share is not None and pshare is not None:
            row["delta"] = share - pshare
    return row


def _add_tests(rows: list[dict], pairs: list, positive: list[int]) -> None:
    if not pairs:
        return
    before = np.array([p[1] for p in pairs])
    after = np.array([p[2] for p in pairs])
    change = analysis.proportion_change_many(
        before[:, positive].sum(axis=1), before.sum(axis=1),
        after[:, positive].sum(axis=1), after.sum(axis=1), CONFIDENCE)
    adjusted = analysis.adjust_pvalues(change.p_value, method="bh", alpha=FDR)
    for i, (index, old, new) in enumerate(pairs):
        shift = analysis.rank_shift(new, old)
        rows[index].update(
            delta_ci_low=_num(change.ci_low[i]), delta_ci_high=_num(change.ci_high[i]),
            p_value=_num(change.p_value[i]), p_adjusted=_num(adjusted.adjusted[i]),
            significant=bool(adjusted.rejected[i]), mw_r=shift.rank_biserial,
        )


def _long_run(series, dimensions, positive) -> list[dict]:
    out = []
    for group in sorted(series, key=_sort_key):
        years = sorted(y for y, c in series[group].items() if c.sum() >= SMALL_N)
        if len(years) < MIN_TREND_YEARS:
            continue
        shares = [_share(series[group][y], positive)[2] for y in years]
        result = analysis.trend(years, shares)
        if result.method != "mann_kendall":
            continue
        entry = dict(zip(dimensions[:-1], group, strict=True))
        entry.update(years=list(years), tau=result.tau, p_value=result.p_value,
                     slope_per_year=result.slope_points)
        out.append(entry)
    return out
