"""Fixtures shared by every test package: a fresh app and database per test."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from survey import create_app
from survey.extensions import db


def make_app(database_url: str, **extra):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        # Tests of other things send several kiosk answers within seconds; the interval has
        # its own tests (tests/security/test_channels.py), which set it.
        "KIOSK_MIN_INTERVAL_SECONDS": 0,
    }
    config.update(extra)
    return create_app(config)


_templates: dict[str, tuple[Path, object]] = {}


def sqlite_template(name: str, fill=None) -> tuple[Path, object]:
    """A SQLite file with the schema (create_all), the built-in service areas and whatever
    `fill(app)` adds, built once per test process (so once per xdist worker) under `name`;
    with what `fill` returned. Copying it is what a new test database then costs: create_all
    alone runs over a hundred DDL statements, each synced to disk, for every test."""
    if name not in _templates:
        from survey.services.reference import load_service_areas

        folder = Path(tempfile.mkdtemp(prefix=f"hailong-{name}-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / f"{name}.db"
        app = make_app(f"sqlite:///{path}")
        with app.app_context():
            db.create_all()
            load_service_areas()
            db.session.commit()
        made = fill(app) if fill else None
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        # The last connection closed has moved the write-ahead log into the file: the one file
        # is the whole database (WAL mode is kept in it; each copy starts its own log).
        assert not path.with_name(path.name + "-wal").exists()
        _templates[name] = (path, made)
    return _templates[name]


def copy_of_template(path, name: str = "schema", fill=None):
    """The URL of a new SQLite file at `path`, a copy of the template `name`; and what the
    template's `fill` returned."""
    template, made = sqlite_template(name, fill)
    shutil.copyfile(template, path)
    return f"sqlite:///{path}", made


def new_sqlite_database(path) -> str:
    """The URL of a new SQLite file at `path` with the schema and the service areas."""
    return copy_of_template(path)[0]


@contextmanager
def sqlite_app(path):
    """An app on a new SQLite file with the schema and the service areas; disposed after."""
    app = make_app(new_sqlite_database(path))
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    with sqlite_app(tmp_path / "test.db") as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context for service-level tests."""
    with app.app_context():
        yield
        db.session.rollback()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


# The two engines the storage code supports; a test taking `database_url` runs on each.
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def database_of_kind(kind: str, folder, prefix: str):
    """An empty database: a new SQLite file in `folder`, or a brand-new PostgreSQL database on
    TEST_DATABASE_URL's server (skipped without it), dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / (prefix + '.db')}"
        return
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL variant is skipped")
    with fresh_postgres_databases(url, prefix) as (fresh,):
        yield fresh


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """The URL of an empty database, once on SQLite and once on PostgreSQL."""
    with database_of_kind(request.param, tmp_path, "hl_test") as url:
        yield url


@contextmanager
def fresh_postgres_databases(url: str, prefix: str, count: int = 1, template: str | None = None):
    """Brand-new databases on the server named by `url`; yields their URLs, drops them after.
    With `template` (a database's name), each starts as a copy of it: the server copies the
    files, much quicker than building the same rows again (nobody may be connected to it)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    # Unique anyway (a random part); the xdist worker's id says whose a left-over one was.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    names = [f"{prefix}_{worker}_{uuid.uuid4().hex[:12]}" for _ in range(count)]
    # pre-ping: the server may have been restarted meanwhile (tests/reliability does).
    admin = create_engine(base, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as connection:
            for name in names:
                copied = f' TEMPLATE "{template}"' if template else ""
                connection.execute(text(f'CREATE DATABASE "{name}"{copied}'))
        yield [base.set(database=n).render_as_string(hide_password=False) for n in names]
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_migrated():
    """The name of a PostgreSQL database migrated to the head with the service areas, made once
    per test process: a test's database is then a server-side copy of it
    (`fresh_postgres_databases(..., template=pg_migrated)`), where the migrations cost ~1.5 s."""
    from flask_migrate import upgrade
    from sqlalchemy.engine import make_url

    from survey.services.reference import load_service_areas

    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped (.ci/run sets it)")
    with fresh_postgres_databases(url, "hl_migrated") as (database,):
        app = make_app(database)
        with app.app_context():
            upgrade()
            load_service_areas()
            db.session.commit()
            db.session.remove()
            db.engine.dispose()  # a template must have no connection
        yield make_url(database).database
