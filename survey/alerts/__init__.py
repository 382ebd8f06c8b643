"""Early-warning alerts (#23): the officers' list (/alerts/), one alert with the chart that
triggered it, and its acknowledgement. The menu entry shows how many open alerts the account
has not seen yet."""

from flask import Blueprint
from flask_babel import gettext as _

from survey.navigation import register_nav

bp = Blueprint("alerts", __name__)


class _MenuLabel:
    """"Alerts (3)": the unread count is read when the menu is drawn (one COUNT query)."""

    def __str__(self) -> str:
        from flask_login import current_user

        from survey.access import current_principal
        from survey.services.alerts.listing import unread_count

        principal = current_principal()
        label = _("Alerts")
        if principal is None or principal.kind != "user" or not current_user.is_authenticated:
            return label
        unread = unread_count(principal.unit_scope, current_user.id)
        return f"{label} ({unread})" if unread else label


register_nav("alerts.list_page", _MenuLabel(), "alerts", order=46)

from survey.alerts import views  # noqa: E402,F401  (routes register on bp)
