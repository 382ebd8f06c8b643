"""Staff authentication (issue #15): open redirects, sessions that outlive logout, a lockout
anyone could trigger and its timing, and cross-site writes through a staff session.

Each test reproduces one finding as it was on main and fails there; the rest of each test pins
what still has to work (same-site paths, the current session after a password change, the
real user from another address, bearer clients, citizens' submissions).
"""

from __future__ import annotations

import io
import os
import uuid
from contextlib import contextmanager

import pytest

from survey.auth.throttle import BUDGETS
from survey.extensions import db
from survey.models import AuditEntry, DossierStat, DossierToken, User
from survey.redirects import local_path
from survey.services import accounts
from survey.services.accounts import users
from survey.services.records.imports import STAT_COLUMNS
from survey.services.reference import load_service_areas
from tests.collect.conftest import make_world
from tests.conftest import csrf_from, make_app
from tests.design.helpers import PASSWORD, login, make_users

EVIL = [
    "/\t/evil.example", "/\\evil.example", "//evil", "https://evil", "/\t/evil",
    "/\n/evil.example", "/\r\n/evil.example", " //evil.example", "\t//evil.example",
    "\\\\evil.example", "/\\/evil.example", "//\\evil.example", "http:/evil.example",
    "https:evil.example", "javascript:alert(1)", "/\x00/evil.example", "\x01//evil.example",
    "evil.example", "///evil.example",
]


# --- 4. redirects only to same-site paths ---------------------------------------------------

@pytest.mark.parametrize("target", EVIL)
def test_the_redirect_check_refuses_what_a_browser_reads_as_another_site(target):
    assert local_path(target) is None


@pytest.mark.parametrize("target", ["/", "/dashboard/?year=2024", "/a/b#c", "/%2F%2Fevil"])
def test_the_redirect_check_keeps_paths_of_this_site(target):
    assert local_path(target) == target


def test_the_language_switch_refuses_percent_encoded_tab_redirects(client):
    # The finding as reported: %09 is a tab, which browsers drop, leaving //evil.example.
    answer = client.get("/lang/en?next=/%09/evil.example")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def _stays_here(answer) -> bool:
    # A NUL in the query string is refused before any view (400); anything else redirects home.
    return (answer.status_code, answer.headers.get("Location")) in ((302, "/"), (400, None))


@pytest.mark.parametrize("target", EVIL)
def test_the_language_switch_redirects_only_to_this_site(client, target):
    assert _stays_here(client.get("/lang/en", query_string={"next": target}))


def test_the_language_switch_returns_to_the_page_it_came_from(client):
    answer = client.get("/lang/en", query_string={"next": "/dashboard/?year=2024"})
    assert answer.headers["Location"] == "/dashboard/?year=2024"


@pytest.fixture
def staff(app):
    make_users(app)
    return app


def _log_in(client, username="analyst", password=PASSWORD, next_=None):
    token = csrf_from(client.get("/auth/login").text)
    return client.post("/auth/login", query_string={"next": next_} if next_ else None,
                       data={"username": username, "password": password, "csrf_token": token})


@pytest.mark.parametrize("target", ["/%09/evil.example", "/%5Cevil.example"])
def test_login_refuses_percent_encoded_redirects(staff, client, target):
    token = csrf_from(client.get("/auth/login").text)
    answer = client.post(f"/auth/login?next={target}", data={
        "username": "analyst", "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_login_redirects_only_to_this_site(staff, client):
    # One client logging in again and again: each login costs a slow hash, not a new app.
    for target in EVIL:
        assert _stays_here(_log_in(client, next_=target)), target


def test_login_returns_to_the_page_that_asked_for_it(staff, client):
    answer = _log_in(client, next_="/auth/password?x=1")
    assert answer.headers["Location"] == "/auth/password?x=1"


# --- 6. logout and a password change end the other sessions ----------------------------------

def _copy_session(app, client):
    """A second browser holding a copy of `client`'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _logged_in(client) -> bool:
    return client.get("/auth/password").status_code == 200  # 302 to the login page otherwise


def test_a_copied_session_cookie_is_refused_after_logout(staff, client):
    _log_in(client)
    thief = _copy_session(staff, client)
    assert _logged_in(thief)  # the copy works while the session lasts
    client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    assert not _logged_in(client)
    assert not _logged_in(thief)


def test_logout_ends_the_users_sessions_in_other_browsers(staff, client):
    _log_in(client)
    other = staff.test_client()
    _log_in(other)
    client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    assert not _logged_in(other)


def test_a_password_change_ends_other_sessions_and_keeps_this_one(staff, client):
    _log_in(client)
    thief = _copy_session(staff, client)
    token = csrf_from(client.get("/auth/password").text)
    answer = client.post("/auth/password", data={
        "current": PASSWORD, "new": "a brand new password", "confirm": "a brand new password",
        "csrf_token": token})
    assert answer.status_code == 302
    assert _logged_in(client)
    assert not _logged_in(thief)


def test_a_remember_me_cookie_is_refused_after_logout(staff, client):
    from flask_login.utils import encode_cookie

    _log_in(client)
    with staff.app_context():
        remember = encode_cookie(_user("analyst").get_id())
    browser = staff.test_client()
    browser.set_cookie("remember_token", remember)
    assert _logged_in(browser)  # the cookie alone logs in while the session lasts
    client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    late = staff.test_client()
    late.set_cookie("remember_token", remember)
    assert not _logged_in(late)


@pytest.mark.parametrize("action", ["reset", "deactivate"])
def test_an_admin_reset_or_deactivation_ends_the_users_sessions(staff, client, action):
    _log_in(client, "designer")
    with staff.app_context():
        designer = _user("designer")
        if action == "reset":
            users.reset_password(designer, "admin")
        else:
            users.update(designer, "designer", None, False, "admin")
        db.session.commit()
    assert not _logged_in(client)


def test_a_session_id_from_before_versions_is_refused(staff, ctx):
    user_id = _user("analyst").id
    assert accounts.user_for_session(str(user_id)) is None
    assert accounts.user_for_session(f"{user_id}:0") is not None
    for odd in ("", ":", f"{user_id}:", f"{user_id}:x", f"{user_id}:²", "x:0", f"{user_id}:0:0"):
        assert accounts.user_for_session(odd) is None


def _user(name: str) -> User:
    return db.session.execute(db.select(User).filter_by(username=name)).scalar_one()


# --- 7. throttling per client instead of a lockout, one hash check per outcome ---------------

def _storages():
    redis_url = os.environ.get("TEST_REDIS_URL")
    return ["memory://", pytest.param(redis_url, id="redis", marks=pytest.mark.skipif(
        not redis_url, reason="TEST_REDIS_URL is not set"))]


@pytest.fixture(params=_storages())
def limited(tmp_path, request):
    """An app whose rate limits are on (the shared fixtures turn them off), counting in memory
    as in development and, when TEST_REDIS_URL is set, in Redis as in production."""
    app = make_app(f"sqlite:///{tmp_path / 'limited.db'}", RATELIMIT_ENABLED=True,
                   RATELIMIT_STORAGE_URI=request.param or "memory://",
                   # Redis keeps counts between runs: each test counts under its own prefix.
                   RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    with app.app_context():
        db.create_all()
        load_service_areas()
        db.session.commit()
    make_users(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _browser(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


PER_ACCOUNT = BUDGETS["account_address"].amount


def test_failures_from_one_address_do_not_lock_the_user_out_elsewhere(limited):
    attacker = _browser(limited, "203.0.113.9")
    codes = [_log_in(attacker, "admin", f"guess-{i}").status_code
             for i in range(PER_ACCOUNT + 3)]
    assert codes[:PER_ACCOUNT] == [200] * PER_ACCOUNT
    assert set(codes[PER_ACCOUNT:]) == {429}
    # Even the right password waits at the attacker's address ...
    assert _log_in(attacker, "admin").status_code == 429
    # ... but the real admin, elsewhere, gets in at once.
    assert _log_in(_browser(limited, "198.51.100.7"), "admin").status_code == 302


def test_a_throttled_answer_says_when_to_retry(limited):
    client = _browser(limited, "203.0.113.10")
    for _ in range(PER_ACCOUNT):
        _log_in(client, "analyst", "wrong password")
    answer = _log_in(client, "analyst", "wrong password")
    assert answer.status_code == 429
    window = BUDGETS["account_address"].get_expiry()
    assert 1 <= int(answer.headers["Retry-After"]) <= window
    assert "Vui lòng thử lại sau" in answer.text


def test_one_address_guessing_many_accounts_is_throttled(limited):
    sprayer = _browser(limited, "203.0.113.11")
    per_address = BUDGETS["address"].amount
    codes = [_log_in(sprayer, f"name{i}", "Password1!").status_code
             for i in range(per_address + 1)]
    assert codes[:per_address] == [200] * per_address and codes[per_address] == 429
    assert _log_in(_browser(limited, "198.51.100.8"), "analyst").status_code == 302


def test_a_success_forgets_the_users_own_typing_mistakes(limited):
    client = _browser(limited, "198.51.100.9")
    for _ in range(PER_ACCOUNT - 1):
        _log_in(client, "analyst", "typo")
    assert _log_in(client, "analyst").status_code == 302
    client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    for _ in range(PER_ACCOUNT - 1):
        assert _log_in(client, "analyst", "typo").status_code == 200


def test_a_burst_is_audited_without_the_password(limited):
    client = _browser(limited, "203.0.113.12")
    for _ in range(PER_ACCOUNT):
        _log_in(client, "admin", "s3cret-guess")
    for _ in range(PER_ACCOUNT):  # a password typed into the username field
        _log_in(client, "my-own-password", "s3cret-guess")
    with limited.app_context():
        entries = list(db.session.execute(
            db.select(AuditEntry).filter_by(action="login_throttled")).scalars())
        assert [(e.entity_key, e.new_values["address"]) for e in entries] == [
            ("admin", "203.0.113.12"), ("", "203.0.113.12")]
        text = repr([(e.entity_key, e.old_values, e.new_values) for e in
                     db.session.execute(db.select(AuditEntry)).scalars()])
        assert "s3cret-guess" not in text and "my-own-password" not in text


@contextmanager
def _counted_hash_checks(monkeypatch):
    calls = []
    real = accounts.check_password_hash

    def counting(stored, password):
        calls.append(stored)
        return real(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    yield calls


def test_every_login_outcome_runs_exactly_one_hash_check(limited, monkeypatch):
    with limited.app_context():
        users.update(_user("designer"), "designer", None, False, "admin")
        db.session.commit()
    throttled = _browser(limited, "203.0.113.13")
    for _ in range(PER_ACCOUNT):
        _log_in(throttled, "analyst", "wrong password")
    outcomes = {
        "unknown user": (_browser(limited, "198.51.100.20"), "nobody", PASSWORD, 200),
        "wrong password": (_browser(limited, "198.51.100.21"), "analyst", "nope", 200),
        "inactive": (_browser(limited, "198.51.100.22"), "designer", PASSWORD, 200),
        "throttled": (throttled, "analyst", PASSWORD, 429),
        "success": (_browser(limited, "198.51.100.23"), "analyst", PASSWORD, 302),
    }
    counts = {}
    for outcome, (client, username, password, status) in outcomes.items():
        token = csrf_from(client.get("/auth/login").text)
        with _counted_hash_checks(monkeypatch) as calls:
            answer = client.post("/auth/login", data={
                "username": username, "password": password, "csrf_token": token})
        assert answer.status_code == status, outcome
        counts[outcome] = len(calls)
    assert counts == dict.fromkeys(outcomes, 1)


def test_the_lockout_is_gone_for_the_services_too(staff, ctx):
    for _ in range(6):  # the old lockout came after 5
        assert accounts.authenticate("admin", "wrong password") is None
    assert accounts.authenticate("admin", PASSWORD) is not None


# --- 8. staff-session writes through the API come from this site ----------------------------

@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """One app for the API tests (setting up questionnaires and users takes seconds); each
    test writes rows of its own (a dossier code, a year) and counts only those."""
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('office') / 'o.db'}")
    with app.app_context():
        db.create_all()
        load_service_areas()
        db.session.commit()
    world = make_world(app, uuid.uuid4().hex)
    make_users(app)
    yield app, world
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _session(office, username: str):
    client = office[0].test_client()
    login(client, username)
    return client


def _stats_csv(year: int) -> bytes:
    row = [f"{year}-Q3", "HN-X01", "land", "120", "80", "15", "60", "130", "5", "18", "2"]
    return (",".join(STAT_COLUMNS) + "\n" + ",".join(row) + "\n").encode()


def _token_body(code: str) -> dict:
    return {"dossier_code": code, "unit": "HN-X01"}


def _tokens_for(office, code: str) -> int:
    with office[0].app_context():
        return db.session.execute(db.select(db.func.count()).select_from(DossierToken)
                                  .filter_by(dossier_code=code)).scalar_one()


def _stats_of(office, year: int) -> int:
    with office[0].app_context():
        return db.session.execute(db.select(db.func.count()).select_from(DossierStat)
                                  .filter_by(year=year)).scalar_one()


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://localhost:8080"},  # another port is another origin
    {"Origin": "https://localhost"},  # and so is another scheme
    {"Referer": "https://evil.example/page"},
    {},  # no Origin, no Referer, no token: nothing says where it came from
    {"Origin": "https://evil.example", "X-CSRFToken": "forged"},
])
def test_a_cross_site_token_request_with_a_staff_session_is_refused(office, headers):
    code = f"D-{uuid.uuid4().hex[:10]}"
    answer = _session(office, "admin").post("/api/v1/dossier-tokens", json=_token_body(code),
                                            headers=headers)
    assert answer.status_code == 403
    assert answer.json["reason"] == "cross-site request"
    assert _tokens_for(office, code) == 0


def test_a_cross_site_multipart_import_with_a_staff_session_is_refused(office):
    answer = _session(office, "data_entry").post(
        "/api/v1/records/import", data={"file": (io.BytesIO(_stats_csv(2021)), "stats.csv")},
        headers={"Origin": "https://evil.example"}, content_type="multipart/form-data")
    assert answer.status_code == 403 and "evil.example" in answer.json["detail"]
    assert _stats_of(office, 2021) == 0


@pytest.mark.parametrize("proof", ["origin", "referer", "csrf header"])
def test_a_same_site_token_request_with_a_staff_session_is_accepted(office, proof):
    client = _session(office, "admin")
    headers = {"origin": {"Origin": "http://localhost"},
               "referer": {"Referer": "http://localhost/dossier-tokens/new"},
               "csrf header": {"X-CSRFToken": csrf_from(client.get("/").text)}}[proof]
    code = f"D-{uuid.uuid4().hex[:10]}"
    answer = client.post("/api/v1/dossier-tokens", json=_token_body(code), headers=headers)
    assert answer.status_code == 201, answer.text
    assert _tokens_for(office, code) == 1


@pytest.mark.parametrize("proof, year", [("origin", 2022), ("form token", 2023)])
def test_a_same_site_multipart_import_with_a_staff_session_is_accepted(office, proof, year):
    client = _session(office, "data_entry")
    data = {"file": (io.BytesIO(_stats_csv(year)), "stats.csv")}
    headers = {}
    if proof == "origin":
        headers["Origin"] = "http://localhost"
    else:
        data["csrf_token"] = csrf_from(client.get("/").text)
    answer = client.post("/api/v1/records/import", data=data, headers=headers,
                         content_type="multipart/form-data")
    assert answer.status_code == 201, answer.text
    assert _stats_of(office, year) == 1


def test_bearer_clients_are_not_asked_for_an_origin(office):
    app, world = office
    code = f"D-{uuid.uuid4().hex[:10]}"
    answer = app.test_client().post(
        "/api/v1/dossier-tokens", json=_token_body(code),
        headers={"Authorization": f"Bearer {world.key}", "Origin": "https://one-stop.example"})
    assert answer.status_code == 201


def test_citizens_submissions_need_no_origin_and_no_session(office):
    # A native client (no Origin, no cookie) and the kiosk page (a same-origin fetch without
    # credentials) both reach the submission endpoint: what it answers is its own business.
    client = office[0].test_client()
    body = {"id": str(uuid.uuid4()), "questionnaire": "dossier_rating", "unit": "HN-X01",
            "channel": "web", "answers": {"rating": 5}}
    native = client.post("/api/v1/responses", json=body)
    kiosk = client.post("/api/v1/responses", json=body, headers={"Origin": "http://localhost"})
    assert native.status_code != 403 and kiosk.status_code != 403
    assert "cross-site" not in native.text + kiosk.text


def test_safe_methods_with_a_session_need_no_origin(office):
    answer = _session(office, "analyst").get("/api/v1/records",
                                             headers={"Origin": "https://evil.example"})
    assert answer.status_code == 200
