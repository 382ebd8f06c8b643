"""Engine set-up that differs between SQLite and PostgreSQL.

SQLite is the embedded default and must take several gunicorn workers writing at once:
WAL lets readers and a writer work side by side, a busy timeout makes a writer wait for the
lock instead of failing, and write transactions start with BEGIN IMMEDIATE. Without that a
transaction that first reads and then writes can fail at once with "database is locked" when
another worker committed in between (SQLite cannot upgrade a stale read snapshot).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Table, event
from sqlalchemy.engine import Connection, Engine

from survey.extensions import db

BUSY_TIMEOUT_MS = 30_000
IMMEDIATE = "hailong_begin_immediate"


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    event.listen(engine, "engine_disposed", _forget_write_turn)


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


_TURNS: dict[tuple[int, str], tuple[threading.Lock, int]] = {}
_TURNS_GUARD = threading.Lock()


@contextmanager
def write_turn() -> Iterator[None]:
    """Wait for the SQLite write lock in a queue that wakes the next writer at once.

    When the lock is taken, SQLite's busy handler sleeps 1, 2, 5, 10, … 100 ms between tries,
    so under many writers the lock sits idle while they sleep and latency climbs to seconds.
    Writers that queue on an OS file lock first (plus a thread lock: flock is per process)
    are woken by the kernel the moment the previous one commits. The kernel also drops the
    lock of a killed worker. Elsewhere (PostgreSQL, :memory:) this does nothing.
    """
    engine = db.engine
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:"):
        yield
        return
    # Keyed by pid: a worker forked from a preloaded app must open its own file description,
    # or all workers would share one lock and none would ever wait.
    key = (os.getpid(), path)
    with _TURNS_GUARD:
        if key not in _TURNS:
            try:
                _TURNS[key] = (threading.Lock(),
                               os.open(f"{path}.writers", os.O_RDWR | os.O_CREAT, 0o600))
            except OSError:
                pass  # a read-only directory: the write will fail with the database's own error
        turn = _TURNS.get(key)
    if turn is None:
        yield
        return
    thread_lock, fd = turn
    with thread_lock:
        if _TURNS.get(key) is not turn:  # its engine was disposed meanwhile: start again
            with write_turn():
                yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


def _forget_write_turn(engine: Engine) -> None:
    """Close the lock file of a disposed engine (tests and CLI commands make many)."""
    with _TURNS_GUARD:
        turn = _TURNS.pop((os.getpid(), engine.url.database or ""), None)
    if turn is not None:
        with turn[0]:
            os.close(turn[1])


_INSERT_SQL: dict[tuple[str, str, tuple[str, ...], str | None], str] = {}


def insert_rows(connection: Connection, table: Table, rows: list[dict],
                add_on_conflict: str | None = None) -> None:
    """Insert many plain rows (ints, strings, None) in the fastest form each database has.

    With `add_on_conflict="n"`, a row whose primary key is already there adds its n to the
    stored one instead (the maintained counts).

    SQLAlchemy turns every parameter set into a bound dict in Python, which for the thirty
    answers and sixty-odd count rows of one response costs more than the inserts. So the SQL
    is made once per table and form and handed to the driver: on SQLite an executemany, which
    sqlite3 binds in C; on PostgreSQL a single statement over `unnest` of one array per
    column, one round trip whatever the number of rows (psycopg's executemany adapts each row
    in Python and costs about 15 µs a row).
    """
    if not rows:
        return
    dialect = connection.dialect
    columns = tuple(rows[0])
    key = (table.name, dialect.name, columns, add_on_conflict)
    sql = _INSERT_SQL.get(key)
    if sql is None:
        sql = _INSERT_SQL[key] = _insert_sql(dialect, table, columns, add_on_conflict)
    if dialect.name == "postgresql":
        connection.exec_driver_sql(sql, {c: [row[c] for row in rows] for c in columns})
    else:
        connection.exec_driver_sql(sql, rows)


def _insert_sql(dialect, table: Table, columns: tuple[str, ...], add: str | None) -> str:
    conflict = ""
    if add is not None:
        keys = ", ".join(c.name for c in table.primary_key.columns)
        conflict = (f" ON CONFLICT ({keys}) DO UPDATE SET {add} = {table.name}.{add} + "
                    f"excluded.{add}")
    names = ", ".join(columns)
    if dialect.name == "postgresql":
        arrays = ", ".join(f"%({c})s::{table.c[c].type.compile(dialect)}[]" for c in columns)
        return f"INSERT INTO {table.name} ({names}) SELECT * FROM unnest({arrays}){conflict}"
    values = ", ".join(f":{c}" for c in columns)
    return f"INSERT INTO {table.name} ({names}) VALUES ({values}){conflict}"
