"""Bulk loading of the response and answer tables through the driver, as a DBA would do it.

The loader has its own connection, so the session's settings (SQLite's foreign keys, the
write lock) do not apply to it: secondary indexes and foreign keys are dropped, the rows go in
(COPY on PostgreSQL, executemany on SQLite), then the indexes are built once from sorted data
and the constraints checked once, which is far faster than maintaining them row by row.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

RESPONSE_COLUMNS = ("id", "uuid", "version_id", "unit_id", "service_area_id", "channel",
                    "respondent_type", "submitted_at", "year", "month")
ANSWER_COLUMNS = ("response_id", "item_code", "value_int", "value_text", "missing_code")
TABLES = ("response", "answer")
COUNT_TABLES = ("answer_count", "answer_count_unit", "answer_count_year", "element_pair_unit",
                "element_pair_year", "element_item_unit", "element_item_year")


@contextmanager
def bulk_writer(url):
    """A writer for the tables of the database at `url` (a SQLAlchemy URL)."""
    if url.get_backend_name() == "postgresql":
        writer = _PostgresWriter(url)
    else:
        writer = _SqliteWriter(url.database)
    try:
        yield writer
        writer.finish()
    finally:
        writer.close()


def libpq_url(url) -> str:
    """A SQLAlchemy URL as psycopg's own connection string."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class _SqliteWriter:
    def __init__(self, path: str):
        self.connection = sqlite3.connect(path, isolation_level=None, timeout=60)
        # A loader that crashes leaves a half-written benchmark database, never a real one:
        # durability is not needed, a large page cache is.
        self.connection.execute("PRAGMA synchronous = OFF")
        self.connection.execute("PRAGMA cache_size = -262144")
        self.connection.execute("PRAGMA foreign_keys = OFF")
        self.indexes = [sql for (sql,) in self.connection.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('response', 'answer')")]
        for (name,) in self.connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN ('response', 'answer')").fetchall():
            self.connection.execute(f'DROP INDEX "{name}"')

    def _insert(self, table: str, columns: tuple, rows) -> None:
        marks = ", ".join("?" * len(columns))
        # One transaction per chunk: the WAL is checkpointed between chunks instead of
        # growing to the size of the whole data set.
        self.connection.execute("BEGIN")
        self.connection.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        self.connection.execute("COMMIT")

    def responses(self, *columns) -> None:
        self._insert("response", (*RESPONSE_COLUMNS, "received_at"),
                     zip(*columns, columns[7], strict=True))

    def answers(self, *columns) -> None:
        self._insert("answer", ANSWER_COLUMNS, zip(*columns, strict=True))

    def rows(self, table: str, columns: tuple, rows: list[tuple]) -> None:
        self._insert(table, columns, rows)

    def finish(self) -> None:
        for sql in self.indexes:
            self.connection.execute(sql)

    def close(self) -> None:
        self.connection.close()


def drop_secondary(connection, tables) -> list[str]:
    """Drop the foreign keys, unique constraints and plain indexes of `tables` (and foreign
    keys pointing at them), not their primary keys, which take rows in key order cheaply;
    returns the DDL that builds them again, indexes first."""
    ddl = []
    constraints = connection.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE contype IN ('f', 'u') "
        "AND (conrelid::regclass::text = ANY(%s) OR confrelid::regclass::text = ANY(%s))",
        (list(tables), list(tables))).fetchall()
    indexes = connection.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid::regclass::text = ANY(%s) AND NOT indisprimary "
        "AND indexrelid NOT IN (SELECT conindid FROM pg_constraint)",
        (list(tables),)).fetchall()
    for table, name, definition in constraints:
        connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        ddl.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in indexes:
        connection.execute(f"DROP INDEX {name}")
        ddl.insert(0, definition)  # indexes first: the foreign keys check through them
    return ddl


def copy_rows(connection, table: str, columns, rows, freeze: bool = False) -> None:
    """COPY plain tuples into a PostgreSQL table; FREEZE when the table was emptied in this
    transaction (the rows need no later vacuum to be visible to every query)."""
    options = " (FREEZE)" if freeze else ""
    with connection.cursor().copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN{options}") as copy:
        for row in rows:
            copy.write_row(row)


class _PostgresWriter:
    """COPY ... FREEZE into the tables truncated in the same transaction: the rows are written
    already frozen and visible to all, so no VACUUM pass is needed before index-only scans."""

    def __init__(self, url):
        import psycopg

        self.connection = psycopg.connect(libpq_url(url))
        self.connection.execute("SET maintenance_work_mem = '512MB'")
        self.deferred = drop_secondary(self.connection, TABLES)
        self.connection.execute(f"TRUNCATE {', '.join(TABLES + COUNT_TABLES)} CASCADE")

    def _copy(self, table: str, columns: tuple, rows) -> None:
        copy_rows(self.connection, table, columns, rows, freeze=True)

    def responses(self, *columns) -> None:
        self._copy("response", (*RESPONSE_COLUMNS, "received_at"),
                   zip(*columns, columns[7], strict=True))

    def answers(self, *columns) -> None:
        self._copy("answer", ANSWER_COLUMNS, zip(*columns, strict=True))

    def rows(self, table: str, columns: tuple, rows: list[tuple]) -> None:
        self._copy(table, columns, rows)

    def finish(self) -> None:
        for statement in self.deferred:
            self.connection.execute(statement)
        # COPY wrote the ids itself: the next response the application stores follows them
        self.connection.execute("SELECT setval(pg_get_serial_sequence('response', 'id'), "
                                "(SELECT max(id) FROM response))")
        self.connection.commit()

    def close(self) -> None:
        self.connection.close()
