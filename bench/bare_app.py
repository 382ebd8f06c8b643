"""The baseline: a bare Flask route that inserts one JSON row, on the same database kind."""

from __future__ import annotations

import json
import os
import sqlite3
import threading

from flask import Flask, request

app = Flask(__name__)
PATH = os.environ["BARE_SQLITE_PATH"]
_local = threading.local()


def _connection() -> sqlite3.Connection:
    if not hasattr(_local, "db"):
        _local.db = sqlite3.connect(PATH, timeout=30, isolation_level=None)
        _local.db.execute("PRAGMA journal_mode = WAL")
        _local.db.execute("PRAGMA synchronous = NORMAL")
        _local.db.execute("CREATE TABLE IF NOT EXISTS bare (id INTEGER PRIMARY KEY, body TEXT)")
    return _local.db


@app.post("/api/v1/responses")
def insert():
    body = request.get_json()
    _connection().execute("INSERT INTO bare (body) VALUES (?)", (json.dumps(body),))
    return {"ok": True}, 201
