"""The questionnaire designer: drafts edited in the browser, published as immutable versions."""

import json

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from survey.navigation import register_nav

bp = Blueprint("design", __name__, url_prefix="/design")


def plain_json(value: object) -> str:
    """Audit values as readable JSON (Vietnamese kept, not \\u-escaped); Jinja escapes it."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


bp.add_app_template_filter(plain_json, "plain_json")


def field_label(name: str) -> str:
    """A version diff's field name (``label.vi``...) as the item editor calls it."""
    from survey.design.forms import field_label as label

    return label(name)


bp.add_app_template_global(field_label, "field_label")
register_nav("design.index", _l("Questionnaires"), "design", 30)

from survey.design import views, views_items  # noqa: E402,F401 - routes attach to bp
