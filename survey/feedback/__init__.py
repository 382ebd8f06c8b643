"""Feedback cases (#23): the citizen's offer form (/f/TOKEN) and the officers' pages
(/feedback/): the unit's cases, a case with its history, its moves and the answer form."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from survey.navigation import register_nav

bp = Blueprint("feedback", __name__)

register_nav("feedback.cases_page", _l("Feedback"), "feedback", order=45)

from survey.feedback import citizen, views  # noqa: E402,F401  (routes register on bp)
