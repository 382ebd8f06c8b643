"""One small demo database per test module, and a logged-in analyst client."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import copy_of_template, make_app
from tests.survey import reporting_data as data

PASSWORD = "mot-mat-khau-dai"


def _fill_demo(app) -> dict[str, str]:
    from survey.extensions import db
    from survey.services.accounts import create_user

    keys = data.build(app, scale=0.1)
    with app.app_context():
        create_user("officer1", PASSWORD, "unit_officer", "ST-H01")
        db.session.commit()
    return keys


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    # Each module gets its own copy of one demo database built once per test process.
    url, keys = copy_of_template(tmp_path_factory.mktemp("dash") / "dash.db", "dashboard-demo",
                                 _fill_demo)
    app = make_app(url, WTF_CSRF_ENABLED=False)
    from survey.extensions import db

    yield app, dict(keys)
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
