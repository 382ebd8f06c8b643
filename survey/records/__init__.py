"""Administrative records for analysts: dossier statistics, the appendix, the PAR INDEX."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from survey.navigation import register_nav

bp = Blueprint("records", __name__, url_prefix="/records")

register_nav("records.overview", _l("Dossiers"), "analyse", order=30)
register_nav("records.appendix_page", _l("Council appendix"), "analyse", order=31)
register_nav("records.procedures", _l("Procedures"), "analyse", order=32)

from survey.records import views  # noqa: E402,F401 - routes attach to bp
