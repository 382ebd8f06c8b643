"""Registering kiosks, switching them off, and re-issuing their links (all audited)."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.extensions import db
from survey.models import Desk, Kiosk, Questionnaire, Unit, now_utc
from survey.services import audit, tokens
from survey.services import questionnaires as qservice

# A kiosk asks one question per screen of someone standing at a desk: past this many
# questions people walk away mid-way. Its first question (the faces) is stored at the first
# tap and everything after it is optional, so no later question may be required.
KIOSK_MAX_ITEMS = 8
FACE_SCALES = ("likert5", "rating3")
MAX_MIN_INTERVAL = 3600


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
    else:
        try:  # its kiosk or link could never be answered
            tokens.unit_gone(unit)
        except tokens.TokenRefused as refused:
            errors["unit"] = str(refused)
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
    if questionnaire is not None and "questionnaire" not in errors:
        if (refusal := kiosk_refusal(questionnaire)) is not None:
            errors["questionnaire"] = refusal
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


def kiosk_refusal(questionnaire: Questionnaire) -> str | None:
    """Why this questionnaire cannot go on a kiosk (in the officer's language), or None."""
    version = qservice.latest_version(questionnaire)
    if version is None:
        return None
    items = qservice.definition_of(version).items
    if len(items) > KIOSK_MAX_ITEMS:
        return _("This questionnaire has %(n)s questions; a kiosk can carry at most %(max)s "
                 "(one question per screen, answered standing). Choose a short questionnaire "
                 "such as the dossier rating, and put the full survey on the desk QR code.",
                 n=len(items), max=KIOSK_MAX_ITEMS)
    if items and items[0].type not in FACE_SCALES:
        return _("A kiosk questionnaire must start with a satisfaction scale (faces): the "
                 "first tap is the answer.")
    if any(item.required for item in items[1:]):
        return _("On a kiosk only the first question may be required: the rating is stored "
                 "at the first tap and the questions after it are optional.")
    return None


# A kiosk's own settings (None: the server's), and the range each may take.
KIOSK_SETTINGS = {"min_interval_seconds": (0, MAX_MIN_INTERVAL), "idle_seconds": (5, 600)}


def set_settings(kiosk_id: int, values: dict[str, int | None], actor: str,
                 scope: Unit | None = None) -> Kiosk:
    """This kiosk's own minimum interval between two answers and idle time (None: the
    server's KIOSK_MIN_INTERVAL_SECONDS / KIOSK_IDLE_SECONDS); audited."""
    kiosk = _kiosk(kiosk_id, scope)
    errors = {}
    for name, value in values.items():
        low, high = KIOSK_SETTINGS[name]
        if value is not None and not low <= value <= high:
            errors[name] = _("Give a number of seconds from %(min)s to %(max)s, or leave it "
                             "empty for the default.", min=low, max=high)
    if errors:
        raise KioskRequestInvalid(errors)
    old = {name: getattr(kiosk, name) for name in values}
    if old != values:
        audit.record(actor, "update", "kiosk", str(kiosk.id), old=old, new=dict(values))
        for name, value in values.items():
            setattr(kiosk, name, value)
    db.session.flush()
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
