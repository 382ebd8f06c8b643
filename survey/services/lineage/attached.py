"""What is attached to a unit moves with it when the unit ends (issue #19): its desks (and so
the printed posters that name them), kiosks, unused dossier receipt codes, web links, the staff
accounts and API keys scoped to it.

Where they go: a merge's successor; a split's `carry_to` successor, by default the one with the
largest share; an abolition's `carry_to`, by default nowhere, and then the citizen pages refuse
the unit's kiosk, poster, link and receipt codes with the day it ended (`tokens.unit_gone`).
Only a unit that ends moves anything: a split that keeps a part, a rename or a move leave
everything where it is. Each moved thing is audited ("carry").

A moved desk takes the code ``OLDUNIT.CODE`` so a poster printed for the old unit still finds
it (`moved_desk`), and it can never clash with a desk the successor already has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from survey.extensions import db
from survey.models import (
    ApiKey,
    Desk,
    DossierToken,
    Kiosk,
    Unit,
    UnitEvent,
    User,
    WebLink,
)
from survey.services import audit
from survey.services.lineage.dates import local_today

ENDING_KINDS = ("merge", "split", "abolish")
DESK_CODE_MOST = 40


@dataclass(slots=True)
class Carried:
    """What one event moved, by kind of thing, and where to (None: nowhere)."""

    target: str | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def default_target(event: UnitEvent) -> Unit | None:
    """Where an ending event sends the unit's things when nobody chose: a merge's successor,
    a split's largest share (ties: the first code), an abolition nowhere."""
    if event.kind not in ENDING_KINDS or not event.successors:
        return None
    return sorted(event.successors, key=lambda s: (-s.share, s.unit.code))[0].unit


def carry(event: UnitEvent, target: Unit | None, actor: str) -> Carried:
    """Move what is attached to `event.unit` to `target` (None: the default) and audit it."""
    unit = event.unit
    if event.kind not in ENDING_KINDS or any(s.unit is unit for s in event.successors):
        return Carried(None)  # the unit goes on: everything stays with it
    target = target or default_target(event)
    if target is None:
        return Carried(None)
    carried = Carried(target.code)
    key = {"event": f"{event.kind} {event.effective.isoformat()}"}

    def moved(kind: str, what: str, old: dict | None = None, new: dict | None = None) -> None:
        carried.counts[kind] = carried.counts.get(kind, 0) + 1
        audit.record(actor, "carry", kind, what, old={"unit": unit.code, **(old or {})},
                     new={"unit": target.code, **(new or {}), **key})

    for desk in _rows(Desk, unit):
        old_code = desk.code
        desk.code = _free_desk_code(target, moved_desk_code(unit.code, old_code))
        desk.unit = target
        moved("desk", f"{unit.code}/{old_code}", {"code": old_code}, {"code": desk.code})
    for kiosk in _rows(Kiosk, unit, Kiosk.revoked_at.is_(None)):
        kiosk.unit = target
        moved("kiosk", str(kiosk.id))
    for link in _rows(WebLink, unit, WebLink.revoked_at.is_(None)):
        link.unit = target
        moved("web_link", str(link.id))
    for token in _rows(DossierToken, unit, DossierToken.used_at.is_(None),
                       DossierToken.revoked_at.is_(None)):
        token.unit = target
        moved("dossier_token", token.dossier_code)
    for user in _rows(User, unit):
        user.unit = target
        moved("user", user.username)
    for key_row in _rows(ApiKey, unit, ApiKey.revoked_at.is_(None)):
        key_row.unit = target
        moved("api_key", key_row.name)
    db.session.flush()
    return carried


def _rows(model, unit: Unit, *conditions) -> list:
    return list(db.session.execute(
        db.select(model).where(model.unit_id == unit.id, *conditions)).scalars())


def moved_desk_code(unit_code: str, desk_code: str) -> str:
    return f"{unit_code}.{desk_code}"[:DESK_CODE_MOST]


def _free_desk_code(target: Unit, code: str) -> str:
    taken = set(db.session.execute(
        db.select(Desk.code).where(Desk.unit_id == target.id)).scalars())
    candidate, number = code, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = code[:DESK_CODE_MOST - len(suffix)] + suffix
    return candidate


def follow_desk(unit: Unit, desk_code: str, today: date | None = None) -> tuple[Unit, str]:
    """Where a poster printed for (`unit`, `desk_code`) points now: the desk followed through
    every unit that ended since, as far as it was carried (the unit returned may have ended
    too, when the desk went nowhere)."""
    today = today or local_today()
    seen: set[int] = set()
    while unit.valid_to is not None and unit.valid_to <= today and unit.id not in seen:
        seen.add(unit.id)
        desk = db.session.execute(
            db.select(Desk).filter_by(code=moved_desk_code(unit.code, desk_code))
            .order_by(Desk.id).limit(1)).scalar_one_or_none()
        if desk is None:
            break
        unit, desk_code = desk.unit, desk.code
    return unit, desk_code


def chosen_target(event: UnitEvent) -> Unit | None:
    """The `carry_to` chosen when the event was recorded, or None (the default applies).

    The choice is kept in the event's own audit entry (`events._new_values` writes it there):
    it is the record of what the decision said, and it needs no column of its own for the
    months between recording an event ahead of its day and that day."""
    from survey.models import AuditEntry

    entries = db.session.execute(
        db.select(AuditEntry)
        .filter_by(action=event.kind, entity_type="unit", entity_key=event.unit.code)
        .order_by(AuditEntry.id.desc())).scalars()
    for entry in entries:
        values = entry.new_values or {}
        if values.get("effective") == event.effective.isoformat():
            # the newest entry of this event: an undone and re-recorded event chose anew
            code = values.get("carry_to") or ""
            if not code:
                return None
            return db.session.execute(db.select(Unit).filter_by(code=code)).scalar_one_or_none()
    return None


def due_target(event: UnitEvent) -> Unit | None:
    """Where the unit's things go when the event comes into effect: the recorded choice, else
    the default (`default_target`); None: nowhere (an abolition without `carry_to`)."""
    if event.kind not in ENDING_KINDS or any(s.unit is event.unit for s in event.successors):
        return None
    return chosen_target(event) or default_target(event)


def carry_due(actor: str, today: date | None = None) -> list[Carried]:
    """Carry the things of units whose end has come since their event was recorded (an event
    recorded ahead of its day moves nothing until then, and then goes where it was recorded
    to go: `due_target`): run daily, and by every recording."""
    today = today or local_today()
    held = set()
    for model, *conditions in ((Desk,), (Kiosk, Kiosk.revoked_at.is_(None)),
                               (WebLink, WebLink.revoked_at.is_(None)),
                               (DossierToken, DossierToken.used_at.is_(None),
                                DossierToken.revoked_at.is_(None)),
                               (User,), (ApiKey, ApiKey.revoked_at.is_(None))):
        held.update(db.session.execute(
            db.select(model.unit_id).join(Unit, Unit.id == model.unit_id)
            .where(Unit.valid_to.is_not(None), Unit.valid_to <= today, *conditions)
        ).scalars())
    done = []
    for unit_id in sorted(held):
        event = db.session.execute(
            db.select(UnitEvent).where(UnitEvent.unit_id == unit_id,
                                       UnitEvent.kind.in_(ENDING_KINDS))
            .order_by(UnitEvent.effective.desc()).limit(1)).scalar_one_or_none()
        if event is not None and event.effective <= today:
            result = carry(event, chosen_target(event), actor)
            if result.total:
                done.append(result)
    return done


def carry_back(event: UnitEvent, actor: str) -> int:
    """Undo what `carry` moved for `event` (a mistaken event is undone): each thing its audit
    entries name that is still at the unit it went to goes back; how many went back."""
    from survey.models import AuditEntry

    unit, key = event.unit, f"{event.kind} {event.effective.isoformat()}"
    entries = [e for e in db.session.execute(
        db.select(AuditEntry).filter_by(action="carry").order_by(AuditEntry.id.desc())
    ).scalars() if (e.old_values or {}).get("unit") == unit.code
        and (e.new_values or {}).get("event") == key]
    back = 0
    for entry in entries:
        target = entry.new_values["unit"]
        row = _carried_row(entry, target)
        if row is None:
            continue  # gone on since, or deleted: left where it is
        if entry.entity_type == "desk":
            old_code = entry.old_values.get("code", row.code)
            taken = db.session.execute(db.select(Desk.id).filter_by(
                unit_id=unit.id, code=old_code)).first()
            row.code = row.code if taken else old_code
        row.unit = unit
        back += 1
        audit.record(actor, "carry", entry.entity_type, entry.entity_key,
                     old={"unit": target}, new={"unit": unit.code, "event": f"undo {key}"})
    db.session.flush()
    return back


def _carried_row(entry, target_code: str):
    """The row an audit entry of `carry` names, if it is still at `target_code`."""
    kind, key = entry.entity_type, entry.entity_key
    at_target = Unit.code == target_code
    if kind == "desk":
        query = db.select(Desk).join(Unit, Desk.unit_id == Unit.id).where(
            at_target, Desk.code == entry.new_values.get("code"))
    elif kind in ("kiosk", "web_link"):
        model = Kiosk if kind == "kiosk" else WebLink
        if not key.isdigit():
            return None
        query = db.select(model).join(Unit, model.unit_id == Unit.id).where(
            at_target, model.id == int(key))
    elif kind == "dossier_token":
        query = db.select(DossierToken).join(Unit, DossierToken.unit_id == Unit.id).where(
            at_target, DossierToken.dossier_code == key, DossierToken.used_at.is_(None),
            DossierToken.revoked_at.is_(None))
    elif kind == "user":
        query = db.select(User).join(Unit, User.unit_id == Unit.id).where(
            at_target, User.username == key)
    elif kind == "api_key":
        query = db.select(ApiKey).join(Unit, ApiKey.unit_id == Unit.id).where(
            at_target, ApiKey.name == key)
    else:
        return None
    return db.session.execute(query.limit(1)).scalar_one_or_none()
