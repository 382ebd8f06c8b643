"""Security pages for the administrator: signs that kiosk answers were gamed."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from survey.navigation import register_nav

bp = Blueprint("security", __name__, url_prefix="/security")

register_nav("security.anomalies", _l("Anomalies"), "administer", 88)

from survey.security_views import views  # noqa: E402,F401 - routes attach to bp
