"""`hailong backup` and `hailong restore`: a restored database equals the original, row by row."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from survey.extensions import db
from survey.models import Base
from survey.services import backup as service
from survey.services.demo import load_demo
from tests.conftest import copy_of_template, fresh_postgres_databases, make_app, postgres_url


def table_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table of the models, in primary-key order."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {table.name: [tuple(row) for row in connection.execute(
                select(table).order_by(*table.primary_key.columns))]
                for table in Base.metadata.sorted_tables}
    finally:
        engine.dispose()


def demo_app(url: str):
    app = make_app(url)
    with app.app_context():
        db.create_all()
        load_demo(scale=0.02)
        db.session.commit()
        db.session.remove()
    return app


def _load_demo(app) -> None:
    with app.app_context():
        load_demo(scale=0.02)
        db.session.commit()
        db.session.remove()


@pytest.fixture
def source(tmp_path):
    # the demo loaded once per test process, each test a copy of that file (~3 s a test less)
    app = make_app(copy_of_template(tmp_path / "live.db", "backup-demo", _load_demo)[0])
    yield app
    with app.app_context():
        db.engine.dispose()


def _fresh(path):
    app = make_app(f"sqlite:///{path}")
    return app, app.test_cli_runner()


def test_backup_then_restore_into_a_fresh_database_gives_every_row_back(source, tmp_path):
    archive = tmp_path / "backups" / "hailong.sqlite"
    result = source.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    target, runner = _fresh(tmp_path / "restored.db")
    result = runner.invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    original = table_rows(source.config["SQLALCHEMY_DATABASE_URI"])
    assert sum(len(rows) for rows in original.values()) > 1000
    assert len(original["response"]) > 0 and len(original["answer"]) > 0
    assert table_rows(target.config["SQLALCHEMY_DATABASE_URI"]) == original
    assert not list((tmp_path / "backups").glob(".*tmp"))  # the temporary file was renamed


def test_a_backup_taken_during_a_write_holds_only_committed_rows(source, tmp_path):
    live = make_url(source.config["SQLALCHEMY_DATABASE_URI"]).database
    before = len(table_rows(source.config["SQLALCHEMY_DATABASE_URI"])["response"])
    with closing(sqlite3.connect(live, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM answer")
        writer.execute("DELETE FROM response")  # not committed while the backup runs
        result = source.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.db")])
        writer.execute("ROLLBACK")
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(tmp_path / "b.db")) as copy:
        assert service.count_responses(copy) == before
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_restore_refuses_to_overwrite_responses_without_force(source, tmp_path):
    archive = tmp_path / "empty.sqlite"
    empty = make_app(f"sqlite:///{tmp_path / 'empty.db'}")
    with empty.app_context():
        db.create_all()
        db.engine.dispose()
    shutil.copy(tmp_path / "empty.db", archive)
    runner = source.test_cli_runner()
    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code == 1
    assert "response(s)" in refused.output and "--force" in refused.output
    url = source.config["SQLALCHEMY_DATABASE_URI"]
    assert len(table_rows(url)["response"]) > 0  # untouched
    forced = runner.invoke(args=["restore", "--force", str(archive)])
    assert forced.exit_code == 0, forced.output
    assert table_rows(url)["response"] == []


def test_restore_refuses_a_file_that_is_not_a_hailong_database(tmp_path):
    _, runner = _fresh(tmp_path / "target.db")
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database at all, just some words " * 100)
    result = runner.invoke(args=["restore", str(junk)])
    assert result.exit_code == 1 and "not a SQLite database" in result.output
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE t (x)")
    result = runner.invoke(args=["restore", str(other)])
    assert result.exit_code == 1 and "no response table" in result.output
    missing = runner.invoke(args=["restore", str(tmp_path / "missing.db")])
    assert missing.exit_code == 1 and "no such file" in missing.output


def test_postgres_urls_become_libpq_urls_with_the_password_kept_off_the_command_line():
    command = service.pg_dump_command(
        "postgresql+psycopg://hl:s3cret@db.example:5433/hailong", "out.dump")
    assert command.argv[:2] == ["pg_dump", "--format=custom"]
    assert "--dbname=postgresql://hl@db.example:5433/hailong" in command.argv
    assert "s3cret" not in command.shown() and command.env == {"PGPASSWORD": "s3cret"}
    restore = service.pg_restore_command("postgresql+psycopg://hl@db/hailong", "in.dump")
    assert restore.argv[:3] == ["pg_restore", "--clean", "--if-exists"]
    assert restore.env == {}
    with pytest.raises(service.BackupError):
        service.libpq_url("sqlite:///x.db")


# --- PostgreSQL ---------------------------------------------------------------------------


@pytest.fixture
def pg_databases():
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL backup test is skipped")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not installed")
    with fresh_postgres_databases(url, "hl_backup", count=2) as urls:
        yield urls


def test_postgres_without_run_prints_the_recipe(tmp_path):
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:5432/hailong")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 0, result.output
    assert "pg_dump --format=custom" in result.output
    assert "--dbname=postgresql://postgres@127.0.0.1:5432/hailong" in result.output
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "x.dump")])
    assert result.exit_code == 0 and "pg_restore --clean" in result.output


@pytest.mark.postgres
def test_postgres_backup_and_restore_with_run(pg_databases, tmp_path):
    original_url, fresh_url = pg_databases
    app = demo_app(original_url)
    archive = tmp_path / "hailong.dump"
    target = make_app(fresh_url)
    try:
        result = app.test_cli_runner().invoke(args=["backup", "--run", str(archive)])
        assert result.exit_code == 0, result.output
        result = target.test_cli_runner().invoke(args=["restore", "--run", str(archive)])
        assert result.exit_code == 0, result.output
        original = table_rows(original_url)
        assert len(original["response"]) > 0
        assert table_rows(fresh_url) == original
        # now the restored database holds responses: a second restore needs --force
        again = target.test_cli_runner().invoke(args=["restore", "--run", str(archive)])
        assert again.exit_code == 1 and "--force" in again.output
        forced = target.test_cli_runner().invoke(
            args=["restore", "--run", "--force", str(archive)])
        assert forced.exit_code == 0, forced.output
        assert table_rows(fresh_url) == original
    finally:
        with app.app_context():
            db.engine.dispose()
        with target.app_context():
            db.engine.dispose()
