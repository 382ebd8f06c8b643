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


def field_value(field: str, text: str) -> str:
    """A diff value in the user's language where it is a word of ours (yes / no)."""
    from flask_babel import gettext

    if field in ("required", "overall", "respondent_type") and text in ("yes", "no"):
        return gettext("Yes") if text == "yes" else gettext("No")
    return text


bp.add_app_template_global(field_label, "field_label")
bp.add_app_template_global(field_value, "field_value")


def design_word(kind: str, value: str) -> str:
    """A questionnaire's kind or status in the user's language (the code if unknown)."""
    from survey.design.forms import KIND_LABELS, STATUS_LABELS

    return str({"kind": KIND_LABELS, "status": STATUS_LABELS}[kind].get(value, value))


bp.add_app_template_global(design_word, "design_word")
register_nav("design.index", _l("Questionnaires"), "design", 30)

from survey.design import views, views_items  # noqa: E402,F401 - routes attach to bp
