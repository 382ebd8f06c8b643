"""The council's report for one year: the same documents as the JSON API, assembled.

Every figure comes from `reporting.indices` for one year, so the appendix equals what
/api/v1/indices?by=procedure_group answers for the same year, and a suppressed group shows
its n only, as it does there (docs/METHODOLOGY.md §6).
"""

from __future__ import annotations

from dataclasses import asdict, replace

import analysis
from survey.extensions import db
from survey.services import reporting
from survey.services.periods import is_partial
from survey.services.records import par_index
from survey.services.reporting import Grouping, Measure, Scope
from survey.services.reporting.appendix import appendix
from survey.services.reporting.indices import CONFIDENCE, _num
from survey.services.reporting.trends import FDR, Boundaries

OVERALL = Measure("overall")
SERIES_YEARS = 5


def dossier_columns(scope: Scope, year: int, benchmark: float, refs) -> dict[str, dict]:
    """Dossier figures per procedure group (received, resolved, late, on-time rate), summed
    over the levels of the records appendix (`reporting.appendix`), so both show one count."""
    totals: dict[str, dict] = {}
    for row in appendix(scope, year, benchmark, refs)["rows"]:
        if row["received"] is None:
            continue
        total = totals.setdefault(row["procedure_group"],
                                  {"received": 0, "resolved": 0, "late": 0})
        for column in total:
            total[column] += row[column] or 0
    for total in totals.values():
        resolved = total["resolved"]
        total["on_time_rate"] = (resolved - total["late"]) / resolved if resolved else None
    return totals


def yearly_series(scope: Scope, year: int, benchmark: float, refs,
                  by: tuple[str, ...] = ()) -> list[dict]:
    """The index per year over the five years up to `year` (each year as its report shows
    it: one year's suppression at a time would differ only where a cell is hidden)."""
    window = replace(scope, year_from=year - SERIES_YEARS + 1, year_to=year)
    return _by(window, ("year", *by), benchmark, refs)


def _by(scope: Scope, dims: tuple[str, ...], benchmark: float, refs) -> list[dict]:
    return reporting.indices(scope, Grouping(dims), OVERALL, benchmark, "survey", refs)["rows"]


def _changes(scope: Scope, year: int, rows: list[dict], dims: tuple[str, ...],
             benchmark: float, refs) -> dict:
    """Change from the previous year per group, keyed by the group's key tuple.

    Both years are read as the report for each year shows them (one year at a time), so a
    change is shown only between two figures those reports publish: a two-year window would
    hide different groups and let the two be played against each other.
    """
    before = {tuple(r[d] for d in dims): r
              for r in _by(replace(scope, year_from=year - 1, year_to=year - 1), dims,
                           benchmark, refs)}
    pairs, out = [], {}
    boundary = Boundaries(scope, Grouping(dims), refs)
    for row in rows:
        old = before.get(tuple(row[d] for d in dims))
        if old and row["satisfied"] is not None and old["satisfied"] is not None:
            if boundary.crossed(row, year - 1, year):  # shown, never tested (§10)
                out[tuple(row[d] for d in dims)] = {
                    "previous_share": old["share"], "delta": row["share"] - old["share"],
                    "delta_ci_low": None, "delta_ci_high": None, "p_adjusted": None,
                    "significant": None, "boundary_change": True}
            else:
                pairs.append((row, old))
    if not pairs:
        return out
    change = analysis.proportion_change_many(
        [o["satisfied"] for _, o in pairs], [o["n"] for _, o in pairs],
        [r["satisfied"] for r, _ in pairs], [r["n"] for r, _ in pairs], CONFIDENCE)
    adjusted = analysis.adjust_pvalues(change.p_value, method="bh", alpha=FDR)
    for i, (row, old) in enumerate(pairs):
        out[tuple(row[d] for d in dims)] = {
            "previous_share": old["share"], "delta": _num(change.difference[i]),
            "delta_ci_low": _num(change.ci_low[i]), "delta_ci_high": _num(change.ci_high[i]),
            "p_adjusted": _num(adjusted.adjusted[i]), "significant": bool(adjusted.rejected[i])}
    return out


def _join(rows: list[dict], changes: dict, dims: tuple[str, ...]) -> list[dict]:
    out = []
    for row in rows:
        change = changes.get(tuple(row[d] for d in dims), {})
        out.append(dict(row, delta=change.get("delta"), previous_share=change.get(
            "previous_share"), p_adjusted=change.get("p_adjusted"),
            significant=change.get("significant"), delta_ci_low=change.get("delta_ci_low"),
            delta_ci_high=change.get("delta_ci_high")))
    return out


def council_report(scope: Scope, year: int, benchmark: float) -> dict:
    refs = reporting.References.load()
    one = replace(scope, year_from=year, year_to=year)
    sections = {}
    for name, dims in (("headline", ()), ("areas", ("service_area",)),
                       ("appendix", ("procedure_group",)),
                       ("respondents", ("respondent_type",))):
        rows = _by(one, dims, benchmark, refs)
        if dims:
            rows = [r for r in rows if r[dims[0]] is not None]
        sections[name] = _join(rows, _changes(scope, year, rows, dims, benchmark, refs), dims)
    extra = dossier_columns(scope, year, benchmark, refs)
    shown = {r["procedure_group"] for r in sections["appendix"]}
    # A group with dossiers but no survey answers still belongs in the appendix.
    sections["appendix"] += [{"procedure_group": g, "n": 0, "share": None, "suppressed": True,
                              "verdict": None, "delta": None}
                             for g in sorted(set(extra) - shown)]
    for row in sections["appendix"]:
        row["dossiers"] = extra.get(row["procedure_group"])
    headline = sections["headline"][0] if sections["headline"] else None
    return {**sections, **beside(scope, one, year, benchmark, refs),
            "year": year, "benchmark": benchmark, "headline": headline,
            "view": scope.view,
            "partial": is_partial(year),
            "series": yearly_series(scope, year, benchmark, refs),
            "area_series": [r for r in yearly_series(scope, year, benchmark, refs,
                                                     ("service_area",))
                            if r["service_area"] is not None],
            # The PAR INDEX as known for the report's year: later scores are not its story.
            "par": [p for p in par_index.series() if p["year"] <= year]}


def beside(scope: Scope, one: Scope, year: int, benchmark: float, refs) -> dict:
    """What the report shows beside the open collection's figures, never pooled with them:
    the five elements with the feedback cases' figures beside element E (#23), and the
    year's sampled investigations' weighted results (#20)."""
    from survey.models import Unit, now_utc
    from survey.services.feedback import figures
    from survey.services.investigation import results
    from survey.services.investigation.estimates import visible_units
    from survey.services.reporting.elements import elements as element_report

    codes = [c for c in (scope.unit, scope.visible_unit) if c]
    units = [db.session.execute(db.select(Unit).filter_by(code=c)).scalar_one_or_none()
             for c in codes]
    narrowest = max((u for u in units if u is not None), key=lambda u: len(u.path),
                    default=None)
    cases = figures.beside_element_e((scope.unit, scope.visible_unit), scope.service_areas,
                                     year, now_utc())
    el = element_report(one, benchmark, refs)
    return {"elements": el["elements"], "elements_index": el["overall_index"],
            "feedback": asdict(cases) if cases else None,
            "investigations": results.report_section(year, benchmark,
                                                     visible_units(narrowest))}


def verdict(row: dict) -> str | None:
    """The row's verdict (docs/METHODOLOGY.md §3): meets / not_established / below.

    None when hidden.
    """
    return row.get("verdict")
