"""A database that cannot answer becomes a 503 with Retry-After, never a 500 or a hung request.

When PostgreSQL restarts, refuses connections or turns read-only, or when SQLite's disk is full,
read-only or locked past the busy timeout, nothing the client sent is wrong and nothing was
stored: each response is written in one transaction, which the database rolls back. The client
(a kiosk's outbox, a phone, an integration) should keep the answer and send it again later under
the same id, so the answer says exactly that: 503, Retry-After, and for the API the same JSON
error document as every other API error. Any other database error is a bug and stays a 500.

The engine also learns two things here: a SQLite connection that hit a read-only file or an I/O
error is thrown away (once the disk is writable again, a fresh connection can write; the old
one never would), as is a PostgreSQL connection whose session is read-only; and PostgreSQL
connection attempts give up after DATABASE_CONNECT_TIMEOUT seconds instead of hanging.
"""

from __future__ import annotations

import gc
import sqlite3
import threading

from flask import Flask, current_app, render_template
from sqlalchemy import event
from sqlalchemy import exc as sa
from werkzeug.exceptions import ServiceUnavailable

from survey.database import read_only_filesystem
from survey.extensions import db

# SQLite reports these as OperationalError; other OperationalErrors ("no such table", a syntax
# error) are bugs in our SQL and must stay 500s.
SQLITE_UNAVAILABLE = ("database is locked", "database or disk is full", "readonly database",
                      "disk i/o error", "unable to open database file")
# Of those, the ones after which this connection stays unusable even once the disk is fixed.
SQLITE_DISCONNECT = ("readonly database", "disk i/o error", "unable to open database file")
# PostgreSQL: a read-only session (hot standby, default_transaction_read_only) is class 25006,
# which psycopg raises as InternalError rather than OperationalError.
PG_READ_ONLY = "25006"
# Set when this process closed its SQLite connections after a storage fault.
_closed_sqlite_connections = threading.Event()


def is_unavailable(error: BaseException) -> bool:
    """True when `error` says the database cannot serve now, not that a request or SQL is bad."""
    if isinstance(error, sa.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(error, sa.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if isinstance(error.orig, sqlite3.Error):
        message = str(error.orig).lower()
        return any(words in message for words in SQLITE_UNAVAILABLE)
    if getattr(error.orig, "sqlstate", None) == PG_READ_ONLY:
        return True
    # psycopg's OperationalError: connection refused or lost, the server shutting down or
    # starting up, too many connections, disk full, a lock or statement timeout: all transient.
    return isinstance(error, sa.OperationalError)


def register_unavailable(app: Flask) -> None:
    """Answer database outages with 503, and teach the engine to recover from them."""
    app.register_error_handler(sa.DBAPIError, _database_error)
    app.register_error_handler(sa.TimeoutError, _database_error)
    with app.app_context():
        event.listen(db.engine, "handle_error", _drop_unusable_connection)
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "do_connect", _collect_closed_sqlite_connections)
        else:
            timeout = app.config["DATABASE_CONNECT_TIMEOUT"]

            def connect_timeout(_dialect, _record, _args, params) -> None:
                # A timeout in DATABASE_URL itself wins. Returning None lets SQLAlchemy connect.
                params.setdefault("connect_timeout", timeout)

            event.listen(db.engine, "do_connect", connect_timeout)


def _database_error(error: Exception):
    if not is_unavailable(error):
        raise error  # a bug: Flask logs it and answers 500
    # Leave no half-done transaction to the next request served by this worker; rolling back a
    # dead connection can itself fail, and there is nothing more to undo then.
    try:
        db.session.rollback()
    except sa.SQLAlchemyError:
        pass
    if _sqlite_to_replace(error, db.engine.url.database):
        # SQLite shares one wal-index mapping among a process's connections to a file and
        # keeps the descriptors of closed ones while others are open: a single connection
        # opened while the disk was read-only keeps every new one read-only (and, holding its
        # read lock, stops checkpoints, so the WAL grows until the disk is full). Close them
        # all now, so the next request starts from a fresh file.
        db.engine.dispose()
        _closed_sqlite_connections.set()
    current_app.logger.warning("database unavailable, answered 503: %s",
                               getattr(error, "orig", None) or error)
    retry_after = current_app.config["DATABASE_RETRY_AFTER"]
    from survey.api.errors import json_http_error, wants_json

    if wants_json():
        return json_http_error(ServiceUnavailable(
            "the database is unavailable for a moment; nothing was stored. Send the same "
            "request again (with the same id) after Retry-After seconds.",
            retry_after=retry_after))
    # Its own page, not base.html: the staff menu and login box would query the database again.
    page = render_template("unavailable.html", retry_after=retry_after)
    return page, 503, {"Retry-After": str(retry_after), "Cache-Control": "no-store"}


def _collect_closed_sqlite_connections(*_args) -> None:
    """Before the first connection after a dispose, really close the old ones.

    A closed sqlite3 connection whose statement a cursor still holds (the failed request's
    traceback references it) stays open inside SQLite until that cursor is freed, which for a
    reference cycle means the cyclic garbage collector: without this, such leftovers piled up
    and kept the read-only wal-index alive for a minute and more.
    """
    if _closed_sqlite_connections.is_set():
        _closed_sqlite_connections.clear()
        gc.collect()


def _sqlite_unusable(error: BaseException) -> bool:
    orig = getattr(error, "orig", error)
    return isinstance(orig, sqlite3.Error) and any(
        words in str(orig).lower() for words in SQLITE_DISCONNECT)


def _sqlite_to_replace(error: BaseException, path: str | None) -> bool:
    """SQLite connections to close after `error`: unusable, unless only for a read-only disk."""
    return _sqlite_unusable(error) and not _read_only_for_now(error, path)


def _read_only_for_now(error: BaseException, path: str | None) -> bool:
    """A write refused because the disk is still read-only: keep the connections.

    A fresh connection to a WAL database on read-only media rebuilds the wal-index in memory
    from the whole WAL (a second or more for a large one), so replacing connections after
    every refused write made each request pay that and a queue of clients starved even the
    health check. Their read-only state is replaced once the disk is writable again: the
    first write then fails the same way, the disk is writable, and they are all closed.
    """
    orig = getattr(error, "orig", error)
    return "readonly database" in str(orig).lower() and read_only_filesystem(path)


def _drop_unusable_connection(context) -> None:
    """Mark errors after which a pooled connection must be replaced, not reused."""
    orig = context.original_exception
    # No engine when a pool's pre-ping fails before a connection is handed out (PostgreSQL
    # restarting): the error is still to be classified, with no SQLite file to look at.
    path = context.engine.url.database if context.engine is not None else None
    if _sqlite_to_replace(orig, path):
        context.is_disconnect = True
    elif getattr(orig, "sqlstate", None) == PG_READ_ONLY:
        # The session took default_transaction_read_only when it connected; only a new
        # connection sees the database writable again.
        context.is_disconnect = True
