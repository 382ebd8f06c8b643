"""The public scoreboard on PostgreSQL: the same suppression as the API, and no query in a
spike after the first request."""

from __future__ import annotations

import pytest

from survey.extensions import db
from tests.conftest import fresh_postgres_databases, make_app, postgres_url
from tests.public.conftest import QueryCounter
from tests.public.test_pages import _decisions
from tests.survey import reporting_data as data

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_demo():
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped (.ci/run sets it)")
    with fresh_postgres_databases(url, "hl_public") as (database,):
        app = make_app(database)
        with app.app_context():
            db.create_all()
        keys = data.build(app, scale=0.05)
        yield app, keys
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_public_pages_on_postgres(pg_demo):
    app, keys = pg_demo
    client = app.test_client()
    published = client.get("/public/data/satisfaction.json").get_json()["rows"]
    decisions = _decisions(app.test_client(), keys["analyst"])
    assert published
    for row in published:
        key = (row["area_type"], row["code"], row["year"])
        key += (row["unit_level"],) if row["area_type"] == "unit" else ()
        assert row["suppressed"] == decisions[key]["suppressed"], key
        assert row["share"] == decisions[key]["share"], key
    pages = ["/public/", "/public/units/commune", "/public/units/district", "/public/data",
             "/public/data/on_time.csv"]
    for url in pages:
        assert client.get(url).status_code == 200
    with QueryCounter(app) as spike:
        for i in range(20):
            for url in pages:
                assert app.test_client().get(f"{url}?n={i}").status_code == 200
    assert spike.count == 0
