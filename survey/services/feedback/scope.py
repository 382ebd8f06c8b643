"""Which feedback cases an officer's unit sees (issue #19): the cases of the units under it,
and those of the units that ended and whose history went, at least in part, to one of them.

A case stays under the unit that handled the service (its record is not rewritten when a
commune merges); the officers of the successor answer it. After a merge the new commune sees
its predecessors' cases, after a split each successor sees the old commune's cases (the
lineage's contributors, docs/METHODOLOGY.md §10), so none is left without an officer.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select, true

from survey.extensions import db
from survey.models import Unit, UnitEvent


def predecessors(scope: Unit) -> list[int]:
    """Ids of the ended units outside `scope`'s subtree whose history goes to a unit that
    exists today inside it (none without unit events)."""
    if db.session.execute(db.select(UnitEvent.id).limit(1)).first() is None:
        return []
    from survey.services.lineage.store import load_lineage

    lineage = load_lineage()
    inside = set(db.session.execute(select(Unit.id).where(
        Unit.path.startswith(scope.path, autoescape=True))).scalars())
    found: set[int] = set()
    contributors = lineage.contributors_map()
    for uid in inside:
        if lineage.is_today(uid):
            found |= contributors.get(uid, set())
    return sorted(found - inside)


def unit_condition(column, scope: Unit | None):
    """A condition on a unit-id column: the unit lies under `scope` or is one of its
    predecessors (None: every unit)."""
    if scope is None:
        return true()
    subtree = select(Unit.id).where(Unit.path.startswith(scope.path, autoescape=True))
    ended = predecessors(scope)
    if not ended:
        return column.in_(subtree)
    return or_(column.in_(subtree), column.in_(ended))


def answering_unit(unit: Unit, today: date | None = None) -> Unit:
    """The unit whose officers answer `unit`'s cases today: the unit itself while it exists,
    else where its officers were carried when it ended (`attached.due_target`: a merge's
    successor, a split's chosen or largest share), followed through later ends. A unit that
    ended with nowhere to go answers for itself (its cases stay with those who see it)."""
    from survey.services.lineage.attached import ENDING_KINDS, due_target
    from survey.services.lineage.dates import local_today

    today = today or local_today()
    seen: set[int] = set()
    while unit.valid_to is not None and unit.valid_to <= today and unit.id not in seen:
        seen.add(unit.id)
        event = db.session.execute(
            db.select(UnitEvent).where(UnitEvent.unit_id == unit.id,
                                       UnitEvent.kind.in_(ENDING_KINDS))
            .order_by(UnitEvent.effective.desc()).limit(1)).scalar_one_or_none()
        target = due_target(event) if event is not None else None
        if target is None:
            break
        unit = target
    return unit
