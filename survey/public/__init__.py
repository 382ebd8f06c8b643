"""The public scoreboard: satisfaction per province, service and unit, open to everyone.

No login, nothing a visitor can filter, and every page and download served from a cache
(survey/public/cache.py) so that a spike of visitors cannot reach the database.
"""

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public")

from survey.public import views  # noqa: E402,F401 - registers the routes


@bp.context_processor
def helpers() -> dict:
    from survey.dashboard.labels import number, verdict_label

    return {"num": number, "verdict_label": verdict_label}
