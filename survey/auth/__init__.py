"""Staff login and logout."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from survey.navigation import register_nav

bp = Blueprint("auth", __name__, url_prefix="/auth")
register_nav("auth.change_password", _l("Password"), "own_account", 99)

from survey.auth import views  # noqa: E402,F401 - routes attach to bp
