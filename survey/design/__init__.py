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

DESIGN_ACTIONS = {
    "edit_title": _l("title, introduction or service area changed"),
    "add_item": _l("item added"), "edit_item": _l("item changed"),
    "delete_item": _l("item deleted"), "move_item": _l("item moved"),
    "add_section": _l("section added"), "edit_section": _l("section changed"),
    "delete_section": _l("section deleted"), "move_section": _l("section moved"),
    "clone": _l("copied"),
}


def history_words(entry) -> tuple[str, list]:
    """An editor history entry as (action, [field: old → new]) in the user's language, with
    the audit log's own words (survey.admin.audit_words) for what the designer shares."""
    from survey.admin import audit_words

    action = DESIGN_ACTIONS.get(entry.action) or audit_words.action_label(entry.action)
    return str(action), audit_words.changes(entry.old_values, entry.new_values)


bp.add_app_template_global(history_words, "history_words")
register_nav("design.index", _l("Questionnaires"), "design", 30)

from survey.design import views, views_items  # noqa: E402,F401 - routes attach to bp
