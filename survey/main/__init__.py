"""Public pages that belong to no audience in particular: home, health, language."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from survey.main import views  # noqa: E402,F401 - routes attach to bp
