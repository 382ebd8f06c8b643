"""A sampled investigation's fieldwork on the web (#20): the officers' pages (progress and
response rates, cases and their assignment, invitation letters, reminders), the collectors'
pages (their own cases, statuses, paper forms) and the citizen's personal link /i/TOKEN."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from survey.navigation import register_nav

bp = Blueprint("investigation", __name__)

register_nav("investigation.index", _l("Fieldwork"), "fieldwork", order=25)

from survey.investigation import (  # noqa: E402,F401 - routes attach to bp
    estimates_views,
    link_views,
    views,
)


def _rate(value: float | None) -> str:
    """A response rate as the page prints it: 61,5 % in Vietnamese, 61.5 % in English;
    a rate whose denominator is 0 is a dash, not 0 %."""
    from flask_babel import get_locale

    if value is None:
        return "—"
    text = f"{100 * value:.1f} %"
    return text.replace(".", ",") if str(get_locale()) == "vi" else text


bp.add_app_template_filter(_rate, "fieldwork_rate")
