"""Registering kiosks, switching them off, and re-issuing their links (all audited)."""

from __future__ import annotations

from survey.extensions import db
from survey.models import Desk, Kiosk, Questionnaire, Unit, now_utc
from survey.services import audit, tokens


class KioskRequestInvalid(ValueError):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def _within(unit: Unit, scope: Unit | None) -> bool:
    return scope is None or unit.path.startswith(scope.path)


def unit_and_questionnaire(unit_code: str, questionnaire_code: str, scope: Unit | None,
                           errors: dict[str, str]) -> tuple[Unit | None, Questionnaire | None]:
    """The unit (inside `scope`) and the published questionnaire a kiosk or link serves."""
    unit = db.session.execute(db.select(Unit).filter_by(code=unit_code)).scalar_one_or_none()
    if unit is None or not _within(unit, scope):
        errors["unit"] = f"unknown unit {unit_code!r}"
    questionnaire = db.session.execute(
        db.select(Questionnaire).filter_by(code=questionnaire_code)).scalar_one_or_none()
    if questionnaire is None or not questionnaire.versions:
        errors["questionnaire"] = f"no published questionnaire {questionnaire_code!r}"
    return unit, questionnaire


def create_kiosk(name: str, unit_code: str, desk_code: str | None, questionnaire_code: str,
                 actor: str, scope: Unit | None = None) -> Kiosk:
    errors: dict[str, str] = {}
    unit, questionnaire = unit_and_questionnaire(unit_code, questionnaire_code, scope, errors)
    desk = None
    if unit is not None and desk_code:
        desk = db.session.execute(
            db.select(Desk).filter_by(unit_id=unit.id, code=desk_code)).scalar_one_or_none()
        if desk is None:
            errors["desk"] = f"the unit has no desk {desk_code!r}"
    if not name.strip():
        errors["name"] = "the kiosk needs a name"
    if errors:
        raise KioskRequestInvalid(errors)
    kiosk = Kiosk(name=name.strip(), unit=unit, desk=desk, questionnaire=questionnaire,
                  token_nonce=tokens.new_kiosk_nonce())
    db.session.add(kiosk)
    db.session.flush()
    audit.record(actor, "create", "kiosk", str(kiosk.id),
                 new={"name": kiosk.name, "unit": unit_code, "desk": desk_code,
                      "questionnaire": questionnaire_code})
    return kiosk


def _kiosk(kiosk_id: int, scope: Unit | None) -> Kiosk:
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None or not _within(kiosk.unit, scope):
        raise KioskRequestInvalid({"kiosk": f"no kiosk {kiosk_id}"})
    return kiosk


def revoke_kiosk(kiosk_id: int, actor: str, scope: Unit | None = None) -> Kiosk:
    """Switch a kiosk off: its link stops working at once."""
    kiosk = _kiosk(kiosk_id, scope)
    if kiosk.revoked_at is None:
        kiosk.revoked_at = now_utc()
        audit.record(actor, "revoke", "kiosk", str(kiosk.id))
    db.session.flush()
    return kiosk


def reissue_kiosk(kiosk_id: int, actor: str, scope: Unit | None = None) -> Kiosk:
    """A new link for the kiosk (the old printed or bookmarked one stops working)."""
    kiosk = _kiosk(kiosk_id, scope)
    kiosk.token_nonce = tokens.new_kiosk_nonce()
    kiosk.revoked_at = None
    audit.record(actor, "reissue", "kiosk", str(kiosk.id))
    db.session.flush()
    return kiosk
