"""A kiosk stores the tapped face at once, then amends that response with the follow-up answers.

Run on SQLite, and on PostgreSQL when TEST_DATABASE_URL names a server (the roll-ups are kept
differently there: appended deltas, folded later).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from survey.extensions import db
from survey.models import Answer, Kiosk, Response, now_utc
from survey.services import aggregates, tokens
from survey.services import responses as service
from survey.services.responses import admin as response_admin
from tests.collect.conftest import make_world
from tests.conftest import fresh_postgres_databases, make_app, postgres_url, sqlite_app


@pytest.fixture(params=["sqlite", "postgresql"])
def kiosk_app(request, tmp_path):
    if request.param == "sqlite":
        with sqlite_app(tmp_path / "amend.db") as app:
            yield app, make_world(app, uuid.uuid4().hex)
        return
    template = request.getfixturevalue("pg_migrated")
    with fresh_postgres_databases(postgres_url(), "hl_amend", template=template) as (database,):
        app = make_app(database)
        yield app, make_world(app, uuid.uuid4().hex)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def payload(world_token: str, unit: str, response_id: str, answers: dict, **extra) -> dict:
    return {"id": response_id, "questionnaire": "dossier_rating", "unit": unit,
            "channel": "kiosk", "token": world_token, "answers": answers, **extra}


@pytest.fixture
def kiosk(kiosk_app):
    """(client, app, kiosk token, unit code)"""
    app, world = kiosk_app
    with app.app_context():
        token = tokens.kiosk_token(db.session.get(Kiosk, world.kiosk_id))
    return app.test_client(), app, token, world.unit_code


def stored(app, response_id: str) -> dict:
    with app.app_context():
        row = db.session.execute(db.select(Response).filter_by(
            uuid=uuid.UUID(response_id))).scalar_one()
        answers = db.session.execute(db.select(Answer).filter_by(response_id=row.id)).scalars()
        result = {a.item_code: service.answer_value(a) for a in answers}
        db.session.remove()
        return result


def count_responses(app) -> int:
    with app.app_context():
        n = db.session.execute(db.select(db.func.count()).select_from(Response)).scalar()
        db.session.remove()
        return n


def roll_ups_exact(app) -> list:
    with app.app_context():
        wrong = aggregates.differences()
        db.session.rollback()
        db.session.remove()
        return wrong


def overall_counts(app) -> dict:
    """value -> count of the overall item in the finest roll-up (what reports read)."""
    with app.app_context():
        aggregates.fold()
        rows = db.session.execute(
            db.select(aggregates.AnswerCount.value, db.func.sum(aggregates.AnswerCount.n))
            .where(aggregates.AnswerCount.item_code == "rating")
            .group_by(aggregates.AnswerCount.value)).all()
        db.session.rollback()
        db.session.remove()
        return {value: int(n) for value, n in rows if n}


def test_the_follow_up_replaces_the_answers_and_the_roll_ups_follow(kiosk):
    client, app, token, unit = kiosk
    rid = str(uuid.uuid4())
    first = client.post("/api/v1/responses", json=payload(token, unit, rid, {"rating": 3}))
    assert first.status_code == 201
    assert overall_counts(app) == {3: 1}
    amended = client.post("/api/v1/responses", json=payload(
        token, unit, rid, {"rating": 1, "reason": "long_wait", "comment": "Chờ hai tiếng"}))
    assert amended.status_code == 200, amended.json
    assert amended.json["answers"] == {"comment": "Chờ hai tiếng", "rating": 1,
                                       "reason": "long_wait"}
    assert stored(app, rid) == amended.json["answers"]
    assert count_responses(app) == 1
    assert overall_counts(app) == {1: 1}
    assert roll_ups_exact(app) == []
    # Fewer answers again (the reason taken back): the old ones leave the roll-ups too.
    again = client.post("/api/v1/responses", json=payload(token, unit, rid, {"rating": 2}))
    assert again.status_code == 200 and stored(app, rid) == {"rating": 2}
    assert overall_counts(app) == {2: 1} and roll_ups_exact(app) == []


def test_a_repeated_identical_amend_changes_nothing(kiosk):
    client, app, token, unit = kiosk
    rid = str(uuid.uuid4())
    client.post("/api/v1/responses", json=payload(token, unit, rid, {"rating": 3}))
    body = payload(token, unit, rid, {"rating": 1, "reason": "staff_attitude"})
    first = client.post("/api/v1/responses", json=body)
    second = client.post("/api/v1/responses", json=body)
    assert first.status_code == second.status_code == 200
    assert first.json == second.json
    assert count_responses(app) == 1 and overall_counts(app) == {1: 1}
    assert roll_ups_exact(app) == []


def test_an_invalid_amend_is_refused_and_changes_nothing(kiosk):
    client, app, token, unit = kiosk
    rid = str(uuid.uuid4())
    client.post("/api/v1/responses", json=payload(token, unit, rid, {"rating": 3}))
    bad = client.post("/api/v1/responses", json=payload(token, unit, rid, {"rating": 7}))
    assert bad.status_code == 422 and "rating" in bad.json["errors"]
    assert stored(app, rid) == {"rating": 3} and roll_ups_exact(app) == []


def test_after_the_window_the_stored_response_is_kept(kiosk):
    client, app, token, unit = kiosk
    rid = str(uuid.uuid4())
    client.post("/api/v1/responses", json=payload(token, unit, rid, {"rating": 3}))
    with app.app_context():
        seconds = app.config["KIOSK_AMEND_SECONDS"]
        db.session.execute(db.update(Response).values(
            received_at=now_utc() - timedelta(seconds=seconds + 5)))
        db.session.commit()
    late = client.post("/api/v1/responses", json=payload(token, unit, rid, {"rating": 1}))
    assert late.status_code == 200 and late.json["answers"] == {"rating": 3}
    assert stored(app, rid) == {"rating": 3} and overall_counts(app) == {3: 1}


def test_another_kiosk_cannot_amend(kiosk):
    client, app, token, unit = kiosk
    with app.app_context():
        mine = db.session.execute(db.select(Kiosk)).scalar_one()
        other = Kiosk(name="Kiosk 2", unit_id=mine.unit_id, questionnaire_id=mine.questionnaire_id,
                      token_nonce=uuid.uuid4().hex)
        db.session.add(other)
        db.session.commit()
        other_token = tokens.kiosk_token(other)
    rid = str(uuid.uuid4())
    client.post("/api/v1/responses", json=payload(token, unit, rid, {"rating": 3}))
    taken = client.post("/api/v1/responses", json=payload(other_token, unit, rid, {"rating": 1}))
    assert taken.status_code == 200 and taken.json["answers"] == {"rating": 3}
    bad = client.post("/api/v1/responses", json=payload(other_token, unit, rid, {"rating": 9}))
    assert bad.status_code == 200 and stored(app, rid) == {"rating": 3}  # as before this path
    assert overall_counts(app) == {3: 1} and roll_ups_exact(app) == []


def test_a_quarantined_response_stays_out_of_the_figures_when_amended(kiosk):
    client, app, token, unit = kiosk
    rid = str(uuid.uuid4())
    client.post("/api/v1/responses", json=payload(token, unit, rid, {"rating": 3}))
    with app.app_context():
        response_admin.quarantine_responses([uuid.UUID(rid)], "thử", "admin")
        db.session.commit()
    client.post("/api/v1/responses", json=payload(token, unit, rid, {"rating": 1}))
    assert stored(app, rid) == {"rating": 1}
    assert overall_counts(app) == {} and roll_ups_exact(app) == []


def test_another_channel_cannot_amend(kiosk_app, kiosk):
    client, app, token, unit = kiosk
    _, world = kiosk_app
    rid = str(uuid.uuid4())
    client.post("/api/v1/responses", json=payload(token, unit, rid, {"rating": 3}))
    with app.app_context():
        qr = tokens.qr_token(unit, world.desk_code, "dossier_rating")
    phone = payload(qr, unit, rid, {"rating": 1}, channel="phone")
    answered = client.post("/api/v1/responses", json=phone)
    assert answered.status_code == 200 and answered.json["answers"] == {"rating": 3}
    assert answered.json["channel"] == "kiosk"
    assert stored(app, rid) == {"rating": 3} and overall_counts(app) == {3: 1}


def test_two_amends_racing_leave_one_set_of_answers_counted_once(kiosk):
    """Two follow-ups of one response at once (a retry racing its original): whichever wins,
    the response holds one of the two answer sets and the roll-ups count it exactly once."""
    from concurrent.futures import ThreadPoolExecutor

    client, app, token, unit = kiosk
    rid = str(uuid.uuid4())
    client.post("/api/v1/responses", json=payload(token, unit, rid, {"rating": 3}))
    bodies = [payload(token, unit, rid, {"rating": 1, "reason": "long_wait"}),
              payload(token, unit, rid, {"rating": 2})]

    def send(body):
        return app.test_client().post("/api/v1/responses", json=body).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(send, bodies))
    assert statuses == [200, 200]
    assert stored(app, rid) in ({"rating": 1, "reason": "long_wait"}, {"rating": 2})
    assert count_responses(app) == 1
    assert sum(overall_counts(app).values()) == 1 and roll_ups_exact(app) == []
