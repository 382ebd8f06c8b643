"""The audit log in words: names of actions, record types and fields, and each entry's change
as field: old → new (nested values flattened into short readable text, never a Python repr)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

ACTIONS = {
    "create": _l("created"), "update": _l("changed"), "delete": _l("deleted"),
    "import": _l("imported"), "publish": _l("published"), "update_draft": _l("draft saved"),
    "retire": _l("retired"), "reactivate": _l("reactivated"), "revoke": _l("switched off"),
    "reissue": _l("new key issued"), "assign": _l("assigned"), "set": _l("set"),
    "close": _l("year closed"), "reopen": _l("year reopened"),
    "quarantine": _l("set aside"), "restore": _l("restored"),
    "issue_token": _l("rating code issued"), "reissue_token": _l("rating code reissued"),
    "on_time_status": _l("on-time status recorded"), "change_password": _l("password changed"),
    "reset_password": _l("password reset"), "login_throttled": _l("logins slowed down"),
    # a unit's life (issue #19): its events, and what moved with it to a successor
    "merge": _l("merged"), "split": _l("split"), "rename": _l("renamed"),
    "move": _l("moved to another parent unit"), "abolish": _l("abolished"),
    "carry": _l("moved with its unit"), "undo": _l("event undone"),
}
ENTITIES = {
    "user": _l("User"), "api_key": _l("API key"), "address": _l("Network address"),
    "unit": _l("Unit"), "desk": _l("Desk"), "kiosk": _l("Kiosk"), "web_link": _l("Web link"),
    "questionnaire": _l("Questionnaire"), "procedure": _l("Procedure"),
    "procedures": _l("Procedure catalogue"), "dossier_stats": _l("Dossier statistics"),
    "dossier_token": _l("Dossier rating code"), "par_index": _l("PAR INDEX"),
    "year": _l("Reporting year"), "quarantine": _l("Set-aside responses"),
    "response": _l("Response"), "service_area": _l("Service area"),
    "paper_responses": _l("Paper questionnaires"), "unit_events": _l("Unit events"),
}
FIELDS = {
    "role": _l("role"), "unit": _l("unit"), "active": _l("active"), "name": _l("name"),
    "name_vi": _l("name (Vietnamese)"), "name_en": _l("name (English)"), "level": _l("level"),
    "group": _l("procedure group"), "desk": _l("desk"), "questionnaire": _l("questionnaire"),
    "label": _l("label"), "days": _l("days valid"), "kind": _l("kind"), "from": _l("from"),
    "to": _l("to"), "reason": _l("reason"), "responses": _l("responses"),
    "hash": _l("content fingerprint"), "version": _l("version"), "value": _l("value"),
    "file": _l("file"), "format": _l("format"), "items": _l("items"), "rows": _l("rows"),
    "replaced": _l("replaced"), "created": _l("created"), "updated": _l("updated"),
    "score": _l("score"), "rank": _l("rank"), "method_break": _l("method break"),
    "on_time_status": _l("on-time status"), "service_area": _l("service area"),
    "parent": _l("parent unit"), "address": _l("address"), "wording_revisions":
    _l("wording revisions"), "idle_seconds": _l("idle time (s)"),
    "min_interval_seconds": _l("minimum interval (s)"), "imported": _l("imported"),
    "already_present": _l("already present"), "budget": _l("budget"),
    "title": _l("title"), "title_vi": _l("title (Vietnamese)"),
    "title_en": _l("title (English)"), "code": _l("code"), "sections": _l("sections"),
    "quarantine": _l("set-aside batch"), "status": _l("status"),
    "effective": _l("effective from"), "decision_number": _l("decision number"),
    "decision_date": _l("decision date"), "successors": _l("successors"),
    "carry_to": _l("carried to"), "note": _l("note"), "event": _l("event"),
}
KINDS = {"survey": _l("Sample survey"), "dossier_rating": _l("Per-dossier ratings")}
LONGEST = 300  # characters of one value shown on the page; the CSV keeps everything


@dataclass(frozen=True)
class Change:
    field: str
    old: str | None  # None: the entry has no old value for this field
    new: str | None


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def entity_label(code: str) -> str:
    return str(ENTITIES.get(code, code))


def field_label(code: str) -> str:
    return str(FIELDS.get(code, code))


def _coded(field: str) -> dict:
    """Fields whose values are codes with names of their own."""
    from survey.admin.forms import ROLE_LABELS
    from survey.dashboard.labels import CHANNELS, LEVELS

    return {"role": ROLE_LABELS, "level": LEVELS, "channel": CHANNELS,
            "kind": KINDS}.get(field, {})


def words(value: object, field: str = "") -> str:
    """A stored value as a person reads it (`field`: the field it is the value of)."""
    if isinstance(value, str) and value in _coded(field):
        return str(_coded(field)[value])
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        # a context of its own: "yes" elsewhere may mean "meets" (the records' appendix)
        return pgettext("audit value", "yes") if value else pgettext("audit value", "no")
    if isinstance(value, dict):
        text = "; ".join(f"{field_label(str(k))}: {words(v, str(k))}"
                         for k, v in value.items())
    elif isinstance(value, list | tuple):
        text = ", ".join(words(v, field) for v in value)
    else:
        text = str(value)
    return text if len(text) <= LONGEST else text[:LONGEST - 1] + "…"


def changes(old: dict | None, new: dict | None) -> list[Change]:
    """Field by field, in the order the entry names them; unchanged fields of an update are
    left out (the entry lists them for the record, the reader wants what changed)."""
    old, new = old or {}, new or {}
    out = []
    for key in [*old, *(k for k in new if k not in old)]:
        if key in old and key in new and old[key] == new[key]:
            continue
        out.append(Change(field_label(key), words(old[key], key) if key in old else None,
                          words(new[key], key) if key in new else None))
    return out
