"""Submissions written on the driver store exactly what SQLAlchemy's path stores."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from survey.extensions import db
from survey.models import DossierToken, Response
from survey.services import responses as rservice
from survey.services.responses import driver as response_store
from tests import factories
from tests.collect.conftest import make_world
from tests.collect.storing import dump, submissions, through_sqlalchemy_only
from tests.conftest import sqlite_app


@pytest.fixture
def reference(tmp_path, monkeypatch):
    """A second database, where every submission takes SQLAlchemy's path."""
    with sqlite_app(tmp_path / "reference.db") as app:
        yield app


def test_the_driver_path_stores_what_sqlalchemy_stores(app, client, world, reference,
                                                       monkeypatch):
    fast = submissions(app, client, world)
    assert [status for status, _ in fast] == [201] * 7 + [200]
    with monkeypatch.context() as patched:
        through_sqlalchemy_only(patched)
        slow = submissions(reference, reference.test_client(), make_world(reference))
    assert fast == slow  # the documents answered, retry included
    stored, expected = dump(app), dump(reference)
    assert stored == expected
    assert stored["differences"] == [] and len(stored["responses"]) == 7
    assert stored["presses"] == [3] and all(used for _, used, _ in stored["receipts"])
    # the sources: one answer through a desk's QR code, one through a web link
    assert [r[6:9] for r in stored["responses"]].count((True, False, "phone")) == 1
    assert [r[6:9] for r in stored["responses"]].count((False, True, "web")) == 1


def test_a_driver_failure_is_stored_through_sqlalchemy(app, client, world, land, monkeypatch):
    """Whatever the driver raises, nothing of it stays and SQLAlchemy's path stores the
    response (or reports the error as every query does)."""
    calls = []

    def failing(pooled, submission):
        calls.append(submission)
        cursor = pooled.dbapi_connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        cursor.execute("INSERT INTO response (uuid, version_id, unit_id, channel, "
                       "submitted_at, received_at, year, month) SELECT uuid || 'x', "
                       "version_id, unit_id, channel, submitted_at, received_at, year, month "
                       "FROM response LIMIT 0")
        pooled.dbapi_connection.rollback()
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(response_store, "_write_sqlite", failing)
    with app.app_context():
        sent = factories.prove({"id": str(uuid.uuid4()), "questionnaire": "land_survey",
                                "unit": world.unit_code, "channel": "phone", "answers": land})
    reply = client.post("/api/v1/responses", json=sent)
    assert reply.status_code == 201 and len(calls) == 1
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Response)).scalar() == 1


def test_a_receipt_used_meanwhile_is_refused_by_sqlalchemys_path(app, client, world):
    """The receipt is checked when the submission is, and used by another response before
    the write: the driver writes nothing, and the reference path answers 409."""
    token = client.post("/api/v1/dossier-tokens", json={"dossier_code": "D-1",
                                                        "unit": world.unit_code},
                        headers={"Authorization": f"Bearer {world.key}"}).json["token"]
    sent = {"id": str(uuid.uuid4()), "questionnaire": "dossier_rating", "unit": world.unit_code,
            "channel": "web", "token": token, "answers": {"rating": 3}}
    with app.app_context():
        prepared = rservice.prepare(sent)
        counts = rservice._counts(prepared)
        db.session.rollback()
        db.session.execute(db.update(DossierToken).values(used_at=rservice.now_utc()))
        db.session.commit()
        with pytest.raises(response_store.Redo):
            response_store.write(rservice._submission(prepared, counts, rservice.now_utc()))
        with pytest.raises(rservice.TokenAlreadyUsed):
            rservice._submit_through_session(prepared, counts)
        assert db.session.execute(db.select(db.func.count()).select_from(Response)).scalar() == 0


def test_a_repeated_id_takes_sqlalchemys_path_and_answers_the_stored_response(
        app, client, world, land, monkeypatch):
    with app.app_context():
        sent = factories.prove({"id": str(uuid.uuid4()), "questionnaire": "land_survey",
                                "unit": world.unit_code, "channel": "phone", "answers": land})
    first = client.post("/api/v1/responses", json=sent)
    # as if two retries raced: both pass the checks, the second one's insert fails
    monkeypatch.setattr(rservice, "_stored_id", lambda payload: None)
    redone = []
    original = rservice._submit_through_session
    monkeypatch.setattr(rservice, "_submit_through_session",
                        lambda *args: redone.append(1) or original(*args))
    with app.app_context():
        again = rservice.submit(sent)
    assert first.status_code == 201 and not again.created and redone == [1]
    assert again.document == first.json
