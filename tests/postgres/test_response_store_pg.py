"""On PostgreSQL too, the driver's one-statement write and the bulk paper import store exactly
what SQLAlchemy's path stores."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from survey.extensions import db
from tests.collect.conftest import make_world
from tests.collect.storing import (
    as_submission,
    dump,
    paper_csv,
    paper_forms,
    submissions,
    through_sqlalchemy_only,
)
from tests.conftest import fresh_postgres_databases, make_app

pytestmark = pytest.mark.postgres


@contextmanager
def two_apps(pg_url):
    from flask_migrate import upgrade

    from survey.services.reference import load_service_areas

    with fresh_postgres_databases(pg_url, "hl_store", 2) as urls:
        apps = [make_app(url) for url in urls]
        try:
            for app in apps:
                with app.app_context():
                    upgrade()
                    load_service_areas()
                    db.session.commit()
            yield apps
        finally:
            for app in apps:
                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()


def test_the_driver_path_stores_what_sqlalchemy_stores_on_postgres(pg_url, monkeypatch):
    with two_apps(pg_url) as (fast_app, reference):
        fast = submissions(fast_app, fast_app.test_client(), make_world(fast_app))
        with monkeypatch.context() as patched:
            through_sqlalchemy_only(patched)
            slow = submissions(reference, reference.test_client(), make_world(reference))
        assert [status for status, _ in fast] == [201] * 7 + [200]
        assert fast == slow
        stored, expected = dump(fast_app), dump(reference)
    assert stored == expected and stored["differences"] == []
    assert stored["presses"] == [3] and all(used for _, used, _ in stored["receipts"])
    # the sources: one answer through a desk's QR code, one through a web link
    assert [r[6:9] for r in stored["responses"]].count((True, False, "phone")) == 1
    assert [r[6:9] for r in stored["responses"]].count((False, True, "web")) == 1


def test_the_batch_import_stores_what_the_api_stores_on_postgres(pg_url, tmp_path, monkeypatch):
    from survey.services import paper_import
    from survey.services import questionnaires as qservice
    from tests.collect.conftest import land_answers

    monkeypatch.setattr(paper_import, "BATCH", 2)
    monkeypatch.setattr(paper_import, "COUNT_BATCH", 4)
    with two_apps(pg_url) as (imported_app, reference):
        world = make_world(imported_app)
        clerk = make_world(reference).data_entry  # paper comes only through data entry
        with imported_app.app_context():
            land = land_answers(qservice.definition_of(qservice.get_version("land_survey")))
            forms = paper_forms(world, land, 11)
            result = paper_import.import_file(paper_csv(tmp_path / "forms.csv", forms))
            db.session.commit()
        assert result.imported == 11
        client = reference.test_client()
        for form in forms:
            assert client.post("/api/v1/responses", json=as_submission(form),
                               headers=clerk).status_code == 201
        imported, expected = dump(imported_app), dump(reference)
    assert imported == expected and imported["differences"] == []
