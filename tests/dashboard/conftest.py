"""One small demo database per test module, and a logged-in analyst client."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

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


def serve(app):
    """The app on a real HTTP server on a free port, for one browser fixture (`yield from`)."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join()


def sign_in(page, server: str, username: str = "analyst1", lang: str | None = None) -> None:
    """Log a Playwright page in through the login form."""
    page.goto(server + "/auth/login" + (f"?lang={lang}" if lang else ""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit] >> nth=-1")
    page.wait_for_load_state()


def signed_in_state(browser, server: str, username: str = "analyst1") -> dict:
    """A user's cookies, logged in once, for new browser contexts (`storage_state=`)."""
    context = browser.new_context()
    sign_in(context.new_page(), server, username)
    state = context.storage_state()
    context.close()
    return state
