"""A database that cannot answer: 503 with Retry-After (JSON for the API, a page for people),
nothing half-stored, and a connection that recovers once the database does.

The faults are real SQLite errors raised by SQLite itself (a write on a read-only connection, a
file that cannot be opened); tests/reliability does the same under gunicorn and real load.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
import uuid

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy import exc as sa

from survey.extensions import db
from survey.models import Answer, Response
from survey.services import tokens
from survey.unavailable import is_unavailable
from tests.conftest import make_app


def _rating(app, **extra) -> dict:
    """A phone answer with its proof, a desk QR code (signed with the app's key: reading the
    database is left to the request)."""
    with app.app_context():
        qr = tokens.qr_token("HN-X01", None, "dossier_rating")
    return {"id": str(uuid.uuid4()), "questionnaire": "dossier_rating", "unit": "HN-X01",
            "channel": "phone", "token": qr, "answers": {"rating": 1, "reason": "long_wait"},
            **extra}


@pytest.fixture
def rating_app(app):
    from survey.services import questionnaires as qservice
    from tests import factories

    with app.app_context():
        qservice.load_and_publish_builtins()
        factories.unit("HN-X01", "commune", factories.unit("HN"))
        db.session.commit()
    return app


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        responses = db.session.execute(db.select(db.func.count()).select_from(Response))
        answers = db.session.execute(db.select(db.func.count()).select_from(Answer))
        counts = responses.scalar_one(), answers.scalar_one()
        db.session.remove()
    return counts


def test_a_read_only_database_answers_503_then_recovers_on_a_new_connection(rating_app):
    """SQLite's own "attempt to write a readonly database", as after the disk turned read-only.

    The connection that failed is dropped, so once the database is writable again the next
    request opens a fresh one and the same submission is stored, once.
    """
    read_only = {"on": True}

    def connect(dbapi_connection, _record):
        if read_only["on"]:
            dbapi_connection.execute("PRAGMA query_only = ON")

    with rating_app.app_context():
        db.engine.dispose()
        event.listen(db.engine, "connect", connect)
        with db.engine.connect() as one, db.engine.connect():  # two read-only ones pooled
            one.exec_driver_sql("SELECT 1")
        assert db.engine.pool.checkedin() == 2
    client = rating_app.test_client()
    payload = _rating(rating_app)
    refused = client.post("/api/v1/responses", json=payload)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    assert refused.get_json()["error"] == "service unavailable"
    assert "same id" in refused.get_json()["detail"]
    with rating_app.app_context():  # no read-only connection left open in this process
        assert db.engine.pool.checkedin() == 0

    read_only["on"] = False  # the pooled read-only connection is gone; a new one can write
    stored = client.post("/api/v1/responses", json=payload)
    assert stored.status_code == 201, stored.get_json()  # 201: the refused one stored nothing
    assert client.post("/api/v1/responses", json=payload).status_code == 200
    assert _counts(rating_app) == (1, 2)


@pytest.mark.parametrize(("lang", "words"), [("vi", "Hệ thống tạm thời gián đoạn"),
                                             ("en", "Temporarily unavailable")])
def test_a_page_gets_a_503_page_in_the_visitors_language(tmp_path, lang, words):
    """The database file cannot be opened at all: the kiosk page itself answers 503."""
    from survey.models import Kiosk
    from survey.services.tokens import kiosk_token

    app = make_app(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    with app.app_context():  # a well-signed link, so the page goes on to read its kiosk
        token = kiosk_token(Kiosk(id=1, token_nonce="n"))
    page = app.test_client().get(f"/k/{token}?lang={lang}")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert words in html and f'lang="{lang}"' in html
    with app.app_context():
        db.engine.dispose()


def test_the_api_answers_503_as_json_when_the_database_file_cannot_be_opened(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    answer = app.test_client().post("/api/v1/responses", json=_rating(app))
    assert answer.status_code == 503
    assert answer.is_json and answer.get_json()["error"] == "service unavailable"
    with app.app_context():
        db.engine.dispose()


def test_other_database_errors_stay_500(tmp_path):
    """A missing table is a bug in our schema or SQL, not an outage: no Retry-After."""
    app = make_app(f"sqlite:///{tmp_path / 'empty.db'}", PROPAGATE_EXCEPTIONS=False)
    answer = app.test_client().post("/api/v1/responses", json=_rating(app))
    assert answer.status_code == 500
    assert "Retry-After" not in answer.headers
    with app.app_context():
        db.engine.dispose()


def _dbapi(error_class, orig) -> sa.DBAPIError:
    return error_class("INSERT ...", {}, orig)


@pytest.mark.parametrize(("error", "expected"), [
    (_dbapi(sa.OperationalError, sqlite3.OperationalError("database or disk is full")), True),
    (_dbapi(sa.OperationalError, sqlite3.OperationalError("database is locked")), True),
    (_dbapi(sa.OperationalError, sqlite3.OperationalError("disk I/O error")), True),
    (_dbapi(sa.OperationalError,
            sqlite3.OperationalError("attempt to write a readonly database")), True),
    (_dbapi(sa.OperationalError, sqlite3.OperationalError("no such table: response")), False),
    (_dbapi(sa.IntegrityError, sqlite3.IntegrityError("UNIQUE constraint failed")), False),
    (_dbapi(sa.OperationalError, psycopg.OperationalError("connection refused")), True),
    (_dbapi(sa.OperationalError, psycopg.errors.AdminShutdown("terminating connection")), True),
    (_dbapi(sa.InternalError, psycopg.errors.ReadOnlySqlTransaction("read-only")), True),
    (_dbapi(sa.OperationalError, psycopg.errors.DiskFull("could not extend file")), True),
    (_dbapi(sa.OperationalError, psycopg.errors.CannotConnectNow("starting up")), True),
    (_dbapi(sa.ProgrammingError, psycopg.errors.UndefinedTable("no table")), False),
    (_dbapi(sa.DataError, psycopg.errors.InvalidTextRepresentation("bad")), False),
    (sa.TimeoutError("QueuePool limit reached"), True),
    (ValueError("not a database error"), False),
])
def test_which_errors_mean_the_database_is_unavailable(error, expected):
    assert is_unavailable(error) is expected


def test_a_postgresql_server_that_never_answers_gives_up_after_the_connect_timeout():
    """A socket that accepts and then says nothing, like a hung server: 503, not a hang."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nobody ever answers
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    port = silent.getsockname()[1]
    app = make_app(f"postgresql+psycopg://nobody@127.0.0.1:{port}/none",
                   DATABASE_CONNECT_TIMEOUT=2)
    try:
        began = time.monotonic()
        answer = app.test_client().post("/api/v1/responses", json=_rating(app))
        took = time.monotonic() - began
    finally:
        for connection, _ in accepted:
            connection.close()
        silent.close()
        with app.app_context():
            db.engine.dispose()
    assert answer.status_code == 503
    assert took < 10, f"the request hung for {took:.1f} s"
