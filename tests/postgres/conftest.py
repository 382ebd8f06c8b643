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
def pg_database(pg_url, request):
    """A brand-new database on the server, dropped afterwards: empty, or, for a test that asks
    for `pg_ctx`, a copy of the migrated one (`pg_migrated`, tests/conftest.py)."""
    template = request.getfixturevalue("pg_migrated") if "pg_ctx" in request.fixturenames \
        else None
    with fresh_postgres_databases(pg_url, "hl_test", template=template) as (url,):
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
    """An application context on a database migrated to the head with the service areas
    (`pg_database` copied it from `pg_migrated`)."""
    with pg_app.app_context():
        yield
        db.session.rollback()
