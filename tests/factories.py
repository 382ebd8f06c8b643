"""Small builders of valid rows, so each test states only what it is about."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from survey.extensions import db
from survey.models import Questionnaire, QuestionnaireVersion, Response, Unit


def unit(code: str = "P", level: str = "province", parent: Unit | None = None) -> Unit:
    u = Unit(
        code=code,
        name_vi=f"Đơn vị {code}",
        name_en=f"Unit {code}",
        level=level,
        parent=parent,
        path=(parent.path if parent else "/") + code + "/",
    )
    db.session.add(u)
    db.session.flush()
    return u


def version(code: str = "q", kind: str = "survey") -> QuestionnaireVersion:
    q = Questionnaire(code=code, kind=kind, title_vi="Phiếu", status="active")
    v = QuestionnaireVersion(questionnaire=q, number=1, definition={}, content_hash="0" * 64)
    db.session.add_all([q, v])
    db.session.flush()
    return v


def response(v: QuestionnaireVersion, u: Unit, **values) -> Response:
    at = values.pop("submitted_at", datetime(2025, 6, 1, 3, 0, tzinfo=UTC))
    r = Response(
        uuid=values.pop("uuid", uuid.uuid4()),
        version_id=v.id,
        unit_id=u.id,
        channel=values.pop("channel", "web"),
        submitted_at=at,
        year=at.year,
        month=at.month,
        **values,
    )
    db.session.add(r)
    db.session.flush()
    return r


def prove(payload: dict, desk_code: str | None = None) -> dict:
    """`payload` with the token its channel needs, made for its unit and questionnaire
    (a desk QR code for phone, an officer's web link for web, a kiosk for kiosk); paper and
    payloads that carry a token already are returned as they are. Needs an app context."""
    from survey.models import Kiosk, WebLink
    from survey.services import tokens

    channel = payload.get("channel")
    if payload.get("token") or channel not in ("phone", "web", "kiosk"):
        return payload
    unit_code, code = payload.get("unit"), payload.get("questionnaire")
    if channel == "phone":
        return {**payload, "token": tokens.qr_token(unit_code, desk_code, code)}
    found = db.session.execute(db.select(Unit).filter_by(code=unit_code)).scalar_one()
    questionnaire = db.session.execute(
        db.select(Questionnaire).filter_by(code=code)).scalar_one()
    model = WebLink if channel == "web" else Kiosk
    row = db.session.execute(db.select(model).filter_by(
        unit_id=found.id, questionnaire_id=questionnaire.id, revoked_at=None)).scalars().first()
    if row is None:
        row = model(unit=found, questionnaire=questionnaire, token_nonce=uuid.uuid4().hex,
                    **({"label": "test link"} if model is WebLink else {"name": "test kiosk"}))
        # A kiosk or link made now cannot vouch for answers dated before it.
        row.created_at = datetime(2000, 1, 1, tzinfo=UTC)
        db.session.add(row)
        db.session.commit()
    token = tokens.link_token(row) if model is WebLink else tokens.kiosk_token(row)
    return {**payload, "token": token}
