"""Data entry on the web: paper questionnaires uploaded as CSV or XLSX (data_entry, admin)."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from survey.navigation import register_nav

bp = Blueprint("entry", __name__, url_prefix="/entry")

register_nav("entry.upload", _l("Paper questionnaires"), "import_responses", order=20)

from survey.entry import views  # noqa: E402,F401 - routes attach to bp
