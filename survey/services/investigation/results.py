"""The sampled investigations' results where other pages show them (#20): the dashboard
overview's separate panel and the council report's section. Plain data from
`estimates.estimates` with the default method; the figures are never merged into the open
collection's rows, they travel beside them under their own key."""

from __future__ import annotations

from datetime import date

from survey.extensions import db
from survey.models.investigation import Investigation
from survey.services.investigation.estimates import Options, cached_estimates

SHOWN = ("drawn", "fieldwork", "closed")


def _of_year(year: int | None) -> list[Investigation]:
    query = db.select(Investigation).where(Investigation.status.in_(SHOWN))
    if year is not None:  # the investigations whose period overlaps the year
        query = query.where(Investigation.period_from <= date(year, 12, 31),
                            Investigation.period_to >= date(year, 1, 1))
    return list(db.session.execute(
        query.order_by(Investigation.period_to.desc(), Investigation.code)).scalars())


def _summary(result: dict, domain: str = "all", code=None) -> dict:
    rows = {r["measure"]: r for r in result["rows"]
            if r["domain"] == domain and r["code"] == code}
    return {"overall": rows.get("overall"), "index": rows.get("index"),
            "elements": {m: r for m, r in rows.items() if len(m) == 1}}


def panel(year: int | None, benchmark: float, within: set[int] | None = None) -> list[dict]:
    """One line per investigation of `year`: its whole-sample satisfied share and index."""
    out = []
    for investigation in _of_year(year):
        result = cached_estimates(investigation, Options(benchmark=benchmark), within, ("all",))
        out.append({**result["investigation"], "sample": result["sample"],
                    **_summary(result)})
    return out


def report_section(year: int, benchmark: float, within: set[int] | None = None) -> list[dict]:
    """For the council report: each investigation of `year` with its whole-sample figures
    (satisfied share, index, the five elements) and its satisfied share per service area."""
    out = []
    for investigation in _of_year(year):
        result = cached_estimates(investigation, Options(benchmark=benchmark), within,
                           ("all", "service_area"))
        areas = [r for r in result["rows"]
                 if r["domain"] == "service_area" and r["measure"] == "overall"]
        out.append({**result["investigation"], "sample": result["sample"],
                    "weights": result["weights"], "design": result.get("design"),
                    **_summary(result), "areas": areas})
    return out
