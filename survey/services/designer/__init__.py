"""Editing a questionnaire draft as plain data: the operations behind the web designer (the
pure edits of the draft dict are `edit.py`; files in and out, `io.py`).

The draft lives in `Questionnaire.draft` exactly as the author left it, valid or not, so nothing
typed is ever lost; every save validates it with the same `questionnaires.from_dict` the files
go through and returns the problems by item and field. Only a valid draft gets a content hash,
and only a draft with a hash can be published. Each operation takes and returns plain dicts
(never the request) and is audited with the part that changed, before and after.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache

import questionnaires as qn
from survey.extensions import db
from survey.models import Questionnaire
from survey.services import audit, service_areas


class DesignError(ValueError):
    """An edit that cannot be made (unknown index, a code already taken)."""


@dataclass
class Checked:
    """The validation of a draft: the typed questionnaire when valid, else the problems."""

    definition: qn.Questionnaire | None
    problems: list[qn.Problem] = field(default_factory=list)

    def for_item(self, code: str | None) -> list[qn.Problem]:
        return [p for p in self.problems if p.item == code]

    def general(self, codes: set[str]) -> list[qn.Problem]:
        return [p for p in self.problems if p.item is None or p.item not in codes]

    def by_field(self, code: str, lang: str = "vi") -> dict[str, list[str]]:
        """Problems of one item keyed by the editor's field name, for display beside it."""
        out: dict[str, list[str]] = {}
        for problem in self.for_item(code):
            out.setdefault(field_of(problem), []).append(problem.message(lang))
        return out


def field_of(problem: qn.Problem) -> str:
    """The editor field a problem concerns (``item`` when it is about the item as a whole)."""
    name = problem.code.name
    if name.startswith("SHOW_IF"):
        return "show_if"
    key = str(problem.params.get("key", ""))
    if key in ("label", "help"):
        return f"{key}_vi"
    if key in ("choices", "min", "max", "max_length", "element", "overall", "respondent_type",
               "demographic", "no_answer", "code", "type"):
        return key
    mapping = {"TOO_FEW_CHOICES": "choices", "DUPLICATE_CHOICE_CODE": "choices",
               "BAD_CODE": "code", "DUPLICATE_ITEM_CODE": "code", "UNKNOWN_TYPE": "type",
               "UNKNOWN_ELEMENT": "element", "MIN_GREATER_THAN_MAX": "min",
               "RESPONDENT_TYPE_CHOICES": "respondent_type"}
    return mapping.get(name, "item")


@lru_cache(maxsize=1)
def builtin_templates() -> dict[str, qn.Questionnaire]:
    """The built-in questionnaires; files in the package, read once per process."""
    return qn.load_builtins()


def check(draft: dict | None, name: str = "draft") -> Checked:
    """The draft validated like a file, with its service areas checked against the database."""
    try:
        return Checked(qn.from_dict(draft, filename=name, service_areas=service_areas.codes()))
    except qn.DefinitionError as error:
        return Checked(None, list(error.problems))


# --- storing ---------------------------------------------------------------------------------


def get_row(code: str) -> Questionnaire:
    row = db.session.execute(db.select(Questionnaire).filter_by(code=code)).scalar_one_or_none()
    if row is None:
        raise DesignError(f"no questionnaire {code!r}")
    return row


def store(row: Questionnaire, draft: dict, actor: str, action: str,
          old: object = None, new: object = None) -> Checked:
    """Keep the draft as written, validate it, and audit the change with what changed."""
    checked = check(draft, f"{row.code} (draft)")
    row.draft = draft
    title = draft.get("title") if isinstance(draft.get("title"), dict) else {}
    row.title_vi = str(title.get("vi") or row.title_vi or row.code)[:300]
    row.title_en = str(title.get("en") or "")[:300]
    if checked.definition is not None:
        row.kind = checked.definition.kind
        # normalised so the hash equals the one `publish` compares with
        row.draft = qn.to_dict(checked.definition)
        row.draft_hash = qn.content_hash(checked.definition)
    else:
        row.draft_hash = None
    audit.record(actor, action, "questionnaire", row.code,
                 old=None if old is None else {"value": old},
                 new=None if new is None else {"value": new})
    db.session.flush()
    return checked


def blank(code: str, kind: str, title_vi: str, title_en: str) -> dict:
    title = {"vi": title_vi, "en": title_en} if title_en else {"vi": title_vi}
    return {"code": code, "kind": kind, "title": title,
            "sections": [{"code": "main", "title": {"vi": "Câu hỏi", "en": "Questions"},
                          "items": []}]}


def create(code: str, kind: str, title_vi: str, title_en: str, template: str | None,
           actor: str, service_area: str | None = None) -> Questionnaire:
    """A new questionnaire from a built-in template (its items and service areas copied) or
    from nothing; `service_area`, when given, is the one service its answers count in."""
    if db.session.execute(db.select(Questionnaire.id).filter_by(code=code)).first():
        raise DesignError(f"the code {code!r} is already used")
    draft = blank(code, kind, title_vi, title_en)
    if template:
        builtins = builtin_templates()
        if template not in builtins:
            raise DesignError(f"unknown template {template!r}")
        source = qn.to_dict(builtins[template])
        draft.update(kind=source["kind"], sections=source["sections"])
        if "intro" in source:
            draft["intro"] = source["intro"]
        if "service_areas" in source:  # else its answers would count in no service trend
            draft["service_areas"] = source["service_areas"]
    if service_area:
        draft["service_areas"] = [service_area]
    row = Questionnaire(code=code, kind=draft["kind"], title_vi=title_vi or code, status="draft")
    db.session.add(row)
    store(row, draft, actor, "create", new={"template": template, "title": draft["title"],
                                            "service_areas": draft.get("service_areas")})
    return row


def clone(code: str, new_code: str, actor: str) -> Questionnaire:
    """A new questionnaire starting from another's draft (or its latest version)."""
    source = get_row(code)
    data = copy.deepcopy(source.draft or (source.versions[-1].definition if source.versions
                                          else None))
    if data is None:
        raise DesignError(f"{code} has nothing to copy")
    if db.session.execute(db.select(Questionnaire.id).filter_by(code=new_code)).first():
        raise DesignError(f"the code {new_code!r} is already used")
    data["code"] = new_code
    row = Questionnaire(code=new_code, kind=source.kind, title_vi=source.title_vi,
                        status="draft")
    db.session.add(row)
    store(row, data, actor, "clone", new={"from": code})
    return row


def set_status(code: str, status: str, actor: str) -> Questionnaire:
    """Retire (no new kiosks or posters use it; answers stay) or bring back a questionnaire."""
    row = get_row(code)
    if status == "active" and not row.versions:
        raise DesignError(f"{code} has no published version")
    old, row.status = row.status, status
    audit.record(actor, "retire" if status == "retired" else "reactivate", "questionnaire",
                 code, old={"status": old}, new={"status": status})
    db.session.flush()
    return row
