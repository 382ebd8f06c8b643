"""The public pages, staff login with its throttle, CSRF and the language switch."""

import pytest

from survey.auth.throttle import BUDGETS
from survey.extensions import db
from survey.services.accounts import create_user
from tests.conftest import csrf_from, make_app

PASSWORD = "mot-mat-khau-dai"


@pytest.fixture
def staff(app):
    with app.app_context():
        create_user("lan", PASSWORD, "analyst")
        db.session.commit()


def login(client, password=PASSWORD, username="lan"):
    token = csrf_from(client.get("/auth/login").text)
    return client.post(
        "/auth/login", data={"username": username, "password": password, "csrf_token": token}
    )


def test_home_is_vietnamese_by_default_and_switches_to_english(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="vi"' in page.text and "Sự hài lòng của người dân" in page.text
    switched = client.get("/lang/en?next=/")
    assert switched.status_code == 302 and switched.headers["Location"] == "/"
    page = client.get("/")
    assert 'lang="en"' in page.text and "Citizen satisfaction with public" in page.text


def test_language_switch_refuses_open_redirects(client):
    assert client.get("/lang/en?next=//evil.example").headers["Location"] == "/"
    assert client.get("/lang/en?next=https://evil.example").headers["Location"] == "/"


def test_healthz_checks_the_database(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'missing-dir' / 'nope' / 'x.db'}")
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.json["database"] == "unreachable"


def test_login_and_logout(client, staff):
    answer = login(client)
    assert answer.status_code == 302
    assert "lan" in client.get("/").text
    token = csrf_from(client.get("/").text)
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert "Đăng nhập cán bộ" in client.get("/").text


def test_wrong_password_is_refused_in_vietnamese(client, staff):
    answer = login(client, password="sai-mat-khau")
    assert answer.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu" in answer.text


def test_repeated_failures_do_not_lock_the_account(client, staff):
    # No lockout any more (anyone could keep staff out with it); tests/security/test_auth.py
    # covers the throttle that replaced it.
    for _ in range(10):
        login(client, password="sai-mat-khau")
    assert login(client).status_code == 302


def test_login_without_csrf_token_is_refused(client, staff):
    answer = client.post("/auth/login", data={"username": "lan", "password": PASSWORD})
    assert answer.status_code == 400


def test_login_is_rate_limited(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'r.db'}", RATELIMIT_ENABLED=True)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    # Guessing needs a valid CSRF token (a request without one is refused before the view),
    # so the limit is on what reaches the password check: failed attempts at one account.
    token = csrf_from(client.get("/auth/login").text)
    allowed = BUDGETS["account_address"].amount
    codes = [
        client.post(
            "/auth/login", data={"username": "x", "password": "y", "csrf_token": token}
        ).status_code
        for _ in range(allowed + 2)
    ]
    assert codes[:allowed] == [200] * allowed and codes[allowed:] == [429, 429]
