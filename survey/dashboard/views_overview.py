"""Overview, service and unit pages: the headline for one year, the index per year against
the target, the changes, and (for a service or a unit) the five SIPAS elements of that year
with α and the importance–performance chart.

The year is the last of the selection (the last complete year by default); the trend shows
every year up to it, and every other figure on the page speaks of that year alone.
"""

from __future__ import annotations

from dataclasses import replace

from flask import current_app, render_template
from flask_babel import gettext as _

from survey.access import current_principal, page_requires
from survey.dashboard import bp, charts, labels
from survey.dashboard.filters import SERIES, check_visible, current_filters, form_options
from survey.dashboard.headline import element_respondents, headline
from survey.extensions import db
from survey.models import ServiceArea, Unit, now_utc
from survey.services import reporting
from survey.services.feedback import figures as case_figures
from survey.services.investigation import results as investigation_results
from survey.services.investigation.estimates import visible_units
from survey.services.reporting import Grouping, Measure
from survey.services.reporting.elements import elements as element_report

OVERALL = Measure("overall")


def benchmark() -> float:
    return current_app.config["SATISFACTION_BENCHMARK"]


def yearly(scope, refs, by: tuple[str, ...] = ()) -> list[dict]:
    doc = reporting.indices(scope, Grouping(("year", *by)), OVERALL, benchmark(), "survey", refs)
    return doc["rows"]


def series_by(rows: list[dict], dimension: str, names: dict[str, str]) -> dict[str, list]:
    out: dict[str, list] = {}
    for row in rows:
        out.setdefault(names.get(row[dimension], row[dimension]), []).append(row)
    return out


def elements_of(scope, year: int, refs) -> dict:
    """The elements panel for one year: never a figure pooled over the years of the trend."""
    one = replace(scope, year_from=year, year_to=year)
    el = element_report(one, benchmark(), refs)
    names = labels.element_names()
    return dict(
        elements=el, element_names=names, elements_year=year,
        elements_n=element_respondents(one, refs),
        elements_figure=charts.elements_figure(el["elements"], names, benchmark()),
        quadrant_figure=charts.quadrant_figure(
            el["elements"], names, el["mean_importance"], el["mean_performance"]),
        # element E in practice (#23): the feedback cases of that year, same units and services
        feedback_e=case_figures.beside_element_e(
            (scope.unit, scope.visible_unit), scope.service_areas, year, now_utc()),
    )


def page_data(filters, series_dim: str, with_elements: bool) -> dict:
    refs = reporting.References.load()
    scope = filters.scope
    overall = yearly(scope, refs)
    names = {"service_area": labels.area_names(),
             "level": labels.level_names()}.get(series_dim, {})
    series = series_by(yearly(scope, refs, (series_dim,)), series_dim, names)
    changes = reporting.trends(scope, Grouping(()), OVERALL, benchmark(), "survey", refs)
    by_group = reporting.trends(scope, Grouping((series_dim,)), OVERALL, benchmark(), "survey",
                                refs)
    year = filters.year or max((r["year"] for r in overall), default=None)
    data = {
        "overall": overall, "changes": changes, "by_group": by_group["rows"],
        "series_dim": series_dim, "names": names, "year": year,
        "headline": headline(year, overall, changes["rows"]),
        "trend_figure": charts.trend_figure(overall, series, benchmark()),
        "n_total": sum(r["n"] for r in overall), "benchmark": benchmark(),
    }
    if with_elements and year is not None:
        data.update(elements_of(scope, year, refs))
    return data


@bp.get("/")
@page_requires("analyse")
def overview():
    filters = current_filters(SERIES)
    data = page_data(filters, "service_area", with_elements=True)
    # The sampled investigations of the year, in their own panel: never pooled (#20).
    within = visible_units(current_principal().unit_scope)
    return render_template("dashboard/overview.html", filters=filters, options=form_options(),
                           title=_("Satisfaction overview"), kind="overview",
                           investigations=investigation_results.panel(
                               data["year"], benchmark(), within), **data)


@bp.get("/service/<code>")
@page_requires("analyse")
def service(code: str):
    area = db.first_or_404(db.select(ServiceArea).filter_by(code=code))
    filters = current_filters(SERIES, service_area=code)
    return render_template("dashboard/overview.html", filters=filters, options=form_options(),
                           title=_("Service area: %(name)s", name=labels.pick(area)),
                           kind="service", **page_data(filters, "level", with_elements=True))


@bp.get("/unit/<code>")
@page_requires("analyse")
def unit(code: str):
    found = db.first_or_404(db.select(Unit).filter_by(code=code))
    check_visible(found)
    filters = current_filters(SERIES, unit=code)
    return render_template("dashboard/overview.html", filters=filters, options=form_options(),
                           title=_("Unit: %(name)s", name=labels.pick(found)), kind="unit",
                           **page_data(filters, "service_area", with_elements=True))
