"""The council's report for one year: the same documents as the JSON API, assembled.

Every figure comes from `reporting.indices` / `reporting.trends`, so the appendix equals what
/api/v1/indices?by=procedure_group answers for the same year.
"""

from __future__ import annotations

from dataclasses import replace

from survey.services import reporting
from survey.services.reporting import Grouping, Measure, Scope

OVERALL = Measure("overall")


def dossier_columns(scope: Scope, year: int, groups: list[str]) -> dict[str, dict]:
    """Hook for the records issue: dossier figures per procedure group (received, on-time
    rate, ...), keyed by group code. Until then the appendix shows survey columns only."""
    return {}


def _by(scope: Scope, dims: tuple[str, ...], benchmark: float, refs) -> list[dict]:
    return reporting.indices(scope, Grouping(dims), OVERALL, benchmark, "survey", refs)["rows"]


def _changes(scope: Scope, year: int, dims: tuple[str, ...], benchmark: float, refs) -> dict:
    """Change from the previous year per group, keyed by the group's key tuple."""
    two = replace(scope, year_from=year - 1, year_to=year)
    doc = reporting.trends(two, Grouping(dims), OVERALL, benchmark, "survey", refs)
    return {tuple(r[d] for d in dims): r for r in doc["rows"] if r["year"] == year}


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
        sections[name] = _join(rows, _changes(scope, year, dims, benchmark, refs), dims)
    extra = dossier_columns(one, year, [r["procedure_group"] for r in sections["appendix"]])
    for row in sections["appendix"]:
        row["dossiers"] = extra.get(row["procedure_group"])
    headline = sections["headline"][0] if sections["headline"] else None
    return {**sections, "year": year, "benchmark": benchmark, "headline": headline}


def verdict(row: dict) -> str:
    """meets / below / undecided / small: the benchmark test's plain reading."""
    if row.get("suppressed") or row.get("share") is None:
        return "small"
    if row.get("meets_benchmark"):
        return "meets"
    if row.get("ci_high") is not None and row["ci_high"] < row["benchmark"]:
        return "below"
    return "undecided"
