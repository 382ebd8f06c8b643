"""One small demo database per test module, and a logged-in analyst client."""

from __future__ import annotations

import pytest

from tests.conftest import make_app
from tests.survey import reporting_data as data

PASSWORD = "mot-mat-khau-dai"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('dash') / 'dash.db'}",
                   WTF_CSRF_ENABLED=False)
    from survey.extensions import db
    from survey.services.accounts import create_user

    with app.app_context():
        db.create_all()
    keys = data.build(app, scale=0.1)
    with app.app_context():
        create_user("officer1", PASSWORD, "unit_officer", "ST-H01")
        db.session.commit()
    yield app, keys
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def login(app, username: str = "analyst1"):
    client = app.test_client()
    answer = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 302
    return client


@pytest.fixture(scope="module")
def analyst(demo):
    return login(demo[0])
