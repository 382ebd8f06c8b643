"""Old unit codes in files brought in after a reform (issue #19): a code of a unit that ended
whole into one unit that exists today (a merge, or a chain of them) names that unit; a code of
a unit that was split stays the old unit's, as recorded (which part a dossier belongs to is
not known from the code, and the reports spread such rows by the split's shares)."""

from __future__ import annotations

from datetime import timedelta

from survey.extensions import db
from survey.models import Unit, UnitEvent
from survey.services.lineage.graph import EPSILON


def today_codes() -> dict[str, str]:
    """Old code -> today's code, for the units that ended whole into one unit of today."""
    if db.session.execute(db.select(UnitEvent.id).limit(1)).first() is None:
        return {}
    from survey.services.lineage.store import load_lineage

    lineage = load_lineage()
    codes = dict(db.session.execute(db.select(Unit.id, Unit.code)).all())
    found = {}
    for unit in lineage.units.values():
        if unit.valid_to is None:
            continue
        shares = lineage.attribute(unit.id, unit.valid_to - timedelta(days=1)).shares
        if len(shares) == 1:
            (target, share), = shares.items()
            if abs(share - 1) <= EPSILON and lineage.is_today(target) and target != unit.id:
                found[codes[unit.id]] = codes[target]
    return found
