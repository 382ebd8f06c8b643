"""Fixtures for the data-entry pages: the published questionnaires, units, one user per role."""

from __future__ import annotations

import pytest

from tests.design.helpers import staffed_app


def entry_app(tmp_path, database_url: str | None = None, **extra):
    return staffed_app(database_url or f"sqlite:///{tmp_path / 'entry.db'}",
                       JOBS_DIR=str(tmp_path / "jobs"), **extra)


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
