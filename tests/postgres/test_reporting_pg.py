"""The same generated data in SQLite and in PostgreSQL gives identical API answers."""

import pytest

from survey.extensions import db
from tests.conftest import make_app
from tests.survey import reporting_data as data

pytestmark = pytest.mark.postgres

URLS = (
    "/api/v1/indices?by=year,service_area",
    "/api/v1/indices?by=unit&rollup=district",
    "/api/v1/indices?by=quarter,level,channel&measure=item:c1_courtesy",
    "/api/v1/indices?by=demographic:sex,respondent_type&from=2024",
    "/api/v1/indices?by=procedure_group&measure=elements",
    "/api/v1/indices?stream=dossier_rating&by=unit,month",
    "/api/v1/trends?by=service_area",
    "/api/v1/elements",
    "/api/v1/elements?unit=ST-H01&from=2024",  # the unit-level element roll-ups
    "/api/v1/elements?channel=phone",  # a filter they do not keep: the scan
    "/api/v1/weighted?from=2024&to=2025",
)


def _rounded(value):
    if isinstance(value, float):
        return round(value, 10)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _answers(app, keys) -> dict:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {keys['analyst']}"}
    out = {}
    for url in URLS:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, (url, answer.json)
        out[url] = _rounded(answer.json)
    return out


def test_sqlite_and_postgres_answer_the_same(pg_app, tmp_path):
    from flask_migrate import upgrade

    with pg_app.app_context():
        upgrade()
    on_postgres = _answers(pg_app, data.build(pg_app, scale=0.1))
    lite = make_app(f"sqlite:///{tmp_path / 'lite.db'}")
    with lite.app_context():
        db.create_all()
    on_sqlite = _answers(lite, data.build(lite, scale=0.1))
    with lite.app_context():
        db.engine.dispose()
    for url in URLS:
        assert on_postgres[url] == on_sqlite[url], url
    assert on_sqlite[URLS[0]]["rows"], "the comparison must compare something"
