"""Citizens' pages: the phone/web flow, kiosks, desk posters and dossier receipts."""

from flask import Blueprint

from survey.collect.forms import show_if_json

bp = Blueprint("collect", __name__)
bp.add_app_template_global(show_if_json, "show_if_json")

from survey.collect import flow_views, kiosk_views, staff_views  # noqa: E402,F401 - routes
