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


@pytest.fixture(scope="session")
def pg_migrated():
    """The name of a database migrated to the head with the service areas, made once per test
    process: what `pg_ctx` gives is a server-side copy of it (the migrations cost ~1.5 s)."""
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


@pytest.fixture
def pg_database(pg_url, request):
    """A brand-new database on the server, dropped afterwards: empty, or, for a test that asks
    for `pg_ctx`, a copy of the migrated one (`pg_migrated`)."""
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
