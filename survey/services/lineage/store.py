"""The lineage as the database holds it (units and their events), for the reports."""

from __future__ import annotations

from survey.extensions import db
from survey.models import Unit, UnitEvent, UnitEventSuccessor
from survey.services.lineage.graph import EventRow, Lineage, UnitRow


def load_lineage() -> Lineage:
    """Every unit and event: a province holds hundreds of units and at most a few thousand
    events, so reading them all is cheaper than asking for the ones a report needs."""
    units = [UnitRow(uid, parent, start, end) for uid, parent, start, end in db.session.execute(
        db.select(Unit.id, Unit.parent_id, Unit.valid_from, Unit.valid_to))]
    successors: dict[int, list[tuple[int, float]]] = {}
    for event_id, unit_id, share in db.session.execute(
            db.select(UnitEventSuccessor.event_id, UnitEventSuccessor.unit_id,
                      UnitEventSuccessor.share)):
        successors.setdefault(event_id, []).append((unit_id, float(share)))
    events = [
        EventRow(unit_id, kind, effective, tuple(sorted(successors.get(eid, ()))), old, new)
        for eid, unit_id, kind, effective, old, new in db.session.execute(
            db.select(UnitEvent.id, UnitEvent.unit_id, UnitEvent.kind, UnitEvent.effective,
                      UnitEvent.old_parent_id, UnitEvent.new_parent_id))
    ]
    return Lineage(units, events)
