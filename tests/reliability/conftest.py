"""Fixtures of the reliability scenarios: prepared databases, gunicorn servers, the results."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import fresh_postgres_databases, postgres_url
from tests.reliability import results as results_table
from tests.reliability.gunicorn import Gunicorn
from tests.reliability.settings import RESULTS, ROOT
from tests.reliability.target import SECRET_KEY, Target, prepare

NO_POSTGRES = "TEST_DATABASE_URL is not set: PostgreSQL reliability scenarios skipped"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/reliability/" in str(item.fspath):
            item.add_marker(pytest.mark.reliability)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def results():
    """Rows of the results table; written to RELIABILITY_RESULTS when the run ends."""
    rows: list[results_table.Row] = []
    yield rows
    if RESULTS and rows:
        directory = Path(RESULTS)
        results_table.write(rows, directory if directory.is_absolute() else ROOT / directory)


@pytest.fixture
def sqlite_target(tmp_path) -> Target:
    return prepare("SQLite", f"sqlite:///{tmp_path / 'hailong.db'}")


@pytest.fixture
def postgres_target():
    url = postgres_url()
    if url is None:
        pytest.skip(NO_POSTGRES)
    with fresh_postgres_databases(url, "hl_reliability") as (database,):
        yield prepare("PostgreSQL", database)


@pytest.fixture
def target(request) -> Target:
    """The database named by the test's `database` parameter."""
    name = {"SQLite": "sqlite_target", "PostgreSQL": "postgres_target"}[request.param]
    return request.getfixturevalue(name)


@pytest.fixture
def serve(tmp_path):
    """Start gunicorn on a prepared database; every server is stopped afterwards."""
    servers: list[Gunicorn] = []

    def start(target: Target, **options) -> Gunicorn:
        server = Gunicorn(target.url, SECRET_KEY, tmp_path / f"gunicorn-{len(servers)}",
                          **options)
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.kill()
