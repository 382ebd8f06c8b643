"""An app with a small province, two procedures and a published questionnaire."""

from __future__ import annotations

import pytest

from survey.extensions import db
from tests.conftest import sqlite_app
from tests.investigation.helpers import KEY, build_province


@pytest.fixture
def app(tmp_path):
    with sqlite_app(tmp_path / "test.db") as app:
        app.config["CONTACT_KEY"] = KEY
        with app.app_context():
            build_province()
            db.session.commit()
        yield app


@pytest.fixture
def db_path(app):
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
