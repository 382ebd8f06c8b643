"""Rules between two versions of a questionnaire (the database stores the versions).

METHODOLOGY §8: a trend compares items by code, so an item that keeps its code must keep its
meaning. Changing its type, its choices or its Vietnamese wording needs a new code.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from .messages import Message, Problem
from .model import Item, Questionnaire

_VI = {"type": "kiểu câu hỏi", "choices": "các lựa chọn", "Vietnamese label": "nội dung tiếng Việt"}
_COMPARED = tuple(f.name for f in fields(Item) if f.compare and f.name != "code")


@dataclass(frozen=True)
class ItemChange:
    code: str
    fields: tuple[str, ...]  # names of the Item fields that differ


@dataclass(frozen=True)
class Diff:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[ItemChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff(old: Questionnaire, new: Questionnaire) -> Diff:
    """Items added, removed and changed (with the changed fields), in questionnaire order."""
    old_items = {i.code: i for i in old.items}
    new_items = {i.code: i for i in new.items}
    changed = []
    for item in new.items:
        before = old_items.get(item.code)
        if before is not None and before != item:
            names = tuple(n for n in _COMPARED if getattr(before, n) != getattr(item, n))
            changed.append(ItemChange(item.code, names))
    return Diff(
        added=tuple(c for c in new_items if c not in old_items),
        removed=tuple(c for c in old_items if c not in new_items),
        changed=tuple(changed),
    )


def _meaning_changes(old: Item, new: Item) -> list[str]:
    changes = []
    if old.type != new.type:
        changes.append("type")
    # choice order is presentation; the set of codes and their wording is the scale
    if {c.code: c.label.vi for c in old.choices} != {c.code: c.label.vi for c in new.choices}:
        changes.append("choices")
    if old.label.vi != new.label.vi:
        changes.append("Vietnamese label")
    return changes


def incompatible_changes(old: Questionnaire, new: Questionnaire) -> list[Problem]:
    """One ITEM_MEANING_CHANGED problem per kept code whose type, choices or vi label changed."""
    old_items = {i.code: i for i in old.items}
    problems = []
    for item in new.items:
        before = old_items.get(item.code)
        changes = _meaning_changes(before, item) if before is not None else []
        if changes:
            src = item.source
            problems.append(Problem(
                Message.ITEM_MEANING_CHANGED, src.file if src else new.code,
                src.line if src else None, src.column if src else None, item.code,
                {"fields": ", ".join(changes),
                 "fields_vi": ", ".join(_VI[c] for c in changes)}))
    return problems
