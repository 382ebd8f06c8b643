"""Every channel proves its origin, dates its answers inside its window, and floods are bounded.

Each test reproduces a finding of the integrity review (issue #15) against the API and the
citizen pages: before the fix, each of these stored what it must refuse.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from survey.extensions import db
from survey.models import Kiosk, Response, WebLink
from survey.services import closed_years, tokens
from survey.services import questionnaires as qservice
from survey.services.accounts import create_api_key
from survey.services.periods import LOCAL_TZ
from tests.collect.conftest import land_answers, make_world
from tests.conftest import csrf_from, make_app, sqlite_app

API = "/api/v1/responses"


@pytest.fixture
def world(app):
    return make_world(app, uuid.uuid4().hex)


@pytest.fixture
def land(app, world):
    with app.app_context():
        return land_answers(qservice.definition_of(qservice.get_version("land_survey")))


def _stored(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count(Response.id))).scalar()


def _kiosk_token(app, world, created_days_ago: float = 30) -> str:
    with app.app_context():
        kiosk = db.session.get(Kiosk, world.kiosk_id)
        kiosk.created_at = datetime.now(UTC) - timedelta(days=created_days_ago)
        db.session.commit()
        return tokens.kiosk_token(kiosk)


def _link(app, world, questionnaire="land_survey", **values) -> str:
    with app.app_context():
        row = WebLink(label="Trang web xã", unit_id=_unit_id(world),
                      questionnaire=qservice.get(questionnaire), token_nonce=uuid.uuid4().hex,
                      **values)
        db.session.add(row)
        db.session.commit()
        return tokens.link_token(row)


def _unit_id(world) -> int:
    from survey.models import Unit

    return db.session.execute(db.select(Unit.id).filter_by(code=world.unit_code)).scalar_one()


def _rating(world, **extra) -> dict:
    return {"id": str(uuid.uuid4()), "questionnaire": "dossier_rating", "unit": world.unit_code,
            "answers": {"rating": 3}, **extra}


def _ago(**delta) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


# --- 1. every channel proves its origin --------------------------------------------------------


@pytest.mark.parametrize("channel", ["kiosk", "phone", "web"])
def test_a_channel_without_its_token_stores_nothing(app, client, world, land, channel):
    body = {"id": str(uuid.uuid4()), "questionnaire": "land_survey", "unit": world.unit_code,
            "channel": channel, "answers": land}
    reply = client.post(API, json=body)
    assert reply.status_code == 422
    assert f"channel {channel} needs" in reply.json["errors"]["token"]
    assert _stored(app) == 0


def test_a_token_of_another_kind_does_not_prove_a_channel(app, client, world, land):
    """A kiosk token cannot vouch for "phone", a desk poster's QR code not for "web"."""
    kiosk = _kiosk_token(app, world)
    reply = client.post(API, json=_rating(world, channel="phone", token=kiosk))
    assert reply.status_code == 422 and "phone needs" in reply.json["errors"]["token"]
    with app.app_context():
        qr = tokens.qr_token(world.unit_code, None, "land_survey")
    body = {"id": str(uuid.uuid4()), "questionnaire": "land_survey", "unit": world.unit_code,
            "channel": "web", "token": qr, "answers": land}
    reply = client.post(API, json=body)
    assert reply.status_code == 422 and "web needs" in reply.json["errors"]["token"]
    assert _stored(app) == 0


def test_each_channel_with_its_proof_is_stored_with_its_source(app, client, world, land):
    with app.app_context():
        qr = tokens.qr_token(world.unit_code, world.desk_code, "land_survey")
    link = _link(app, world)
    kiosk = _kiosk_token(app, world)
    sent = [
        {"questionnaire": "land_survey", "channel": "phone", "token": qr, "answers": land},
        {"questionnaire": "land_survey", "channel": "web", "token": link, "answers": land},
        {"questionnaire": "dossier_rating", "channel": "kiosk", "token": kiosk,
         "answers": {"rating": 3}},
    ]
    for body in sent:
        reply = client.post(API, json={**body, "id": str(uuid.uuid4()), "unit": world.unit_code})
        assert reply.status_code == 201, reply.json
    with app.app_context():
        rows = db.session.execute(db.select(Response.channel, Response.desk_id,
                                            Response.link_id, Response.kiosk_id)
                                  .order_by(Response.id)).all()
    assert [r.channel for r in rows] == ["phone", "web", "kiosk"]
    assert rows[0].desk_id is not None and rows[1].link_id is not None
    assert rows[2].kiosk_id == world.kiosk_id


def test_paper_comes_only_through_data_entry(app, client, world, land):
    body = {"id": str(uuid.uuid4()), "questionnaire": "land_survey", "unit": world.unit_code,
            "channel": "paper", "submitted_at": "2024-05-02T09:00:00", "answers": land}
    anonymous = client.post(API, json=body)
    assert anonymous.status_code == 401 and "paper import" in anonymous.json["detail"]
    with app.app_context():
        analyst = create_api_key("analyst-key", "analyst").key
        db.session.commit()
    forbidden = client.post(API, json=body, headers={"Authorization": f"Bearer {analyst}"})
    assert forbidden.status_code == 403
    assert _stored(app) == 0
    allowed = client.post(API, json=body, headers={"Authorization": f"Bearer {world.key}"})
    assert allowed.status_code == 201 and allowed.json["channel"] == "paper"


def test_data_entry_needs_no_token_but_a_token_it_sends_must_suit_the_channel(app, client, world):
    kiosk = _kiosk_token(app, world)
    auth = {"Authorization": f"Bearer {world.key}"}
    wrong = client.post(API, json=_rating(world, channel="web", token=kiosk), headers=auth)
    assert wrong.status_code == 422 and "web needs" in wrong.json["errors"]["token"]
    bare = client.post(API, json=_rating(world, channel="kiosk",
                                         submitted_at="2024-02-02T10:00:00"), headers=auth)
    assert bare.status_code == 201
    assert _stored(app) == 1


def test_a_revoked_or_expired_web_link_proves_nothing(app, client, world, land):
    revoked = _link(app, world, revoked_at=datetime.now(UTC))
    expired = _link(app, world, expires_at=datetime.now(UTC) - timedelta(minutes=1))
    for token in (revoked, expired):
        body = {"id": str(uuid.uuid4()), "questionnaire": "land_survey",
                "unit": world.unit_code, "channel": "web", "token": token, "answers": land}
        reply = client.post(API, json=body)
        assert reply.status_code == 422
        assert reply.json["errors"]["token"] == "this web link has been switched off"
        assert client.get(f"/w/{token}").status_code == 410
    assert _stored(app) == 0


# --- 2. answers dated only inside the window their proof justifies ----------------------------


def test_a_kiosk_queue_may_date_answers_back_only_within_its_window(app, client, world):
    token = _kiosk_token(app, world, created_days_ago=30)
    ok = client.post(API, json=_rating(world, channel="kiosk", token=token,
                                       submitted_at=_ago(days=6)))
    assert ok.status_code == 201
    too_old = client.post(API, json=_rating(world, channel="kiosk", token=token,
                                            submitted_at=_ago(days=8)))
    assert too_old.status_code == 422
    assert too_old.json["errors"]["submitted_at"].startswith("earlier than this kiosk allows")
    future = client.post(API, json=_rating(world, channel="kiosk", token=token,
                                           submitted_at=_ago(minutes=-30)))
    assert future.status_code == 422 and future.json["errors"]["submitted_at"] == "in the future"
    assert _stored(app) == 1


def test_a_kiosk_cannot_date_answers_before_it_was_issued(app, client, world):
    token = _kiosk_token(app, world, created_days_ago=1)
    reply = client.post(API, json=_rating(world, channel="kiosk", token=token,
                                          submitted_at=_ago(days=3)))
    assert reply.status_code == 422 and "submitted_at" in reply.json["errors"]
    assert _stored(app) == 0


def test_phone_and_web_answers_are_dated_now(app, client, world, land):
    with app.app_context():
        qr = tokens.qr_token(world.unit_code, None, "land_survey")
    body = {"questionnaire": "land_survey", "unit": world.unit_code, "channel": "phone",
            "token": qr, "answers": land}
    backdated = client.post(API, json={**body, "id": str(uuid.uuid4()),
                                       "submitted_at": "2021-06-01T10:00:00"})
    assert backdated.status_code == 422 and "submitted_at" in backdated.json["errors"]
    recent = client.post(API, json={**body, "id": str(uuid.uuid4()),
                                    "submitted_at": _ago(hours=2)})
    assert recent.status_code == 201


def test_no_channel_adds_to_a_closed_year(app, client, world, land):
    last_year = datetime.now(LOCAL_TZ).year - 1
    with app.app_context():
        closed_years.close_year(last_year, actor="test")
        db.session.commit()
    body = {"id": str(uuid.uuid4()), "questionnaire": "land_survey", "unit": world.unit_code,
            "channel": "paper", "submitted_at": f"{last_year}-06-01T10:00:00", "answers": land}
    reply = client.post(API, json=body, headers={"Authorization": f"Bearer {world.key}"})
    assert reply.status_code == 422
    assert reply.json["errors"]["submitted_at"] == f"in {last_year}, a year closed for reporting"
    with app.app_context():
        closed_years.reopen_year(last_year, actor="test", reason="a correction")
        db.session.commit()
    again = client.post(API, json=body, headers={"Authorization": f"Bearer {world.key}"})
    assert again.status_code == 201


def test_the_year_in_progress_cannot_be_closed(app):
    with app.app_context(), pytest.raises(closed_years.YearError, match="ended"):
        closed_years.close_year(datetime.now(LOCAL_TZ).year, actor="test")


# --- 3. a kiosk stores no faster than people can use it -----------------------------------------


def test_a_kiosk_answer_too_soon_after_another_is_counted_not_stored(tmp_path):
    with sqlite_app(tmp_path / "k.db") as app:
        app.config["KIOSK_MIN_INTERVAL_SECONDS"] = 5
        client = app.test_client()
        world = make_world(app, uuid.uuid4().hex)
        token = _kiosk_token(app, world)
        start = datetime.now(UTC) - timedelta(minutes=10)
        at = [start + timedelta(seconds=s) for s in (0, 2, 4, 10, 30, 31)]
        replies = [client.post(API, json=_rating(world, channel="kiosk", token=token,
                                                 submitted_at=t.isoformat())) for t in at]
        assert [r.status_code for r in replies] == [201, 202, 202, 201, 201, 202]
        assert replies[1].json["stored"] is False
        assert _stored(app) == 3
        with app.app_context():
            assert db.session.get(Kiosk, world.kiosk_id).throttled_responses == 3
        # A retry of a stored answer is still answered with it, not throttled.
        first = replies[0].json
        retry = client.post(API, json=_rating(world, channel="kiosk", token=token,
                                              id=first["id"], submitted_at=first["submitted_at"]))
        assert retry.status_code == 200 and retry.json["id"] == first["id"]


def test_the_interval_can_be_set_per_kiosk(tmp_path):
    with sqlite_app(tmp_path / "k.db") as app:
        app.config["KIOSK_MIN_INTERVAL_SECONDS"] = 5
        client = app.test_client()
        world = make_world(app, uuid.uuid4().hex)
        token = _kiosk_token(app, world)
        with app.app_context():
            db.session.get(Kiosk, world.kiosk_id).min_interval_seconds = 60
            db.session.commit()
        start = datetime.now(UTC) - timedelta(minutes=10)
        codes = [client.post(API, json=_rating(world, channel="kiosk", token=token,
                                               submitted_at=(start + timedelta(seconds=s))
                                               .isoformat())).status_code
                 for s in (0, 30, 61)]
        assert codes == [201, 202, 201]


# --- 4. one rendered form stores at most one response ------------------------------------------


def test_a_kiosk_page_posted_again_stores_one_response(app, client, world):
    token = _kiosk_token(app, world)
    page = client.get(f"/k/{token}").get_data(as_text=True)
    response_id = re.search(r'name="response_id" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf_from(page), "response_id": response_id, "q_rating": "3"}
    codes = [client.post(f"/k/{token}", data=form).status_code for _ in range(5)]
    assert codes == [200] * 5
    assert _stored(app) == 1
    # An id the server did not sign into the page stores nothing.
    forged = client.post(f"/k/{token}", data={**form, "response_id": str(uuid.uuid4())})
    assert forged.status_code == 200
    assert _stored(app) == 1


def test_a_phone_page_sent_twice_stores_one_response(app, client, world):
    with app.app_context():
        qr = tokens.qr_token(world.unit_code, None, "dossier_rating")
    page = client.get(f"/s/{qr}").get_data(as_text=True)
    form = {name: value for name, value in re.findall(
        r'name="(csrf_token|response_id|version|section|carried)"[^>]*value="([^"]*)"', page)}
    form = {k: v.replace("&#34;", '"').replace("&quot;", '"') for k, v in form.items()}
    form.update(q_rating="3", action="send")
    first = client.post(f"/s/{qr}", data=form)
    second = client.post(f"/s/{qr}", data=form)
    assert first.status_code == second.status_code == 302
    assert _stored(app) == 1
    forged = client.post(f"/s/{qr}", data={**form, "response_id": str(uuid.uuid4())})
    assert forged.status_code == 200
    assert "Send again" in forged.get_data(as_text=True) or \
        "Gửi lại" in forged.get_data(as_text=True)
    assert _stored(app) == 1


# --- 5. rate limits: per client and per token, with Retry-After ---------------------------------


def _limited_app(tmp_path, **limits):
    app = make_app(f"sqlite:///{tmp_path / 'r.db'}", RATELIMIT_ENABLED=True,
                   RATELIMIT_STORAGE_URI="memory://", **limits)
    with app.app_context():
        db.create_all()
    return app


def test_a_flood_through_one_token_is_refused_with_retry_after(tmp_path):
    app = _limited_app(tmp_path, RESPONSES_TOKEN_RATE_LIMIT="3 per minute",
                       RESPONSES_RATE_LIMIT="100 per minute")
    client = app.test_client()
    token = "a.forged-" + uuid.uuid4().hex
    codes = [client.post(API, json={"token": token}, environ_base={
        "REMOTE_ADDR": f"10.0.0.{n}"}).status_code for n in range(5)]
    assert codes[:3] != [429] * 3 and codes[3:] == [429, 429]
    refused = client.post(API, json={"token": token})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    # another token from the same clients is not held back
    assert client.post(API, json={"token": "other.token"}).status_code != 429


def test_a_flood_from_one_client_is_refused_whatever_the_token(tmp_path):
    app = _limited_app(tmp_path, RESPONSES_RATE_LIMIT="4 per minute",
                       RESPONSES_TOKEN_RATE_LIMIT="100 per minute")
    client = app.test_client()
    codes = [client.post(API, json={"token": f"t.{n}"}).status_code for n in range(6)]
    assert codes[4:] == [429, 429] and 429 not in codes[:4]
    assert client.post(API, json={}, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code != 429


def test_citizen_form_posts_are_rate_limited(tmp_path):
    app = _limited_app(tmp_path, FORM_RATE_LIMIT="100 per minute",
                       FORM_TOKEN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    codes = [client.post("/s/some.token", data={}, environ_base={
        "REMOTE_ADDR": f"10.0.1.{n}"}).status_code for n in range(3)]
    assert codes[2] == 429 and 429 not in codes[:2]
    assert "Retry-After" in client.post("/s/some.token").headers


WORKER = textwrap.dedent("""
    import json, sys
    from tests.conftest import make_app
    app = make_app(sys.argv[1], RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=sys.argv[2],
                   RESPONSES_TOKEN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    print(json.dumps([client.post("/api/v1/responses", json={"token": sys.argv[3]}).status_code
                      for _ in range(2)]))
""")


def _two_workers(database: str, storage: str) -> list[int]:
    """Two processes (as two gunicorn workers) each sending two answers with one token."""
    token = "shared." + uuid.uuid4().hex
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, database, storage, token],
                                stdout=subprocess.PIPE, text=True) for _ in range(2)]
    codes: list[int] = []
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        codes += json.loads(out.strip().splitlines()[-1])
    return codes


def test_limits_are_shared_across_workers_with_redis(tmp_path):
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL is not set")
    with sqlite_app(tmp_path / "w.db"):
        pass
    codes = _two_workers(f"sqlite:///{tmp_path / 'w.db'}", redis_url)
    assert codes.count(429) == 1, codes  # 4 requests, a limit of 3 shared by both workers
    # The embedded memory:// storage counts per process: each worker allows the whole limit
    # (which is why production refuses it; see tests/survey/test_config.py).
    assert _two_workers(f"sqlite:///{tmp_path / 'w.db'}", "memory://").count(429) == 0


# --- 6. strings the decoders accept but no database can store ----------------------------------


@pytest.mark.parametrize("field", ["questionnaire", "unit", "token", "answers.comment"])
def test_a_lone_surrogate_is_refused_naming_its_field(app, client, world, field):
    body = _rating(world, channel="kiosk", token=_kiosk_token(app, world))
    if field == "answers.comment":
        body["answers"]["comment"] = "PLACEHOLDER"
    else:
        body[field] = "PLACEHOLDER"
    raw = json.dumps(body).replace("PLACEHOLDER", "x\\ud800y")
    reply = client.post(API, data=raw, content_type="application/json")
    assert reply.status_code == 422, reply.get_data(as_text=True)
    assert field.removeprefix("answers.") in reply.json["errors"]
    assert _stored(app) == 0


# --- 7. officers issue and switch off web links ---------------------------------------------------


def test_an_officer_issues_a_web_link_that_works_until_switched_off(app, client, land):
    from tests.design.helpers import login, make_users, post

    with app.app_context():
        qservice.load_and_publish_builtins()
        db.session.commit()
    make_users(app)  # the unit officer belongs to HN-X01
    login(client, "unit_officer")
    outside = post(client, "/kiosks", "/links", {"label": "Web xã bên", "unit": "HN-X02",
                                                 "questionnaire": "land_survey"})
    assert outside.status_code == 422  # not their unit: refused, nothing issued
    made = post(client, "/kiosks", "/links", {"label": "Cổng thông tin xã", "unit": "HN-X01",
                                              "questionnaire": "land_survey", "days": "30"})
    assert made.status_code == 302
    page = client.get("/kiosks").get_data(as_text=True)
    assert "Cổng thông tin xã" in page
    token = re.search(r'href="http://localhost/w/([^"]+)"', page).group(1)
    with app.app_context():
        link = db.session.execute(db.select(WebLink)).scalar_one()
        assert link.created_by == "unit_officer" and link.expires_at is not None
        link_id = link.id
    citizen = app.test_client()
    body = {"id": str(uuid.uuid4()), "questionnaire": "land_survey", "unit": "HN-X01",
            "channel": "web", "token": token, "answers": land}
    assert citizen.get(f"/w/{token}").status_code == 200
    assert citizen.post(API, json=body).status_code == 201
    assert post(client, "/kiosks", f"/links/{link_id}/revoke").status_code == 302
    again = citizen.post(API, json={**body, "id": str(uuid.uuid4())})
    assert again.status_code == 422
    assert citizen.get(f"/w/{token}").status_code == 410
