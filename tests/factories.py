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
