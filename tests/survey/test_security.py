"""Security headers, session cookies, tokens kept out of logs, no addresses stored."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import inspect

from survey.extensions import db
from survey.models import Answer, Kiosk, Response
from survey.security import REDACTED, RedactTokens, redact
from tests.conftest import csrf_from, make_app
from tests.design.helpers import PASSWORD, login, make_users


def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize("url", ["/", "/auth/login", "/healthz", "/nowhere", "/k/sw.js",
                                 "/api/v1/openapi.json"])
def test_every_response_carries_the_headers(client, url):
    response = client.get(url)
    response.close()  # a file download holds its file open until closed
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # not over plain development HTTP
    policy = _policy(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # never inline scripts, never eval
    assert policy["style-src"] == "'self' 'unsafe-inline'"  # plotly.js writes style attributes
    assert policy["img-src"] == "'self' data:"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["worker-src"] == "'self'"


def test_production_adds_hsts(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'p.db'}", HAILONG_ENV="production",
                   SECRET_KEY="x" * 40, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15")
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    with app.app_context():
        db.engine.dispose()


def test_the_production_config_makes_cookies_secure():
    from survey.config import from_environment

    config = from_environment("/tmp", {"HAILONG_ENV": "production"})
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("production", [False, True])
def test_the_session_cookie_is_httponly_lax_and_secure_in_production(tmp_path, production):
    from survey.config import from_environment

    env = {"HAILONG_ENV": "production" if production else "development"}
    cookie_config = {k: v for k, v in from_environment("/tmp", env).items() if "COOKIE" in k}
    app = make_app(f"sqlite:///{tmp_path / 'c.db'}", **cookie_config)
    with app.app_context():
        db.create_all()
    make_users(app)
    client = app.test_client()
    page = client.get("/auth/login")
    answer = client.post("/auth/login", data={"username": "admin", "password": PASSWORD,
                                              "csrf_token": csrf_from(page.text)})
    cookies = answer.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    attributes = [part.strip().lower() for part in session.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert ("secure" in attributes) is production
    with app.app_context():
        db.engine.dispose()


def test_the_anomalies_page_is_for_admins_in_vietnamese(app, client):
    make_users(app)
    assert client.get("/security/anomalies").status_code == 302  # to the login page
    login(client, "analyst")
    assert client.get("/security/anomalies").status_code == 403
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get("/security/anomalies")
    assert page.status_code == 200
    assert "Dấu hiệu bất thường" in page.text and "Lần bấm bị bỏ qua" in page.text
    assert "Không phát hiện trường hợp nào." in page.text
    assert 'href="/security/anomalies"' in page.text  # in the staff menu
    english = admin.get("/security/anomalies?lang=en")
    assert "Ignored presses" in english.text


@pytest.mark.parametrize(("line", "secret"), [
    ('127.0.0.1 - - "GET /k/eyJrIjo1LCJuIjoiYWJjIn0.ZmFrZXNpZw HTTP/1.1" 200 -',
     "eyJrIjo1LCJuIjoiYWJjIn0.ZmFrZXNpZw"),
    ('"POST /s/Ab3dEf9hIjKlMnOp?lang=vi HTTP/1.1" 302', "Ab3dEf9hIjKlMnOp"),
    ('"GET /r/2b7e151628aed2a6abf7158809cf4f3c/qr.svg HTTP/1.1"',
     "2b7e151628aed2a6abf7158809cf4f3c"),
    ('"GET /collect/poster?token=s3cr3t-v4lue HTTP/1.1"', "s3cr3t-v4lue"),
])
def test_tokens_are_redacted_from_request_lines(line, secret):
    cleaned = redact(line)
    assert secret not in cleaned and REDACTED in cleaned


def test_ordinary_paths_are_left_alone():
    for line in ('"GET /k/sw.js HTTP/1.1"', '"GET /dashboard/service/land HTTP/1.1"',
                 '"GET /static/js/kiosk.js HTTP/1.1"'):
        assert redact(line) == line


def test_the_filter_rewrites_werkzeug_records(app, caplog):
    logger = logging.getLogger("werkzeug")
    assert any(isinstance(f, RedactTokens) for f in logger.filters)
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('%s - - "%s" %s', "127.0.0.1", "GET /k/abcdefghijklmnop HTTP/1.1", 200)
    assert "abcdefghijklmnop" not in caplog.text
    assert f"GET /k/{REDACTED} HTTP/1.1" in caplog.text


def test_the_filter_covers_gunicorn_access_logs(app):
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1,
                               '%(h)s "%(r)s" %(s)s', ({"h": "10.0.0.1", "s": "200",
                                                        "r": "GET /s/QwErTyUiOp123456 HTTP/1.1"},),
                               None)
    assert any(isinstance(f, RedactTokens) for f in logging.getLogger("gunicorn.access").filters)
    RedactTokens().filter(record)
    assert record.getMessage() == f'10.0.0.1 "GET /s/{REDACTED} HTTP/1.1" 200'


ADDRESS_LIKE = ("ip", "addr", "address", "remote", "user_agent", "agent", "host", "mac")


@pytest.mark.parametrize("model", [Response, Answer, Kiosk])
def test_no_column_could_hold_a_network_address(app, model):
    with app.app_context():
        columns = [c["name"] for c in inspect(db.engine).get_columns(model.__tablename__)]
    assert columns
    for name in columns:
        words = name.lower().split("_")
        assert not any(word in ADDRESS_LIKE for word in words), f"{model.__tablename__}.{name}"
        assert "user_agent" not in name.lower()
