"""Undoing a mistaken event: only a unit's latest one, so the unit's state before it is known
(its end, its names and parent are kept in the event; what moved with it, in the audit log).
The event is deleted, the unit restored, the things carried brought back, and all audited."""

from __future__ import annotations

from dataclasses import dataclass

from survey.extensions import db
from survey.models import Unit, UnitEvent
from survey.services import audit
from survey.services.lineage import attached
from survey.services.lineage.dates import day_text
from survey.services.lineage.events import ENDING_KINDS, EventError
from survey.services.units import _refresh_paths


@dataclass(frozen=True, slots=True)
class Undone:
    kind: str
    effective: str  # dd/mm/yyyy
    brought_back: int


def undo_last_event(unit_code: str, actor: str) -> Undone:
    """Undo the unit's latest event; EventError("unit", ...) when it has none, or when undoing
    a move would put the unit under its own sub-unit."""
    unit = db.session.execute(db.select(Unit).filter_by(code=unit_code)).scalar_one_or_none()
    if unit is None:
        raise EventError("unit", "unknown_unit", code=unit_code)
    event = db.session.execute(
        db.select(UnitEvent).filter_by(unit_id=unit.id)
        .order_by(UnitEvent.effective.desc(), UnitEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    if event is None:
        raise EventError("unit", "nothing_to_undo", code=unit.code)
    old = {"effective": event.effective.isoformat(), "decision_number": event.decision_number}
    brought_back = 0
    if event.kind in ENDING_KINDS:
        brought_back = attached.carry_back(event, actor)
        if unit.valid_to == event.effective:
            unit.valid_to = None
    elif event.kind == "rename":
        unit.name_vi, unit.name_en = event.old_name_vi, event.old_name_en
    elif event.kind == "move":
        parent = event.old_parent
        if parent is not None and (parent is unit or parent.path.startswith(unit.path)):
            raise EventError("unit", "cycle", code=unit.code, parent=parent.code)
        subtree = list(db.session.execute(
            db.select(Unit).where(Unit.path.startswith(unit.path, autoescape=True))).scalars())
        unit.parent = parent
        _refresh_paths(subtree)
    db.session.delete(event)
    db.session.flush()
    audit.record(actor, "undo", "unit", unit.code, old={"event": event.kind, **old})
    return Undone(event.kind, day_text(event.effective), brought_back)
