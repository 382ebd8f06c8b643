"""Tokens that carry context into the citizen pages: kiosks, desk QR codes, web links and
dossier receipts. Each is the proof that an answer came through a real channel (docs/SECURITY.md).

Kiosk, QR and web-link tokens are signed (itsdangerous, the app SECRET_KEY, one salt per
purpose) so a URL cannot be edited to rate another unit; they are not secret. Kiosks and web
links also carry a nonce stored with them, so they can be revoked. Dossier tokens are random,
single-use and secret; only their SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from survey.database import begin_write
from survey.extensions import db
from survey.models import (
    Desk,
    DossierToken,
    Kiosk,
    Procedure,
    Questionnaire,
    Unit,
    WebLink,
    now_utc,
)
from survey.models.tokens import ON_TIME_STATUSES
from survey.services import audit

KIOSK_SALT = "hailong.kiosk"
QR_SALT = "hailong.qr-context"
LINK_SALT = "hailong.web-link"
DOSSIER_RATING = "dossier_rating"
DOSSIER_LOCK_SPACE = 16  # first key of the per-dossier advisory locks (issue #16)


class TokenRefused(ValueError):
    """The token is forged, revoked, unknown or already used; `reason` names which.

    A used dossier token carries when it was used, so the citizen can be told.
    """

    def __init__(self, reason: str, message: str = "", used_at: datetime | None = None,
                 ended_on: date | None = None):
        self.reason = reason  # "invalid", "revoked", "replaced", "used", "gone"
        self.used_at = used_at
        self.ended_on = ended_on  # "gone": the first day the token's office no longer existed
        super().__init__(message or reason)


def unit_gone(unit: Unit) -> None:
    """Refuse a token of an office that no longer exists (abolished, or merged or split away
    with nothing carried to a successor: survey/services/lineage/attached.py)."""
    from survey.services.lineage.dates import local_today

    if unit.valid_to is not None and unit.valid_to <= local_today():
        raise TokenRefused("gone", f"this office no longer exists since "
                           f"{unit.valid_to:%d/%m/%Y}", ended_on=unit.valid_to)


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


# --- kiosks ---------------------------------------------------------------------------------


def kiosk_token(kiosk: Kiosk) -> str:
    return _serializer(KIOSK_SALT).dumps({"k": kiosk.id, "n": kiosk.token_nonce})


def _signed_row(token: str, salt: str, model, key: str, refusal: str):
    """The kiosk or web link a signed token names, when its nonce is still the row's (a
    re-issued kiosk's old link names the old nonce)."""
    try:
        data = _serializer(salt).loads(token)
    except BadSignature as error:
        raise TokenRefused("invalid", refusal) from error
    row = db.session.get(model, data.get(key)) if isinstance(data, dict) else None
    if row is None or row.token_nonce != data.get("n"):
        raise TokenRefused("invalid", refusal)
    return row


def kiosk_from_token(token: str) -> Kiosk:
    kiosk = _signed_row(token, KIOSK_SALT, Kiosk, "k", "the kiosk link is not valid")
    if kiosk.revoked_at is not None:
        raise TokenRefused("revoked", "this kiosk has been switched off")
    unit_gone(kiosk.unit)
    return kiosk


def new_kiosk_nonce() -> str:
    return uuid.uuid4().hex


def record_ignored_presses(kiosk_id: int, count: int) -> None:
    """Add to the kiosk's counter in SQL, so two submissions at once both count."""
    if count > 0:
        db.session.execute(
            db.update(Kiosk).where(Kiosk.id == kiosk_id)
            .values(ignored_presses=Kiosk.ignored_presses + count)
        )


# --- desk QR codes --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QrContext:
    unit: Unit
    desk: Desk | None
    questionnaire: Questionnaire


def qr_token(unit_code: str, desk_code: str | None, questionnaire_code: str) -> str:
    return _serializer(QR_SALT).dumps({"u": unit_code, "d": desk_code, "q": questionnaire_code})


def qr_context(token: str) -> QrContext:
    try:
        data = _serializer(QR_SALT).loads(token)
    except BadSignature as error:
        raise TokenRefused("invalid", "the QR code is not valid") from error
    if not isinstance(data, dict):
        raise TokenRefused("invalid", "the QR code is not valid")
    unit = db.session.execute(db.select(Unit).filter_by(code=data.get("u"))).scalar_one_or_none()
    questionnaire = db.session.execute(
        db.select(Questionnaire).filter_by(code=data.get("q"))
    ).scalar_one_or_none()
    if unit is None or questionnaire is None or questionnaire.status == "retired":
        raise TokenRefused("invalid", "the QR code names a unit or form that no longer exists")
    desk = None
    desk_code = data.get("d")
    if desk_code and isinstance(desk_code, str):
        # a poster printed before its unit ended names the desk where it was then
        from survey.services.lineage.attached import follow_desk

        unit, desk_code = follow_desk(unit, desk_code)
    unit_gone(unit)
    if desk_code:
        desk = db.session.execute(
            db.select(Desk).filter_by(unit_id=unit.id, code=desk_code)
        ).scalar_one_or_none()
    return QrContext(unit, desk, questionnaire)


# --- web links ------------------------------------------------------------------------------


def link_token(link: WebLink) -> str:
    return _serializer(LINK_SALT).dumps({"w": link.id, "n": link.token_nonce})


def link_from_token(token: str) -> WebLink:
    link = _signed_row(token, LINK_SALT, WebLink, "w", "the web link is not valid")
    if link.revoked_at is not None or (link.expires_at is not None
                                       and link.expires_at <= now_utc()):
        raise TokenRefused("revoked", "this web link has been switched off")
    unit_gone(link.unit)
    return link


# --- which proof a token is -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proof:
    """What a token proves about a submission: its kind, unit, questionnaire and since when.

    kind: "kiosk", "qr" (a desk poster), "link" (an officer's web link) or "dossier".
    """

    kind: str
    unit_id: int
    questionnaire_id: int
    issued_at: object  # datetime | None: answers cannot predate their proof
    kiosk: Kiosk | None = None
    desk_id: int | None = None
    link_id: int | None = None
    dossier: DossierToken | None = None


def is_signed(token: str) -> bool:
    """Kiosk, poster and web-link tokens are signed and always hold a dot; a receipt's random
    dossier token never does."""
    return "." in token


def identify(token: str) -> Proof:
    """The proof a submission's token gives; TokenRefused when it gives none.

    Random dossier tokens never hold a dot; signed tokens always do, and their salt tells the
    kind (a kiosk token does not verify as a QR code, and so on).
    """
    if not is_signed(token):
        row = find_dossier_token(token)
        return Proof("dossier", row.unit_id, row.questionnaire_id, row.issued_at, dossier=row)
    for kind, salt in (("kiosk", KIOSK_SALT), ("qr", QR_SALT), ("link", LINK_SALT)):
        try:
            _serializer(salt).loads(token)
        except BadSignature:
            continue
        if kind == "kiosk":
            kiosk = kiosk_from_token(token)
            return Proof("kiosk", kiosk.unit_id, kiosk.questionnaire_id, kiosk.created_at,
                         kiosk=kiosk)
        if kind == "link":
            link = link_from_token(token)
            return Proof("link", link.unit_id, link.questionnaire_id, link.created_at,
                         link_id=link.id)
        context = qr_context(token)
        return Proof("qr", context.unit.id, context.questionnaire.id, None,
                     desk_id=context.desk.id if context.desk else None)
    raise TokenRefused("invalid", "the token is not valid")


# --- dossier tokens -------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str  # shown once, printed on the receipt
    row: DossierToken
    replaced: int = 0  # earlier unused tokens of the dossier that this one switched off


class TokenRequestInvalid(ValueError):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class DossierAlreadyRated(ValueError):
    """A token is asked for a dossier whose rating is already stored (answered as 409)."""

    def __init__(self, dossier_code: str, used_at: datetime):
        self.dossier_code = dossier_code
        self.used_at = used_at
        super().__init__(f"dossier {dossier_code} was already rated")


def issue_dossier_token(dossier_code: object, unit_code: object, procedure_code: object = None,
                        questionnaire_code: object = None, actor: str = "api",
                        scope: Unit | None = None) -> IssuedToken:
    """A new single-use token for a dossier; `scope` bounds the units a unit officer may use.

    The codes are taken as a client sent them: anything but text is refused (422).

    One dossier code has one live token. The one-stop software reprints receipts, so issuing
    the same code again is normal: the new token replaces the unused old one, which is switched
    off (the old paper then says so). A dossier already rated stays rated: DossierAlreadyRated.
    """
    begin_write()
    errors: dict[str, str] = {}
    # Values come straight from a JSON body: a list or a number must be refused here, not
    # reach a query as a parameter the database cannot bind.
    fields = {"dossier_code": dossier_code, "unit": unit_code, "procedure": procedure_code,
              "questionnaire": questionnaire_code}
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            errors[name] = "a text code is expected"
        elif value and "\x00" in value:
            errors[name] = "holds a NUL character"
    if errors:
        raise TokenRequestInvalid(errors)
    dossier_code = (dossier_code or "").strip()
    if not dossier_code or len(dossier_code) > 60:
        errors["dossier_code"] = "required, at most 60 characters"
    unit = db.session.execute(db.select(Unit).filter_by(code=unit_code)).scalar_one_or_none()
    if unit is None:
        errors["unit"] = f"unknown unit {unit_code!r}"
    elif scope is not None and not unit.path.startswith(scope.path):
        errors["unit"] = "outside the units you may issue tokens for"
    elif unit.valid_to is not None:
        try:  # a receipt for an office that no longer exists could never be rated
            unit_gone(unit)
        except TokenRefused as refused:
            errors["unit"] = str(refused)
    procedure = None
    if procedure_code:
        procedure = db.session.execute(
            db.select(Procedure).filter_by(code=procedure_code)
        ).scalar_one_or_none()
        if procedure is None:
            errors["procedure"] = f"unknown procedure {procedure_code!r}"
    code = questionnaire_code or DOSSIER_RATING
    questionnaire = db.session.execute(
        db.select(Questionnaire).filter_by(code=code).where(Questionnaire.versions.any())
    ).scalar_one_or_none()
    if questionnaire is None:
        errors["questionnaire"] = f"no published questionnaire {code!r}"
    if errors:
        raise TokenRequestInvalid(errors)
    replaced = _switch_off_earlier(dossier_code, scope)
    token = secrets.token_urlsafe(16)
    row = DossierToken(token_hash=hash_token(token), dossier_code=dossier_code, unit=unit,
                       procedure=procedure, questionnaire=questionnaire, issued_by=actor)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "reissue_token" if replaced else "issue_token", "dossier_token",
                 dossier_code, new={"replaced": replaced} if replaced else None)
    return IssuedToken(token, row, replaced)


def _switch_off_earlier(dossier_code: str, scope: Unit | None) -> int:
    """Revoke the dossier's live tokens before a new one is issued; how many were revoked.

    A used token refuses the new issue. A dossier code held by a unit outside the issuer's
    scope is refused too, rather than letting one office switch off another's receipt.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        # Two reprints at once would each see the same old token and add a live one each:
        # they take turns per dossier code. (SQLite writers already take turns: begin_write.)
        db.session.execute(db.text("SELECT pg_advisory_xact_lock(:space, hashtext(:code))"),
                           {"space": DOSSIER_LOCK_SPACE, "code": dossier_code})
    earlier = list(db.session.execute(
        db.select(DossierToken).filter_by(dossier_code=dossier_code)
        .where(DossierToken.revoked_at.is_(None))
    ).scalars())
    if scope is not None and any(not r.unit.path.startswith(scope.path) for r in earlier):
        raise TokenRequestInvalid({"dossier_code": "issued by a unit outside your units"})
    for row in earlier:
        if row.used_at is not None:
            raise DossierAlreadyRated(dossier_code, row.used_at)
    at = now_utc()
    for row in earlier:
        row.revoked_at = at
    return len(earlier)


def find_dossier_token(token: str) -> DossierToken:
    """The unused token row; TokenRefused "invalid" or "used" otherwise."""
    row = db.session.execute(
        db.select(DossierToken).filter_by(token_hash=hash_token(token or ""))
    ).scalar_one_or_none()
    if row is None:
        raise TokenRefused("invalid", "unknown receipt code")
    if row.used_at is not None:
        raise TokenRefused("used", "this receipt has already been rated, thank you",
                           used_at=row.used_at)
    if row.revoked_at is not None:
        raise TokenRefused("replaced", "this receipt code was replaced by a newer receipt")
    unit_gone(row.unit)
    return row


def redeem_dossier_token(token_id: int, response_id: int) -> None:
    """Mark the token used by this response; a concurrent second use (or a reissue that
    switched the token off meanwhile) loses the race here."""
    done = db.session.execute(
        db.update(DossierToken)
        .where(DossierToken.id == token_id, DossierToken.used_at.is_(None),
               DossierToken.revoked_at.is_(None))
        .values(used_at=now_utc(), response_id=response_id)
    )
    if done.rowcount != 1:
        raise TokenRefused("used", "this receipt has already been rated, thank you")


def set_on_time_status(dossier_code: str, status: str, scope: Unit | None = None,
                       actor: str = "api") -> int:
    """Record a dossier's on-time status on its tokens; returns how many were updated."""
    if status not in ON_TIME_STATUSES:
        raise TokenRequestInvalid({"on_time_status": f"one of {', '.join(ON_TIME_STATUSES)}"})
    begin_write()
    rows = list(db.session.execute(
        db.select(DossierToken).filter_by(dossier_code=dossier_code)
    ).scalars())
    rows = [r for r in rows if scope is None or r.unit.path.startswith(scope.path)]
    for row in rows:
        row.on_time_status = status
    if rows:
        audit.record(actor, "on_time_status", "dossier_token", dossier_code,
                     new={"on_time_status": status})
    db.session.flush()
    return len(rows)
