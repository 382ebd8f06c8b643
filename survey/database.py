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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter

from sqlalchemy import Table, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from survey.extensions import db

BUSY_TIMEOUT_MS = 30_000
# On a read-only filesystem no process can write, so no lock it sees will ever be released:
# waiting the full busy timeout (for instance on the wal-index of a server killed mid-write)
# would only hold every worker for 30 s per request, long enough for a queue of clients to
# starve even the health check. Fail fast instead; the 503 tells clients to retry.
READ_ONLY_BUSY_TIMEOUT_MS = 200
IMMEDIATE = "hailong_begin_immediate"
# SQLite copies the WAL back into the database file (a checkpoint: page copies and two
# fsyncs) in the connection whose commit brings the WAL to `wal_autocheckpoint` pages, before
# that commit returns, so inside its write turn, and every writer queued behind it waits for
# the disk. Instead, every CHECKPOINT_EVERY-th write turn of a process checkpoints after it
# has let the next writer in (a submission writes about 20 pages, so with a few workers that
# is about as often as SQLite's own mark of 1000 pages). SQLite's checkpoint stays, at a
# higher mark, for writes made outside write turns.
CHECKPOINT_EVERY = 100
AUTO_CHECKPOINT_PAGES = 4000


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
    path = dbapi_connection.execute("PRAGMA database_list").fetchone()[2]
    busy = READ_ONLY_BUSY_TIMEOUT_MS if path and read_only_filesystem(path) else BUSY_TIMEOUT_MS
    cursor.execute(f"PRAGMA busy_timeout = {busy}")
    cursor.execute("PRAGMA foreign_keys = ON")
    if path:  # not :memory:
        cursor.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL is durable across application crashes; only an OS crash or power
        # loss can undo the last commits, and a kiosk retries what was not acknowledged.
        cursor.execute("PRAGMA synchronous = NORMAL")
        # A safety net only: write turns checkpoint at CHECKPOINT_PAGES (see write_turn).
        cursor.execute(f"PRAGMA wal_autocheckpoint = {AUTO_CHECKPOINT_PAGES}")
    cursor.close()


def read_only_filesystem(path: str | None) -> bool:
    """True when the filesystem holding the SQLite file `path` is mounted read-only."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return False
    try:
        return bool(os.statvfs(os.path.dirname(path) or ".").f_flag & os.ST_RDONLY)
    except OSError:
        return False


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


@dataclass(eq=False)
class _Turn:
    lock: threading.Lock  # flock is per process: the threads of one queue here first
    fd: int  # the "<database>.writers" lock file
    turns: int = 0  # taken by this process, to checkpoint every CHECKPOINT_EVERY-th


_TURNS: dict[tuple[int, str], _Turn] = {}
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
                _TURNS[key] = _Turn(threading.Lock(),
                                    os.open(f"{path}.writers", os.O_RDWR | os.O_CREAT, 0o600))
            except OSError:
                pass  # a read-only directory: the write will fail with the database's own error
        turn = _TURNS.get(key)
    if turn is None:
        yield
        return
    with turn.lock:
        if _TURNS.get(key) is not turn:  # its engine was disposed meanwhile: start again
            with write_turn():
                yield
            return
        fcntl.flock(turn.fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(turn.fd, fcntl.LOCK_UN)
        turn.turns += 1
        due = turn.turns % CHECKPOINT_EVERY == 0
    if due:
        _checkpoint(engine)


def _checkpoint(engine: Engine) -> None:
    """Copy what the WAL holds into the database file, without waiting for anyone (PASSIVE:
    writers go on meanwhile). A checkpoint that fails is tried again after the next turn."""
    try:
        connection = engine.raw_connection()
        try:
            connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            connection.close()
    except (sqlite3.Error, SQLAlchemyError):
        pass


def _forget_write_turn(engine: Engine) -> None:
    """Close the lock file of a disposed engine (tests and CLI commands make many)."""
    with _TURNS_GUARD:
        turn = _TURNS.pop((os.getpid(), engine.url.database or ""), None)
    if turn is not None:
        with turn.lock:
            os.close(turn.fd)


_INSERT_SQL: dict[tuple[str, str, tuple[str, ...], str | None], str] = {}


def insert_rows(connection: Connection, table: Table, rows: list,
                add_on_conflict: str | None = None,
                columns: tuple[str, ...] | None = None) -> None:
    """Insert many plain rows (ints, strings, None) in the fastest form each database has.

    Rows are dicts, or tuples of `columns` when those are given (the roll-up counts, which
    are built as tuples: a dict per row costs more than its insert).

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
    if columns is None:  # dicts: their keys, and the values in that order
        columns = tuple(rows[0])
        pick = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
        rows = list(map(pick, rows))
    if dialect.name == "postgresql":
        arrays = map(list, zip(*rows, strict=True))  # one array per column
        connection.exec_driver_sql(insert_sql(dialect, table, columns, add_on_conflict),
                                   dict(zip(columns, arrays, strict=True)))
        return
    # SQLite: many rows per INSERT … VALUES, which it runs faster than one row at a time
    start = 0
    for size in chunk_sizes(len(rows), max(1, SQLITE_MAX_PARAMETERS // len(columns))):
        params = tuple(chain.from_iterable(rows[start:start + size]))
        connection.exec_driver_sql(sqlite_insert_sql(table, columns, add_on_conflict, size),
                                   params)
        start += size


def insert_sql(dialect, table: Table, columns: tuple[str, ...],
               add_on_conflict: str | None = None) -> str:
    """The driver SQL `insert_rows` runs (made once per table, columns and dialect).

    SQLite takes a row as a dict of named parameters; PostgreSQL one array per column.
    """
    key = (table.name, dialect.name, columns, add_on_conflict)
    sql = _INSERT_SQL.get(key)
    if sql is None:
        sql = _INSERT_SQL[key] = _insert_sql(dialect, table, columns, add_on_conflict)
    return sql


def _insert_sql(dialect, table: Table, columns: tuple[str, ...], add: str | None) -> str:
    conflict = on_conflict_sql(table, add)
    names = ", ".join(columns)
    if dialect.name == "postgresql":
        return (f"INSERT INTO {table.name} ({names}) SELECT * FROM "
                f"{unnest_sql(dialect, table, columns)}{conflict}")
    values = ", ".join(f":{c}" for c in columns)
    return f"INSERT INTO {table.name} ({names}) VALUES ({values}){conflict}"


# The fewest parameters any SQLite build takes in one statement (SQLITE_MAX_VARIABLE_NUMBER).
SQLITE_MAX_PARAMETERS = 999
_SQLITE_INSERTS: dict[tuple, str] = {}


def sqlite_insert_sql(table: Table, columns: tuple[str, ...], add: str | None = None,
                      rows: int = 1, shared_first: bool = False) -> str:
    """SQLite: an INSERT of `rows` rows with positional parameters (made once per form).

    With `add`, a row whose primary key is there already adds its `add` column to the stored
    one; with `shared_first`, the first column of every row is the one parameter ?1.
    """
    key = (table.name, columns, add, rows, shared_first)
    sql = _SQLITE_INSERTS.get(key)
    if sql is None:
        if shared_first:
            width = len(columns) - 1
            values = ", ".join(
                "(?1, " + ", ".join(f"?{2 + r * width + c}" for c in range(width)) + ")"
                for r in range(rows))
        else:
            values = ", ".join(["(" + ", ".join("?" for _ in columns) + ")"] * rows)
        sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES {values}"
               + on_conflict_sql(table, add))
        _SQLITE_INSERTS[key] = sql
    return sql


def on_conflict_sql(table: Table, add: str | None) -> str:
    if add is None:
        return ""
    keys = ", ".join(c.name for c in table.primary_key.columns)
    return f" ON CONFLICT ({keys}) DO UPDATE SET {add} = {table.name}.{add} + excluded.{add}"


def chunk_sizes(count: int, largest: int) -> list[int]:
    """`count` rows as chunks of `largest`, then of the powers of two the rest is made of:
    statements of a few sizes only, which the driver keeps prepared."""
    sizes = [largest] * (count // largest)
    rest = count % largest
    bit = 1 << max(rest.bit_length() - 1, 0)
    while rest:
        if rest & bit:
            sizes.append(bit)
            rest -= bit
        bit >>= 1
    return sizes


def unnest_sql(dialect, table: Table, columns: tuple[str, ...], prefix: str = "") -> str:
    """PostgreSQL: `unnest(%(c)s::type[], …)`, rows made of one array parameter per column.

    Parameters are named `{prefix}{column}`, so that several tables fit in one statement.
    """
    arrays = ", ".join(f"%({prefix}{c})s::{table.c[c].type.compile(dialect)}[]"
                       for c in columns)
    return f"unnest({arrays})"


_PROCESSORS: dict[tuple[str, str], dict[str, Callable]] = {}


def bind_processors(dialect, table: Table) -> dict[str, Callable]:
    """SQLAlchemy's own conversion of a Python value for the driver, for each column that has
    one (UUIDs and UTC times on SQLite, UTC times on PostgreSQL).

    Rows written on the driver go through them, so they are stored exactly as SQLAlchemy
    would have stored them.
    """
    key = (dialect.name, table.name)
    found = _PROCESSORS.get(key)
    if found is None:
        found = {}
        for column in table.columns:
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                found[column.name] = process
        _PROCESSORS[key] = found
    return found
