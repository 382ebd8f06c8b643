"""The baseline: a bare Flask route that inserts one JSON row, on the same database kind.

SQLite (`BARE_SQLITE_PATH`: WAL, synchronous NORMAL, as hailong runs it) or PostgreSQL
(`BARE_POSTGRES_URL`, a SQLAlchemy URL: psycopg, one autocommitted INSERT per request into the
table `bench_bare`, which `bench.submit` creates and drops; durable as hailong's commits are).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading

from flask import Flask, request

app = Flask(__name__)
_local = threading.local()


def _sqlite() -> sqlite3.Connection:
    connection = sqlite3.connect(os.environ["BARE_SQLITE_PATH"], timeout=30,
                                 isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("CREATE TABLE IF NOT EXISTS bare (id INTEGER PRIMARY KEY, body TEXT)")
    return connection


def _postgres():
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["BARE_POSTGRES_URL"]).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def _connection():
    # one connection per worker thread, opened after gunicorn forked the worker
    if not hasattr(_local, "db"):
        _local.db = _postgres() if os.environ.get("BARE_POSTGRES_URL") else _sqlite()
    return _local.db


@app.post("/api/v1/responses")
def insert():
    body = request.get_json()
    connection = _connection()
    if isinstance(connection, sqlite3.Connection):
        connection.execute("INSERT INTO bare (body) VALUES (?)", (json.dumps(body),))
    else:
        connection.execute("INSERT INTO bench_bare (body) VALUES (%s)", (json.dumps(body),))
    return {"ok": True}, 201
