"""An app with the staffed tree (HN, with communes HN-X01 and HN-X02), a real local SMTP
server (aiosmtpd, as the feedback tests), and builders of scripted days of ratings stored as
raw responses and answers, which the watch must count itself."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from survey.extensions import db
from survey.models import Answer, Kiosk, Response, ServiceArea, Unit
from survey.services import questionnaires as qservice
from survey.services.periods import LOCAL_TZ
from tests.design.helpers import login, staffed_app
from tests.feedback.conftest import smtp  # noqa: F401  (the real SMTP server fixture)

LEADER = "chu.tich@hn.example.vn"
OFFICER_X01 = "vanphong.x01@hn.example.vn"
OFFICER_X02 = "vanphong.x02@hn.example.vn"
# The watched day: a Wednesday; its week starts on Monday 2026-11-23.
DAY = date(2026, 11, 25)
NOW = datetime.combine(DAY + timedelta(days=1), time(6), LOCAL_TZ).astimezone(UTC)


def alerts_app(url: str, port: int, **extra):
    return staffed_app(url, SMTP_HOST="127.0.0.1", SMTP_PORT=port,
                       SMTP_FROM="hailong@hn.example.vn", SMTP_TIMEOUT=5,
                       FEEDBACK_LEADER_EMAILS=f"HN={LEADER}",
                       ALERT_EMAILS=f"HN-X01={OFFICER_X01},HN-X02={OFFICER_X02}", **extra)


@pytest.fixture
def app(tmp_path, smtp):  # noqa: F811
    app = alerts_app(f"sqlite:///{tmp_path / 'alerts.db'}", smtp[1])
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def any_app(database_url, smtp):  # noqa: F811
    """The same app once on SQLite and once on PostgreSQL (TEST_DATABASE_URL)."""
    app = alerts_app(database_url, smtp[1])
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def client_as(app, role: str | None):
    client = app.test_client()
    if role is not None:
        login(client, role)
    return client


class Ratings:
    """Stores dossier ratings (rating3: 1 dissatisfied, 3 satisfied) as raw rows."""

    def __init__(self):
        self.version = qservice.latest_version(qservice.get("dossier_rating"))
        self.land = db.session.execute(db.select(ServiceArea).filter_by(code="land")
                                       ).scalar_one().id
        self.units = {u.code: u.id for u in db.session.execute(db.select(Unit)).scalars()}

    def day(self, unit: str, day: date, satisfied: int, dissatisfied: int, *,
            kiosk_id: int | None = None, hour: int = 9, minutes: int = 1) -> None:
        """`satisfied` + `dissatisfied` ratings on a local day, `minutes` apart from `hour`."""
        start = datetime.combine(day, time(hour), LOCAL_TZ)
        values = [3] * satisfied + [1] * dissatisfied
        for i, value in enumerate(values):
            at = (start + timedelta(minutes=i * minutes)).astimezone(UTC)
            local = at.astimezone(LOCAL_TZ)
            response = Response(uuid=uuid.uuid4(), version_id=self.version.id,
                                unit_id=self.units[unit], service_area_id=self.land,
                                channel="kiosk" if kiosk_id else "phone", kiosk_id=kiosk_id,
                                submitted_at=at, received_at=at, year=local.year,
                                month=local.month)
            response.answers.append(Answer(item_code="rating", value_int=value))
            db.session.add(response)
        db.session.flush()

    def baseline(self, unit: str, end: date, days: int = 90, per_day=(9, 1)) -> None:
        """`days` ordinary days ending on `end`: 90 % satisfied, 10 a day."""
        for k in range(days):
            self.day(unit, end - timedelta(days=k), *per_day)


def kiosk(unit_code: str) -> int:
    unit = db.session.execute(db.select(Unit).filter_by(code=unit_code)).scalar_one()
    questionnaire = qservice.get("dossier_rating")
    k = Kiosk(name=f"Ki-ốt {unit_code}", unit_id=unit.id, questionnaire_id=questionnaire.id,
              token_nonce=uuid.uuid4().hex)
    db.session.add(k)
    db.session.flush()
    return k.id
