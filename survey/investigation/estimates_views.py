"""The investigation's weighted results page (#20): the estimates service's answer as tables,
for the analyse roles (an officer: its unit's subtree), with the method stated. Kept apart
from the dashboard's open-collection pages, which never show these figures pooled."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from survey.access import current_principal, page_requires
from survey.dashboard import labels
from survey.extensions import db
from survey.investigation import bp
from survey.investigation.labels import stratum_labels
from survey.models import Investigation
from survey.services.investigation import estimates as est

SHOWN = ("drawn", "fieldwork", "closed")
MEASURE_NAMES = {"overall": _l("Satisfied share (overall item)"),
                 "index": _l("Overall index (mean of the five elements)")}
CELL_NAMES = {"stratum": _l("strata"), "service_area": _l("service areas"),
              "unit": _l("units"), "all": _l("the whole sample")}


def measure_names() -> dict[str, str]:
    names = {k: str(v) for k, v in MEASURE_NAMES.items()}
    for code, name in labels.element_names().items():
        names[code] = str(name)
    return names


@bp.get("/investigations/<code>/estimates")
@page_requires("analyse")
def estimates_page(code: str):
    investigation = db.session.execute(
        db.select(Investigation).filter_by(code=code[:40])).scalar_one_or_none()
    if investigation is None or investigation.status not in SHOWN:
        abort(404)
    problem = None
    args = {k: request.args.get(k, "") for k in ("cells", "raking", "trim")}
    measure = request.args.get("measure") or "overall"
    if measure not in est.MEASURES:
        measure = "overall"
    benchmark = current_app.config["SATISFACTION_BENCHMARK"]
    within = est.visible_units(current_principal().unit_scope)
    try:
        result = est.cached_estimates(investigation, est.options_from(args, benchmark), within)
    except est.EstimateError as error:
        # a bad option shows the default figures with the reason, never an error page
        problem = str(error)
        result = est.cached_estimates(investigation, est.Options(benchmark=benchmark), within)
    uncovered = (result.get("weights") or {}).get("uncovered_cells") or []
    if result["options"]["cells"] == "stratum" and uncovered:
        named = stratum_labels(investigation, uncovered, str(get_locale()))
        uncovered = [named[k] for k in uncovered]
    rows = result["rows"]
    return render_template(
        "investigation/estimates.html", investigation=investigation, result=result,
        overall=[r for r in rows if r["domain"] == "all"],
        by_area=[r for r in rows if r["domain"] == "service_area" and r["measure"] == measure],
        by_unit=[r for r in rows if r["domain"] == "unit" and r["measure"] == measure],
        measure=measure, measures=measure_names(), areas=labels.area_names(),
        units=labels.unit_names(), uncovered=uncovered, problem=problem, args=args,
        cell_names={k: str(v) for k, v in CELL_NAMES.items()}, benchmark=benchmark,
        verdict_label=labels.verdict_label, num=labels.number)
