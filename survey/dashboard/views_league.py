"""The league table of units at one level, with CIs and small-n suppression, and the funnel
plot that keeps a small commune from being shamed by noise.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from analysis.funnel import funnel_position
from survey.access import page_requires
from survey.dashboard import bp, charts, labels
from survey.dashboard.filters import YEAR, choice, current_filters, form_options
from survey.dashboard.views_overview import OVERALL, benchmark
from survey.models.units import UNIT_LEVELS
from survey.services import reporting
from survey.services.reporting import Grouping, Scope


def latest_year(scope: Scope, refs) -> int | None:
    rows = reporting.indices(scope, Grouping(("year",)), OVERALL, benchmark(), "survey",
                             refs)["rows"]
    return max((r["year"] for r in rows), default=None)


def league_rows(scope: Scope, level: str, refs) -> list[dict]:
    """One row per unit at `level` (sub-units folded in), best first, small n last."""
    doc = reporting.indices(scope, Grouping(("unit",), unit_rollup=level), OVERALL,
                            benchmark(), "survey", refs)
    names = labels.unit_names()
    rows = []
    for row in doc["rows"]:
        unit = refs.unit_by_code[row["unit"]]
        if unit.level != level:
            continue
        row = dict(row, name=names.get(row["unit"], row["unit"]), raw_share=row["share"])
        row["funnel"] = (funnel_position(row["share"], row["n"], benchmark())
                         if row["share"] is not None else None)
        rows.append(row)
    rows.sort(key=lambda r: (r["share"] is None, -(r["share"] or 0), r["unit"]))
    return rows


@bp.get("/league")
@page_requires("analyse")
def league():
    level = choice("at", UNIT_LEVELS, "commune")
    filters = current_filters(YEAR)
    rows = league_rows(filters.scope, level, reporting.References.load())
    return render_template(
        "dashboard/league.html", filters=filters, options=form_options(), level=level,
        levels=UNIT_LEVELS, level_names=labels.level_names(), rows=rows,
        benchmark=benchmark(), title=_("League table of units"),
        funnel_figure=charts.funnel_figure(rows, benchmark()),
        n_total=sum(r["n"] for r in rows))
