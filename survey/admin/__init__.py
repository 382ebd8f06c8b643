"""Administration for the reform office: accounts, units, desks, the audit log."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from survey.navigation import register_nav

bp = Blueprint("admin", __name__, url_prefix="/admin")

register_nav("admin.users", _l("Users"), "manage_users", 80)
register_nav("admin.units", _l("Units"), "manage_units", 81)
register_nav("admin.service_area_list", _l("Service areas"), "manage_units", 81)
register_nav("admin.unit_events_page", _l("Unit events"), "manage_units", 81)
register_nav("admin.desks", _l("Desks"), "manage_kiosks", 82)
register_nav("admin.audit", _l("Audit log"), "view_audit", 89)

from survey.admin import (  # noqa: E402,F401 - routes attach to bp
    views,
    views_areas,
    views_audit,
    views_unit_events,
)
