"""Fixtures shared by every test package: a fresh app and database per test."""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager

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


@contextmanager
def sqlite_app(path):
    """An app on a new SQLite file with the schema and the service areas; disposed after."""
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        from survey.services.reference import load_service_areas

        load_service_areas()
        db.session.commit()
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


@contextmanager
def fresh_postgres_databases(url: str, prefix: str, count: int = 1):
    """Brand-new databases on the server named by `url`; yields their URLs, drops them after."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    names = [f"{prefix}_{uuid.uuid4().hex[:12]}" for _ in range(count)]
    # pre-ping: the server may have been restarted meanwhile (tests/reliability does).
    admin = create_engine(base, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield [base.set(database=n).render_as_string(hide_password=False) for n in names]
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
