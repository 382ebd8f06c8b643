"""Writing checked responses on the database driver: one submission, or many paper forms.

SQLAlchemy's execution layer costs more per statement than SQLite takes to run one of these
inserts, and on SQLite every microsecond spent inside the write transaction is spent holding
the one write lock that all workers queue for. So a submission is turned into driver values
before its write turn (`Submission`), and inside it the driver runs a handful of prepared SQL
strings: on SQLite the inserts and the commit; on PostgreSQL one statement whose WITH clauses
insert the response, its answers and its counts together (one round trip, atomic by itself).

Only the success path runs here. When the driver raises anything, nothing was stored (the
transaction is rolled back) and `Redo` tells the caller to store the same submission again
through SQLAlchemy (`responses.store`), which either succeeds or fails the way every other
query fails: a repeated id or a vanished unit as an IntegrityError, an outage as the 503 of
survey/unavailable.py, with the engine's connection handling. Errors are rare (retries,
outages), so they may take the slow road; the citizen's answer is stored by one of the two.

The SQL mirrors what SQLAlchemy's path runs (`store`, `aggregates.apply`, and the two token
updates of `survey.services.tokens`); tests store the same submissions both ways and compare.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from sqlalchemy import Table
from sqlalchemy.engine import Connection

from survey.database import (
    SQLITE_MAX_PARAMETERS,
    bind_processors,
    chunk_sizes,
    on_conflict_sql,
    sqlite_insert_sql,
    unnest_sql,
    write_turn,
)
from survey.extensions import db
from survey.models import Answer, DossierToken, Response
from survey.services import aggregates

RESPONSE_COLUMNS = ("uuid", "version_id", "unit_id", "service_area_id", "procedure_id",
                    "kiosk_id", "desk_id", "link_id", "channel", "respondent_type",
                    "submitted_at", "received_at", "year", "month")
# An answer's values after its response id, the order `Submission.answers` holds them in.
ANSWER_VALUES = ("item_code", "value_int", "value_text", "missing_code")

_RESPONSE: Table = Response.__table__  # type: ignore[assignment]
_ANSWER: Table = Answer.__table__  # type: ignore[assignment]


class Redo(Exception):  # noqa: N818 - an instruction, not an error to report
    """Nothing was stored; store the submission again through SQLAlchemy."""


@dataclass(frozen=True, slots=True)
class CountWrite:
    """Rows to add to one roll-up (or delta) table, as tuples of `columns`."""

    table: Table
    columns: tuple[str, ...]
    rows: list[tuple]
    add_on_conflict: str | None  # the column a row already there adds to, or None


def count_writes(counted: aggregates.Counted, dialect_name: str) -> list[CountWrite]:
    """The rows `aggregates.apply` would write for these counts, table by table."""
    return [CountWrite(table, columns, rows, add)
            for table, columns, rows, add in aggregates.writes(counted, dialect_name) if rows]


@dataclass(slots=True)
class Submission:
    """What storing one checked submission writes, already in driver values."""

    response: tuple  # the RESPONSE_COLUMNS
    answers: list[tuple]  # the ANSWER_VALUES of each answer
    counts: list[CountWrite]
    kiosk_id: int | None = None
    ignored_presses: int = 0
    dossier_token_id: int | None = None
    used_at: object = None  # the dossier token's used_at, a driver value


def driver_values(dialect, table: Table, row: dict, columns: Sequence[str]) -> tuple:
    """`row`'s values for `columns`, converted for the driver as SQLAlchemy would."""
    process = bind_processors(dialect, table)
    return tuple(process[c](row[c]) if c in process else row[c] for c in columns)


def used_at_value(dialect, at: datetime) -> object:
    process = bind_processors(dialect, DossierToken.__table__).get("used_at")
    return process(at) if process else at


def write(submission: Submission) -> int:
    """Store one submission in one transaction on the driver; returns the response's id.

    Raises Redo when the driver raised (nothing is stored then), or when the dossier token
    was used meanwhile (SQLAlchemy's path then says so in its own words).
    """
    engine = db.engine
    dbapi_error = engine.dialect.loaded_dbapi.Error
    try:
        pooled = engine.raw_connection()  # checked and, if need be, replaced by the pool
    except dbapi_error as error:
        raise Redo from error
    try:
        if engine.dialect.name == "postgresql":
            return _write_postgres(pooled, submission, engine.dialect)
        return _write_sqlite(pooled, submission)
    except dbapi_error as error:
        if not isinstance(error, engine.dialect.loaded_dbapi.IntegrityError):
            # the connection may be broken or read-only for good: the pool opens a new one
            pooled.invalidate(error)
        raise Redo from error
    finally:
        pooled.close()


def _write_sqlite(pooled, submission: Submission) -> int:
    connection = pooled.dbapi_connection
    # every statement and parameter list is made before the turn; inside, only the response's
    # new id is filled into the answers' lists (their first parameter)
    answers = _sqlite_chunks(_ANSWER, ("response_id", *ANSWER_VALUES), None,
                             submission.answers, shared_first=True)
    counts = [chunk for write in submission.counts for chunk in _sqlite_chunks(
        write.table, write.columns, write.add_on_conflict, write.rows)]
    cursor = connection.cursor()
    try:
        with write_turn():
            cursor.execute("BEGIN IMMEDIATE")
            try:
                cursor.execute(sqlite_insert_sql(_RESPONSE, RESPONSE_COLUMNS),
                               submission.response)
                response_id = cursor.lastrowid
                for sql, params in answers:
                    params[0] = response_id
                    cursor.execute(sql, params)
                for sql, params in counts:
                    cursor.execute(sql, params)
                if submission.ignored_presses:
                    cursor.execute(_KIOSK_SQLITE, (submission.ignored_presses,
                                                   submission.kiosk_id))
                if submission.dossier_token_id is not None:
                    cursor.execute(_DOSSIER_SQLITE, (submission.used_at, response_id,
                                                     submission.dossier_token_id))
                    if cursor.rowcount != 1:
                        raise Redo("the dossier token was used meanwhile")
                cursor.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.rollback()
                raise
    finally:
        cursor.close()
    return response_id


_KIOSK_SQLITE = "UPDATE kiosk SET ignored_presses = ignored_presses + ? WHERE id = ?"
_DOSSIER_SQLITE = ("UPDATE dossier_token SET used_at = ?, response_id = ? "
                   "WHERE id = ? AND used_at IS NULL")
# SQLite inserts rows faster as one INSERT with many VALUES than one by one (executemany):
# 36 answers take 38 µs instead of 65. Chunks are of a few set sizes (`chunk_sizes`), so a
# connection prepares a few dozen statements and keeps them in its statement cache.
_SUBMISSION_CHUNK = 64  # rows of one submission's statement; answers and counts stay under


def _sqlite_chunks(table: Table, columns: tuple[str, ...], add: str | None, rows: list[tuple],
                   shared_first: bool = False, largest: int = _SUBMISSION_CHUNK
                   ) -> list[tuple[str, list]]:
    """(SQL, parameters) inserting `rows`, a chunk per statement.

    With `shared_first`, the first column is one parameter for all rows (a response's id),
    left None in each list for the caller to fill in, and rows hold the other columns.
    """
    per_row = len(columns) - 1 if shared_first else len(columns)
    largest = max(1, min(largest, (SQLITE_MAX_PARAMETERS - 1) // per_row))
    out, start = [], 0
    for size in chunk_sizes(len(rows), largest):
        params = list(chain.from_iterable(rows[start:start + size]))
        if shared_first:
            params.insert(0, None)
        out.append((sqlite_insert_sql(table, columns, add, size, shared_first), params))
        start += size
    return out


def _write_postgres(pooled, submission: Submission, dialect) -> int:
    """One statement; in autocommit unless a dossier token must be checked before the commit."""
    connection = pooled.dbapi_connection
    shape = (tuple((c.table.name, c.columns, c.add_on_conflict) for c in submission.counts),
             bool(submission.ignored_presses), submission.dossier_token_id is not None)
    sql = _PG_SQL.get(shape)
    if sql is None:
        sql = _PG_SQL[shape] = _postgres_sql(dialect, submission.counts, *shape[1:])
    params = {f"r_{c}": v for c, v in zip(RESPONSE_COLUMNS, submission.response, strict=True)}
    params.update(_arrays(submission.answers, ANSWER_VALUES, "a_"))
    for number, counts in enumerate(submission.counts):
        params.update(_arrays(counts.rows, counts.columns, f"c{number}_"))
    if submission.ignored_presses:
        params.update(k_id=submission.kiosk_id, k_n=submission.ignored_presses)
    checked = submission.dossier_token_id is not None
    if checked:
        params.update(t_id=submission.dossier_token_id, t_at=submission.used_at)
    connection.autocommit = not checked
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if checked:
            if row[1] != 1:
                connection.rollback()
                raise Redo("the dossier token was used meanwhile")
            connection.commit()
    except BaseException:
        if not connection.autocommit and not connection.closed:
            connection.rollback()
        raise
    finally:
        if not connection.closed:
            connection.autocommit = False
    return row[0]


_PG_SQL: dict[tuple, str] = {}


def _arrays(rows: list[tuple], columns: tuple[str, ...], prefix: str) -> dict[str, list]:
    """The `unnest_sql` parameters of these rows: one list per column."""
    if not rows:
        return {f"{prefix}{c}": [] for c in columns}
    return {f"{prefix}{c}": list(values)
            for c, values in zip(columns, zip(*rows, strict=True), strict=True)}


def _postgres_sql(dialect, counts: list[CountWrite], kiosk: bool, dossier: bool) -> str:
    response_types = {c: _RESPONSE.c[c].type.compile(dialect) for c in RESPONSE_COLUMNS}
    values = ", ".join(f"%(r_{c})s::{response_types[c]}" for c in RESPONSE_COLUMNS)
    parts = [
        f"r AS (INSERT INTO response ({', '.join(RESPONSE_COLUMNS)}) VALUES ({values}) "
        "RETURNING id)",
        f"a AS (INSERT INTO answer (response_id, {', '.join(ANSWER_VALUES)}) SELECT r.id, u.* "
        f"FROM r, {unnest_sql(dialect, _ANSWER, ANSWER_VALUES, 'a_')} AS u)",
    ]
    for number, write in enumerate(counts):
        table, columns = write.table, write.columns
        parts.append(f"c{number} AS (INSERT INTO {table.name} ({', '.join(columns)}) "
                     f"SELECT * FROM {unnest_sql(dialect, table, columns, f'c{number}_')}"
                     f"{on_conflict_sql(table, write.add_on_conflict)})")
    if kiosk:
        parts.append("k AS (UPDATE kiosk SET ignored_presses = kiosk.ignored_presses + "
                     "%(k_n)s::integer WHERE id = %(k_id)s::integer)")
    selected = "(SELECT id FROM r)"
    if dossier:
        parts.append("t AS (UPDATE dossier_token SET used_at = %(t_at)s, "
                     "response_id = (SELECT id FROM r) WHERE id = %(t_id)s::integer "
                     "AND used_at IS NULL RETURNING 1)")
        selected += ", (SELECT count(*) FROM t)"
    return f"WITH {', '.join(parts)} SELECT {selected}"


def insert_many(connection: Connection, rows: list[dict],
                answers: list[Mapping[str, object]]) -> list[int]:
    """Insert checked responses (dicts of RESPONSE_COLUMNS) and their answers (one mapping of
    item code to a cleaned answer per response) with a few statements; returns the new ids,
    in order.

    The ids are chosen here: on SQLite the next free ones, which is why the caller's
    transaction must hold the write lock from its start (`begin_write`); on PostgreSQL taken
    from the id sequence. Runs on the caller's SQLAlchemy connection and transaction.
    """
    if not rows:
        return []
    dialect = connection.dialect
    if dialect.name == "postgresql":
        ids = list(connection.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence('response', 'id')) "
            "FROM generate_series(1, %(n)s)", {"n": len(rows)}).scalars())
    else:
        first = connection.exec_driver_sql(
            "SELECT coalesce(max(id), 0) + 1 FROM response").scalar_one()
        ids = list(range(first, first + len(rows)))
    columns = ("id", *RESPONSE_COLUMNS)
    responses = list(zip(ids, *(_column(dialect, c, [row[c] for row in rows])
                                for c in RESPONSE_COLUMNS), strict=True))
    answer_rows = [(rid, code, a.value_int, a.value_text, a.missing_code)  # type: ignore[attr-defined]
                   for rid, given in zip(ids, answers, strict=True) for code, a in given.items()]
    answer_columns = ("response_id", *ANSWER_VALUES)
    if dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"INSERT INTO response ({', '.join(columns)}) SELECT * FROM "
            f"{unnest_sql(dialect, _RESPONSE, columns)}", _arrays(responses, columns, ""))
        if answer_rows:
            connection.exec_driver_sql(
                f"INSERT INTO answer ({', '.join(answer_columns)}) SELECT * FROM "
                f"{unnest_sql(dialect, _ANSWER, answer_columns)}",
                _arrays(answer_rows, answer_columns, ""))
    else:
        for table, names, rows_ in ((_RESPONSE, columns, responses),
                                    (_ANSWER, answer_columns, answer_rows)):
            for sql, params in _sqlite_chunks(table, names, None, rows_,
                                              largest=SQLITE_MAX_PARAMETERS):
                connection.exec_driver_sql(sql, tuple(params))
    return ids


def _column(dialect, name: str, values: list) -> list:
    """One column's values converted for the driver; a value repeated from the row before
    (the batch's receipt time) is converted once."""
    convert = bind_processors(dialect, _RESPONSE).get(name)
    if convert is None:
        return values
    out, last, done = [], object(), None
    for value in values:
        if value is not last:
            last, done = value, convert(value)
        out.append(done)
    return out
