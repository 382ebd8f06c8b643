"""PostgreSQL tests run against the real server named by TEST_DATABASE_URL, in a fresh schema."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from survey.extensions import db
from tests.conftest import make_app, postgres_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url():
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped (.ci/run sets it)")
    return url


@pytest.fixture
def pg_database(pg_url):
    """A brand-new database on the server, dropped afterwards."""
    base = make_url(pg_url)
    name = f"hl_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_app(pg_database):
    app = make_app(pg_database)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def pg_ctx(pg_app):
    from flask_migrate import upgrade

    from survey.services.reference import load_service_areas

    with pg_app.app_context():
        upgrade()
        load_service_areas()
        db.session.commit()
        yield
        db.session.rollback()
