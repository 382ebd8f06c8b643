"""One-stop desks and which questionnaire each kiosk shows. Audited.

Registering, revoking and printing kiosks is the collection pages' job (`collect.kiosks`);
here a designer or officer only points an existing kiosk at a published questionnaire.
"""

from __future__ import annotations

from survey.extensions import db
from survey.models import Desk, Kiosk, Questionnaire, Unit
from survey.services import audit
from survey.services.kiosks import kiosk_refusal


class DeskError(ValueError):
    pass


def _in_scope(unit: Unit, scope: Unit | None) -> None:
    if scope is not None and not unit.path.startswith(scope.path):
        raise DeskError("outside your unit")


def desks(scope: Unit | None = None) -> list[Desk]:
    query = db.select(Desk).join(Unit).order_by(Unit.path, Desk.code)
    if scope is not None:
        query = query.where(Unit.path.startswith(scope.path))
    return list(db.session.execute(query).scalars())


def kiosks(scope: Unit | None = None) -> list[Kiosk]:
    query = db.select(Kiosk).join(Unit).order_by(Unit.path, Kiosk.name)
    if scope is not None:
        query = query.where(Unit.path.startswith(scope.path))
    return list(db.session.execute(query).scalars())


def save_desk(unit_code: str, code: str, name_vi: str, name_en: str, actor: str,
              scope: Unit | None = None) -> Desk:
    """Create the desk ``code`` of the unit, or rename it."""
    unit = db.session.execute(db.select(Unit).filter_by(code=unit_code)).scalar_one_or_none()
    if unit is None:
        raise DeskError(f"unknown unit {unit_code!r}")
    _in_scope(unit, scope)
    desk = db.session.execute(
        db.select(Desk).filter_by(unit_id=unit.id, code=code)).scalar_one_or_none()
    new = {"name_vi": name_vi, "name_en": name_en}
    if desk is None:
        desk = Desk(unit=unit, code=code, **new)
        db.session.add(desk)
        audit.record(actor, "create", "desk", f"{unit_code}/{code}", new=new)
    else:
        old = {"name_vi": desk.name_vi, "name_en": desk.name_en}
        desk.name_vi, desk.name_en = name_vi, name_en
        if old != new:
            audit.record(actor, "update", "desk", f"{unit_code}/{code}", old=old, new=new)
    db.session.flush()
    return desk


def assign(kiosk_id: int, questionnaire_code: str, actor: str,
           scope: Unit | None = None) -> Kiosk:
    """Show a published, not retired questionnaire on the kiosk from its next citizen on."""
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise DeskError(f"no kiosk {kiosk_id}")
    _in_scope(kiosk.unit, scope)
    row = db.session.execute(
        db.select(Questionnaire).filter_by(code=questionnaire_code)).scalar_one_or_none()
    if row is None or not row.versions or row.status == "retired":
        raise DeskError(f"{questionnaire_code!r} is not a published, current questionnaire")
    if (refusal := kiosk_refusal(row)) is not None:
        raise DeskError(refusal)
    old = kiosk.questionnaire.code
    if old != row.code:
        kiosk.questionnaire = row
        audit.record(actor, "assign", "kiosk", str(kiosk.id),
                     old={"questionnaire": old}, new={"questionnaire": row.code})
    db.session.flush()
    return kiosk
