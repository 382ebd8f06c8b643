"""Year-over-year changes with their significance, and long-run trends (docs/METHODOLOGY.md §3, §8).

A series is one group and one item code: an item whose code changed between versions is a new
series (a break), never joined to the old one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import numpy as np

import analysis
from analysis.scales import SCALES
from analysis.trend import MIN_TREND_YEARS
from survey.services.reporting import views
from survey.services.reporting.cache import cached
from survey.services.reporting.cells import References
from survey.services.reporting.indices import CONFIDENCE, _num, method_note, view_note
from survey.services.reporting.scope import Grouping, Measure, Scope, ScopeError
from survey.services.reporting.suppression import protected_cells, sort_key

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
    table = protected_cells(scope, grouping, measure, refs, extra=("item", "year"))
    cells = table.cells
    positive = [c - 1 for c in SCALES[cells.scale].positive]
    # A suppressed year is left out of its series: nothing computed from it is shown.
    series: dict[tuple, dict[int, np.ndarray | None]] = defaultdict(dict)
    n_of: dict[tuple, int] = {}
    for key, counts in cells.counts.items():
        series[key[:-1]][key[-1]] = None if table.is_hidden(key) else counts
        n_of[key] = int(counts.sum())
    inference = stream == "survey"
    boundary = Boundaries(scope, grouping, refs)
    rows, pairs = [], []
    for group in sorted(series, key=sort_key):
        years = series[group]
        row_of = dict(zip(cells.dimensions[:-1], group, strict=True))
        for year in sorted(years):
            rows.append(_row(cells.dimensions, group, year, years, positive, n_of))
            rows[-1]["estimated"] = cells.is_estimate((*group, year))
            crossed = year - 1 in years and boundary.crossed(row_of, year - 1, year)
            rows[-1]["boundary_change"] = crossed
            if crossed:  # the change is shown, never tested (METHODOLOGY §10)
                rows[-1]["test_skipped"] = views.BOUNDARY_REASON
            elif inference and years.get(year - 1) is not None and years[year] is not None:
                pairs.append((len(rows) - 1, years[year - 1], years[year]))
    _add_tests(rows, pairs, positive)
    note = method_note(stream, measure, benchmark, cells.scale)
    note["change"] = ("difference in points with the Newcombe hybrid-Wilson 95% interval; "
                      "two-proportion z-test; Benjamini-Hochberg across the rows (FDR 5%); "
                      "mw_r = rank-biserial r of the Mann-Whitney test (> 0: answers improved)")
    note["trend"] = "Mann-Kendall (Kendall tau) and Theil-Sen slope, only with 5 or more years"
    note["boundary_change"] = ("a row whose unit's territory changed between the two years "
                               "carries boundary_change and no test; a long-run trend across "
                               "such a change is not computed")
    note.update(view_note(scope, refs))
    return {"method": note, "rows": rows,
            "trends": _long_run(series, cells.dimensions, positive, boundary)
            if inference else []}


class Boundaries:
    """Whether a trend row's territory changed between two years, in the scope's view: the
    territory of its unit (rolled up as the report rolls up), else of the scope's unit, else
    of every unit of its level in the scope, else of the province (the roots)."""

    def __init__(self, scope: Scope, grouping: Grouping, refs: References):
        self.scope, self.grouping, self.refs = scope, grouping, refs
        self.lineage = refs.lineage
        self._memo: dict[tuple, bool] = {}

    def crossed(self, row: dict, year_a: int, year_b: int) -> bool:
        if self.lineage is None:
            return False
        ids = self._units(row)
        key = (ids, year_a, year_b)
        if key not in self._memo:
            self._memo[key] = any(views.changed(self.lineage, self.scope.view, uid, year_a,
                                                year_b) for uid in ids)
        return self._memo[key]

    def crossed_any(self, row: dict, years: list[int]) -> bool:
        return any(self.crossed(row, a, b) for a, b in zip(years, years[1:], strict=False))

    def _units(self, row: dict) -> tuple[int, ...]:
        refs = self.refs
        if row.get("unit") is not None:
            return (refs.unit_by_code[row["unit"]].id,)
        named = [refs.unit_by_code[c].id for c in (self.scope.unit, self.scope.visible_unit)
                 if c is not None and c in refs.unit_by_code]
        level = row.get("level")
        if level is not None:
            return tuple(sorted(uid for uid, u in refs.units.items() if u.level == level and (
                not named or any(n in self.lineage.ancestors_on(uid, date.today()) or
                                 uid == n for n in named))))
        if named:
            return tuple(named)
        return tuple(sorted(uid for uid, u in refs.units.items() if u.parent_id is None))



def _share(counts: np.ndarray | None, positive: list[int]) -> tuple[int | None, float | None]:
    if counts is None:  # suppressed
        return None, None
    k = int(counts[positive].sum())
    return k, k / int(counts.sum())


def _row(dimensions, group, year, years, positive, n_of) -> dict:
    row = dict(zip(dimensions[:-1], group, strict=True))
    k, share = _share(years[year], positive)
    row.update(year=year, n=n_of[(*group, year)], satisfied=k, share=share,
               suppressed=share is None, previous_year=None, previous_n=None,
               previous_share=None, delta=None, delta_ci_low=None, delta_ci_high=None,
               p_value=None, p_adjusted=None, significant=None, mw_r=None)
    if year - 1 in years:
        _, previous = _share(years[year - 1], positive)
        row.update(previous_year=year - 1, previous_n=n_of[(*group, year - 1)],
                   previous_share=previous)
        if share is not None and previous is not None:
            row["delta"] = share - previous
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


def _long_run(series, dimensions, positive, boundary: Boundaries) -> list[dict]:
    out = []
    for group in sorted(series, key=sort_key):
        years = sorted(y for y, c in series[group].items() if c is not None)
        if len(years) < MIN_TREND_YEARS:
            continue
        if boundary.crossed_any(dict(zip(dimensions[:-1], group, strict=True)), years):
            continue  # a line across a change of territory is not one series
        shares = [_share(series[group][y], positive)[1] for y in years]
        result = analysis.trend(years, shares)
        if result.method != "mann_kendall":
            continue
        entry = dict(zip(dimensions[:-1], group, strict=True))
        entry.update(years=list(years), tau=result.tau, p_value=result.p_value,
                     slope_per_year=result.slope_points)
        out.append(entry)
    return out
