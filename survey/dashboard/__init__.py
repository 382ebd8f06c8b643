"""Analysts' dashboards, the council's report and the exports (blueprint at /dashboard)."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from survey.navigation import register_nav

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

register_nav("dashboard.overview", _l("Dashboard"), "analyse", 20)
register_nav("dashboard.league", _l("League table"), "analyse", 21)
register_nav("dashboard.crosstab", _l("Cross-tab"), "analyse", 22)
register_nav("dashboard.comments", _l("Comments"), "analyse", 23)
register_nav("dashboard.report", _l("Council report"), "analyse", 24)
register_nav("dashboard.export_page", _l("Export"), "export", 25)

from survey.dashboard import (  # noqa: E402,F401 - routes
    views_data,
    views_export,
    views_league,
    views_overview,
    views_report,
)


@bp.context_processor
def _helpers():
    from survey.dashboard.labels import template_helpers

    return template_helpers()


# The shared macros (dashboard/_macros.html) are imported without the page's context, so what
# they call must be a Jinja global.
@bp.record_once
def _globals(state):
    from survey.dashboard.charts import has_data
    from survey.dashboard.labels import number
    from survey.dashboard.static_svg import figure_svg

    state.app.add_template_global(number, "dash_num")
    state.app.add_template_global(has_data, "dash_has_data")
    state.app.add_template_global(figure_svg, "dash_svg")
