"""The questionnaire designer: drafts edited in the browser, published as immutable versions."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from survey.navigation import register_nav

bp = Blueprint("design", __name__, url_prefix="/design")

register_nav("design.index", _l("Questionnaires"), "design", 30)

from survey.design import views, views_items  # noqa: E402,F401 - routes attach to bp
