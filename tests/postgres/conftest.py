"""PostgreSQL tests run against the real server named by TEST_DATABASE_URL, in a fresh schema."""

from __future__ import annotations

import pytest

from survey.extensions import db
from tests.conftest import fresh_postgres_databases, make_app, postgres_url

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
    with fresh_postgres_databases(pg_url, "hl_test") as (url,):
        yield url


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
