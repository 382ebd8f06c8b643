"""Fixtures for the data-entry pages: the published questionnaires, units, one user per role."""

from __future__ import annotations

import pytest

from survey.services import questionnaires as qservice
from tests.conftest import make_app
from tests.design.helpers import make_users


def entry_app(tmp_path, database_url: str | None = None, **extra):
    from survey.extensions import db
    from survey.services.reference import load_service_areas

    app = make_app(database_url or f"sqlite:///{tmp_path / 'entry.db'}",
                   JOBS_DIR=str(tmp_path / "jobs"), **extra)
    with app.app_context():
        db.create_all()
        load_service_areas()
        qservice.load_and_publish_builtins()
        db.session.commit()
    make_users(app)
    return app


def stop_jobs(app) -> None:
    from survey.extensions import db

    found = app.extensions.get("hailong_jobs")
    if found is not None and found.consumer is not None:
        found.consumer.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    app = entry_app(tmp_path)
    yield app
    stop_jobs(app)
