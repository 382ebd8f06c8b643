"""Backing up and restoring the database.

SQLite: SQLite's online backup API copies the database page by page inside a read transaction,
so a running server (in WAL mode) can keep answering while the copy stays consistent. Both the
backup and the restore write a temporary file in the target's directory and rename it over the
target (`os.replace`): a crash leaves either the old file or the new one, never half of each.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean` are the documented tools; this
module builds their command lines from the SQLAlchemy URL, and the password travels in the
PGPASSWORD environment variable, never on a command line that `ps` shows.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, Engine, make_url


class BackupError(RuntimeError):
    """The backup or restore cannot be done as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class PgCommand:
    argv: list[str]
    env: dict[str, str]  # extra environment (PGPASSWORD), never printed

    def shown(self) -> str:
        return " ".join(shlex.quote(a) for a in self.argv)


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for another engine. In-memory is refused."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(parsed.database)


def _copy_into_place(source: sqlite3.Connection, target: Path) -> None:
    """Copy `source` with the backup API into a temporary file, then rename it onto `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                         dir=target.parent)
    os.close(handle)
    try:
        with closing(sqlite3.connect(temporary)) as copy:
            source.backup(copy)
            # One self-contained file: no WAL beside it that a later rename could separate.
            copy.execute("PRAGMA journal_mode = DELETE")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def backup_sqlite(engine: Engine, target: Path) -> None:
    """Copy the live database behind `engine` to `target`, consistently, while others write."""
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        _copy_into_place(raw, target)


def count_responses(connection: sqlite3.Connection) -> int:
    tables = {row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "response" not in tables:
        return 0
    return connection.execute("SELECT count(*) FROM response").fetchone()[0]


def _check_backup(source: Path) -> None:
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as connection:
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not a SQLite database: {error}") from error
    if verdict != "ok":
        raise BackupError(f"{source} is damaged: {verdict}")
    if "response" not in tables:
        raise BackupError(f"{source} is not a hailong database (it has no response table)")


def restore_sqlite(engine: Engine, source: Path, target: Path, force: bool = False) -> int:
    """Replace the database file `target` by the backup `source`; return the responses lost.

    Refuses to overwrite a database that holds responses unless `force`. Stop the server first:
    the engine is disposed here, but another process that still has the file open would go on
    writing to the old, replaced file.
    """
    _check_backup(source)
    if target.exists():
        with closing(sqlite3.connect(target)) as connection:
            held = count_responses(connection)
        if held and not force:
            raise BackupError(f"{target} holds {held} response(s); restoring would replace them."
                              " Use --force if that is what you want")
    else:
        held = 0
    engine.dispose()
    wal = target.with_name(target.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        raise BackupError(f"{wal} is in use: another process (the server?) still has the "
                          "database open. Stop it, then restore")
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as connection:
        _copy_into_place(connection, target)
    for leftover in (wal, target.with_name(target.name + "-shm")):
        leftover.unlink(missing_ok=True)  # empty files of the replaced database
    return held


def libpq_url(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URL (no driver, no password) and the environment with the password."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise BackupError(f"not a PostgreSQL URL: {parsed.get_backend_name()}")
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    plain = URL.create("postgresql", parsed.username, None, parsed.host, parsed.port,
                       parsed.database, parsed.query)
    return plain.render_as_string(hide_password=False), env


def pg_dump_command(url: str, target: Path) -> PgCommand:
    dsn, env = libpq_url(url)
    return PgCommand(["pg_dump", "--format=custom", "--no-owner", f"--file={target}",
                      f"--dbname={dsn}"], env)


def pg_restore_command(url: str, source: Path) -> PgCommand:
    dsn, env = libpq_url(url)
    # --clean --if-exists drops each object before creating it; one transaction keeps a failed
    # restore from leaving half a database.
    return PgCommand(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                      f"--dbname={dsn}", str(source)], env)


def run(command: PgCommand) -> None:
    if shutil.which(command.argv[0]) is None:
        raise BackupError(f"{command.argv[0]} is not installed (PostgreSQL client tools)")
    result = subprocess.run(command.argv, env={**os.environ, **command.env},  # noqa: S603
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command.argv[0]} failed: {result.stderr.strip()}")
