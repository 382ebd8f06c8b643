"""A personal link sent twice at the same moment on a real PostgreSQL (migrated schema): the
case row's lock makes the second send wait for the first and find the case completed, so one
response is stored. The store is slowed inside the transaction so the two sends overlap."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date

import pytest

from survey.extensions import db
from survey.models import Response, SampleCase
from survey.services import questionnaires as qservice
from survey.services import responses as rservice
from survey.services.investigation import cases, fieldwork
from survey.services.investigation.draw import draw_sample
from survey.services.investigation.frame_import import import_frame
from survey.services.investigation.investigations import create, start_fieldwork
from tests.conftest import fresh_postgres_databases, make_app, postgres_url
from tests.investigation.helpers import KEY, build_province, csv_bytes, frame

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app():
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped (.ci/run sets it)")
    from flask_migrate import upgrade

    from survey.services.reference import load_service_areas

    with fresh_postgres_databases(url, "hl_fieldwork") as (database,):
        app = make_app(database, CONTACT_KEY=KEY)
        with app.app_context():
            upgrade()
            load_service_areas()
            qservice.load_and_publish_builtins()
            build_province()
            db.session.commit()
            inv = create("PG-1", "Điều tra", "dossier_rating", date(2025, 1, 1),
                         date(2025, 12, 31), {"strata": ["service_area"], "minimum": 5,
                                              "size": {"method": "fixed", "n": 12}})
            import_frame(inv, csv_bytes(frame(200)), "f.csv")
            draw_sample(inv, seed=3)
            start_fieldwork(inv)
            db.session.commit()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_two_simultaneous_sends_of_one_link_store_one_response(pg_app, monkeypatch):
    with pg_app.app_context():
        case = db.session.execute(db.select(SampleCase).limit(1)).scalar_one()
        case_id = case.id
        token = cases.issue_link(case)
        found = fieldwork.link_case(token)
        db.session.commit()
    real_store = rservice.store

    def slow_store(prepared, counts=None):
        result = real_store(prepared, counts)
        time.sleep(0.6)  # the other send arrives while this transaction holds the case
        return result

    monkeypatch.setattr(rservice, "store", slow_store)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def send():
        payload = {"id": str(uuid.uuid4()), "questionnaire": found.questionnaire_code,
                   "unit": found.unit_code, "service_area": found.service_area,
                   "answers": {"rating": 3}}
        with pg_app.app_context():
            start.wait()
            try:
                fieldwork.submit_by_link(token, payload, "vi")
                outcomes.append("stored")
            except rservice.TokenAlreadyUsed:
                outcomes.append("used")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["stored", "used"]
    with pg_app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Response)) \
            .scalar_one() == 1
        case = db.session.get(SampleCase, case_id)
        assert case.status == "completed" and case.response_id is not None
        assert [e.to_status for e in case.events] == ["issued", "completed"]
