"""Engine set-up that differs between SQLite and PostgreSQL.

SQLite is the embedded default and must take several gunicorn workers writing at once:
WAL lets readers and a writer work side by side, a busy timeout makes a writer wait for the
lock instead of failing, and write transactions start with BEGIN IMMEDIATE. Without that a
transaction that first reads and then writes can fail at once with "database is locked" when
another worker committed in between (SQLite cannot upgrade a stale read snapshot).
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

from survey.extensions import db

BUSY_TIMEOUT_MS = 30_000
IMMEDIATE = "hailong_begin_immediate"


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
    # Take transaction control away from the driver so that "begin" below decides the mode.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    if dbapi_connection.execute("PRAGMA database_list").fetchone()[2]:  # not :memory:
        cursor.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL is durable across application crashes; only an OS crash or power
        # loss can undo the last commits, and a kiosk retries what was not acknowledged.
        cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_on_begin(connection) -> None:
    if connection.get_execution_options().get(IMMEDIATE):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def begin_write() -> None:
    """Mark the current session's transaction as a writer from its first statement.

    Call it at the start of a service that reads and then writes. On PostgreSQL it is a no-op.
    """
    session = db.session()
    if session.in_transaction():
        return
    session.connection(execution_options={IMMEDIATE: True})
