"""Rules between two versions of a questionnaire (the database stores the versions).

docs/METHODOLOGY.md §8: a trend compares items by code and scale. An item that keeps its code and
its scale (type and choice codes) is the same question: a wording revision of its text (a typo,
punctuation, a clearer phrase) is recorded with the old and new text and the trend goes on as
one line. A change of type or choice codes under the same code is refused: a change of meaning
or scale needs a new code, and the trend then shows a break.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from .messages import Message, Problem
from .model import Choice, Condition, Item, Questionnaire, Text

_VI = {"type": "kiểu câu hỏi", "choices": "mã các lựa chọn"}
_COMPARED = tuple(f.name for f in fields(Item) if f.compare and f.name != "code")
# the texts a wording revision may change without changing what is measured
WORDING_FIELDS = ("label.vi", "label.en", "help.vi", "help.en", "choices.label")


@dataclass(frozen=True)
class FieldChange:
    """One changed field with its old and new value as text (``—`` for none)."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class ItemChange:
    code: str
    fields: tuple[str, ...]  # names of the Item fields that differ
    changes: tuple[FieldChange, ...] = ()  # each differing text, old → new

    @property
    def reworded(self) -> bool:
        return any(c.field in WORDING_FIELDS for c in self.changes)

    @property
    def scale_changed(self) -> bool:
        """Type or choice codes differ: not the same question (refused under one code)."""
        return any(c.field in ("type", "choices") for c in self.changes)


@dataclass(frozen=True)
class Diff:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[ItemChange, ...] = ()
    meta: tuple[FieldChange, ...] = ()  # title, introduction, service areas

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.meta)

    @property
    def wording_revisions(self) -> tuple[ItemChange, ...]:
        """Kept codes whose text changed but whose scale did not (docs/METHODOLOGY.md §8)."""
        return tuple(c for c in self.changed if c.reworded and not c.scale_changed)


def _text(value: object) -> str:
    """A field value as an author reads it."""
    if value is None or value == () or value == "":
        return "—"
    if isinstance(value, Text):
        return value.vi if value.en is None else f"{value.vi} / {value.en}"
    if isinstance(value, Condition):
        if value.item is not None:
            return f"{value.item} {value.op} {value.value!r}"
        return f" {value.op} ".join(f"({_text(c)})" for c in value.conditions)
    if isinstance(value, tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _texts(name: str, old: Text | None, new: Text | None) -> list[FieldChange]:
    out = []
    for lang in ("vi", "en"):
        before = getattr(old, lang) if old is not None else None
        after = getattr(new, lang) if new is not None else None
        if before != after:
            out.append(FieldChange(f"{name}.{lang}", before or "—", after or "—"))
    return out


def _choices(old: tuple[Choice, ...], new: tuple[Choice, ...]) -> list[FieldChange]:
    if {c.code for c in old} != {c.code for c in new}:
        return [FieldChange("choices", _choice_list(old), _choice_list(new))]
    before = {c.code: c.label for c in old}
    out = [FieldChange("choices.label", f"{c.code}: {_text(before[c.code])}",
                       f"{c.code}: {_text(c.label)}")
           for c in new if before[c.code] != c.label]
    if [c.code for c in old] != [c.code for c in new]:
        out.append(FieldChange("choices.order", ", ".join(c.code for c in old),
                               ", ".join(c.code for c in new)))
    return out


def _choice_list(choices: tuple[Choice, ...]) -> str:
    return "; ".join(f"{c.code}: {_text(c.label)}" for c in choices) or "—"


def field_changes(old: Item, new: Item) -> tuple[FieldChange, ...]:
    """Every differing field of two items with its old and new text."""
    out: list[FieldChange] = []
    for name in _COMPARED:
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        if name in ("label", "help"):
            out.extend(_texts(name, before, after))
        elif name == "choices":
            out.extend(_choices(before, after))
        else:
            out.append(FieldChange(name, _text(before), _text(after)))
    return tuple(out)


def _meta(old: Questionnaire, new: Questionnaire) -> tuple[FieldChange, ...]:
    out = _texts("title", old.title, new.title) + _texts("intro", old.intro, new.intro)
    if old.service_areas != new.service_areas:
        out.append(FieldChange("service_areas", _text(old.service_areas),
                               _text(new.service_areas)))
    return tuple(out)


def diff(old: Questionnaire, new: Questionnaire) -> Diff:
    """Items added, removed and changed (each field old → new), in questionnaire order."""
    old_items = {i.code: i for i in old.items}
    new_items = {i.code: i for i in new.items}
    changed = []
    for item in new.items:
        before = old_items.get(item.code)
        if before is not None and before != item:
            names = tuple(n for n in _COMPARED if getattr(before, n) != getattr(item, n))
            changed.append(ItemChange(item.code, names, field_changes(before, item)))
    return Diff(
        added=tuple(c for c in new_items if c not in old_items),
        removed=tuple(c for c in old_items if c not in new_items),
        changed=tuple(changed),
        meta=_meta(old, new),
    )


def _scale_changes(old: Item, new: Item) -> list[str]:
    changes = []
    if old.type != new.type:
        changes.append("type")
    # choice order and wording are presentation; the set of codes is the scale
    if set(old.choice_codes) != set(new.choice_codes):
        changes.append("choices")
    return changes


def wording_revisions(old: Questionnaire, new: Questionnaire) -> tuple[ItemChange, ...]:
    """Kept codes whose text changed but whose scale did not: comparable, recorded as such."""
    return diff(old, new).wording_revisions


def unconfirmed_rewordings(old: Questionnaire, new: Questionnaire) -> list[Problem]:
    """One ITEM_REWORDED problem per kept code whose Vietnamese wording changed.

    Only the author knows whether new words keep the meaning (docs/METHODOLOGY.md §8), so a
    publisher that cannot ask (the command line) refuses these until told "wording only".
    """
    problems = []
    for change in diff(old, new).wording_revisions:
        texts = [f for f in change.changes if f.field in ("label.vi", "choices.label")]
        if not texts:
            continue
        src = new.item(change.code).source
        problems.append(Problem(
            Message.ITEM_REWORDED, src.file if src else new.code, src.line if src else None,
            src.column if src else None, change.code,
            {"fields": ", ".join(f.field for f in texts), "old": texts[0].old,
             "new": texts[0].new}))
    return problems


def incompatible_changes(old: Questionnaire, new: Questionnaire) -> list[Problem]:
    """One ITEM_MEANING_CHANGED problem per kept code whose type or choice codes changed."""
    old_items = {i.code: i for i in old.items}
    problems = []
    for item in new.items:
        before = old_items.get(item.code)
        changes = _scale_changes(before, item) if before is not None else []
        if changes:
            src = item.source
            problems.append(Problem(
                Message.ITEM_MEANING_CHANGED, src.file if src else new.code,
                src.line if src else None, src.column if src else None, item.code,
                {"fields": ", ".join(changes),
                 "fields_vi": ", ".join(_VI[c] for c in changes)}))
    return problems
