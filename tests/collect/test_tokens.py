"""Kiosk tokens, desk QR contexts and single-use dossier tokens."""

from __future__ import annotations

import uuid

import pytest

from survey.extensions import db
from survey.models import AuditEntry, DossierToken, Kiosk, Response, Unit, now_utc
from survey.services import tokens
from survey.services.accounts import create_api_key
from tests.collect.test_kiosk_admin import login
from tests.conftest import csrf_from


def issue(client, world, **body):
    return client.post("/api/v1/dossier-tokens",
                       json={"dossier_code": "000.00.12.H01-250601-0001", "unit": world.unit_code,
                             **body},
                       headers={"Authorization": f"Bearer {world.key}"})


def rating(world, token, value=3, **extra):
    return {"id": str(uuid.uuid4()), "questionnaire": "dossier_rating", "unit": world.unit_code,
            "channel": "phone", "token": token, "answers": {"rating": value}, **extra}


def test_issuing_needs_a_key_with_the_capability(app, client, world):
    assert client.post("/api/v1/dossier-tokens", json={}).status_code == 401
    with app.app_context():
        analyst = create_api_key("reader", "analyst").key
        db.session.commit()
    reply = client.post("/api/v1/dossier-tokens", json={"dossier_code": "X", "unit": "HN"},
                        headers={"Authorization": f"Bearer {analyst}"})
    assert reply.status_code == 403


def test_a_dossier_token_rates_once_and_only_its_hash_is_stored(app, client, world):
    issued = issue(client, world)
    assert issued.status_code == 201
    token = issued.json["token"]
    assert issued.json["url"].endswith(f"/r/{token}")
    first = client.post("/api/v1/responses", json=rating(world, token))
    assert first.status_code == 201
    second = client.post("/api/v1/responses", json=rating(world, token))
    assert second.status_code == 409 and "already been rated" in second.json["detail"]
    page = client.get(f"/r/{token}")
    assert page.status_code == 409 and "đã được đánh giá" in page.text
    with app.app_context():
        row = db.session.execute(db.select(DossierToken)).scalar_one()
        assert row.token_hash == tokens.hash_token(token) and token not in row.token_hash
        stored = db.session.execute(db.select(Response)).scalar_one()
        assert row.response_id == stored.id and row.used_at is not None


def test_a_dossier_token_must_match_unit_and_questionnaire(client, world):
    token = issue(client, world).json["token"]
    reply = client.post("/api/v1/responses", json=rating(world, token, unit="HN"))
    assert reply.status_code == 422 and "unit" in reply.json["errors"]
    unknown = client.post("/api/v1/responses", json=rating(world, "made-up-token"))
    assert unknown.status_code == 422 and "token" in unknown.json["errors"]


def test_issuing_refuses_unknown_units(client, world):
    reply = issue(client, world, unit="NOWHERE")
    assert reply.status_code == 422 and "unit" in reply.json["errors"]


def test_the_on_time_status_is_recorded_later(app, client, world):
    issue(client, world)
    headers = {"Authorization": f"Bearer {world.key}"}
    url = "/api/v1/dossier-tokens/000.00.12.H01-250601-0001/on-time-status"
    assert client.put(url, json={"on_time_status": "sometime"}, headers=headers).status_code == 422
    assert client.put(url, json={"on_time_status": "late"}, headers=headers).status_code == 200
    assert client.put("/api/v1/dossier-tokens/NONE/on-time-status",
                      json={"on_time_status": "late"}, headers=headers).status_code == 404
    with app.app_context():
        assert db.session.execute(db.select(DossierToken.on_time_status)).scalar_one() == "late"


def kiosk_token(app, world):
    with app.app_context():
        return tokens.kiosk_token(db.session.get(Kiosk, world.kiosk_id))


def test_a_kiosk_token_opens_the_kiosk_and_a_forged_one_is_refused(app, client, world):
    token = kiosk_token(app, world)
    page = client.get(f"/k/{token}")
    assert page.status_code == 200 and 'id="kiosk-form"' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    refused = client.get(f"/k/{forged}")
    assert refused.status_code == 403 and "kiosk-form" not in refused.text


def test_a_revoked_kiosk_is_refused_and_its_submissions_too(app, client, world):
    token = kiosk_token(app, world)
    with app.app_context():
        db.session.get(Kiosk, world.kiosk_id).revoked_at = now_utc()
        db.session.commit()
    assert client.get(f"/k/{token}").status_code == 403
    reply = client.post("/api/v1/responses",
                        json=rating(world, token, channel="kiosk"))
    assert reply.status_code == 422 and "token" in reply.json["errors"]


def test_kiosk_submissions_count_ignored_presses_and_link_the_kiosk(app, client, world):
    token = kiosk_token(app, world)
    wrong_channel = client.post("/api/v1/responses", json=rating(world, token))
    # a kiosk token proves the kiosk channel only
    assert wrong_channel.status_code == 422
    assert "channel phone needs" in wrong_channel.json["errors"]["token"]
    for presses in (2, 3):
        reply = client.post("/api/v1/responses",
                            json=rating(world, token, channel="kiosk", ignored_presses=presses))
        assert reply.status_code == 201
    with app.app_context():  # a phone answer with its proof, but no kiosk to count presses
        qr = tokens.qr_token(world.unit_code, world.desk_code, "dossier_rating")
    not_a_kiosk = client.post("/api/v1/responses", json=rating(world, qr, ignored_presses=1))
    assert not_a_kiosk.status_code == 422
    assert set(not_a_kiosk.json["errors"]) == {"ignored_presses"}
    with app.app_context():
        assert db.session.get(Kiosk, world.kiosk_id).ignored_presses == 5
        assert set(db.session.execute(db.select(Response.kiosk_id)).scalars()) == {world.kiosk_id}


def test_a_tampered_qr_context_is_refused_kindly(app, client, world):
    with app.app_context():
        good = tokens.qr_token(world.unit_code, world.desk_code, "land_survey")
    assert client.get(f"/s/{good}").status_code == 200
    other = good.replace(good.split(".")[0], good.split(".")[0][::-1])
    page = client.get(f"/s/{other}")
    assert page.status_code == 404 and "Đường dẫn này không dùng được" in page.text


# --- one live token per dossier (#16) ---------------------------------------------------------


def test_issuing_a_dossier_again_switches_the_earlier_code_off(app, client, world):
    first = issue(client, world).json["token"]
    again = issue(client, world)
    assert again.status_code == 201
    second = again.json["token"]
    assert second != first
    old_page = client.get(f"/r/{first}")
    assert old_page.status_code == 410 and "đã được thay thế" in old_page.text
    refused = client.post("/api/v1/responses", json=rating(world, first))
    assert refused.status_code == 422 and "token" in refused.json["errors"]
    assert client.post("/api/v1/responses", json=rating(world, second)).status_code == 201
    with app.app_context():
        rows = db.session.execute(db.select(DossierToken).order_by(DossierToken.id)).scalars()
        live = [(r.revoked_at is None, r.used_at is not None) for r in rows]
        actions = db.session.execute(db.select(AuditEntry.action).filter_by(
            entity_type="dossier_token")).scalars().all()
    assert live == [(False, False), (True, True)]
    assert actions == ["issue_token", "reissue_token"]


def test_a_dossier_already_rated_gets_no_new_code(app, client, world):
    token = issue(client, world).json["token"]
    assert client.post("/api/v1/responses", json=rating(world, token)).status_code == 201
    again = issue(client, world)
    assert again.status_code == 409 and "already rated" in again.json["detail"]
    assert again.json["used_at"]
    with app.app_context():
        rows = db.session.execute(db.select(DossierToken)).scalars().all()
        assert len(rows) == 1 and rows[0].revoked_at is None  # the used token stays used


def test_the_officers_page_says_a_dossier_was_already_rated(app, client, world):
    token = issue(client, world).json["token"]
    assert client.post("/api/v1/responses", json=rating(world, token)).status_code == 201
    login(client, app)
    form = client.get("/dossier-tokens/new")
    again = client.post("/dossier-tokens/new", data={
        "csrf_token": csrf_from(form.text), "dossier_code": "000.00.12.H01-250601-0001",
        "unit": world.unit_code})
    assert again.status_code == 409 and "Hồ sơ này đã được đánh giá lúc" in again.text
    other = client.post("/dossier-tokens/new", data={
        "csrf_token": csrf_from(form.text), "dossier_code": "HS-NEW", "unit": world.unit_code})
    assert other.status_code == 200 and "không còn dùng được" not in other.text
    reprint = client.post("/dossier-tokens/new", data={
        "csrf_token": csrf_from(form.text), "dossier_code": "HS-NEW", "unit": world.unit_code})
    assert reprint.status_code == 200 and "không còn dùng được" in reprint.text


def test_a_unit_officer_cannot_switch_off_another_units_code(app, client, world):
    with app.app_context():
        from tests import factories

        other = factories.unit("HN-X02", "commune", db.session.execute(
            db.select(Unit).filter_by(code="HN")).scalar_one())
        db.session.commit()
        tokens.issue_dossier_token("HS-SHARED", other.code)
        db.session.commit()
    login(client, app, "unit_officer", world.unit_code)
    form = client.get("/dossier-tokens/new")
    reply = client.post("/dossier-tokens/new", data={
        "csrf_token": csrf_from(form.text), "dossier_code": "HS-SHARED", "unit": world.unit_code})
    assert reply.status_code == 200 and "outside your units" in reply.text
    with app.app_context():
        row = db.session.execute(db.select(DossierToken)).scalar_one()
        assert row.revoked_at is None


def test_the_migration_keeps_one_live_token_per_dossier(tmp_path):
    """0011 switches off the duplicates issued before it: the newest unused one stays live,
    and none where the dossier was already rated."""
    from flask_migrate import upgrade

    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'm.db'}")
    with app.app_context():
        upgrade(revision="0010")
        run = db.session.execute
        run(db.text("INSERT INTO unit (id, code, name_vi, name_en, level, path) "
                    "VALUES (1, 'U', 'U', 'U', 'commune', '/U/')"))
        run(db.text("INSERT INTO questionnaire (id, code, kind, title_vi, title_en, status, "
                    "updated_at) VALUES (1, 'q', 'dossier_rating', 'q', 'q', 'active', "
                    "'2026-01-01 00:00:00')"))
        rows = [(1, "A", None), (2, "A", None), (3, "A", None),  # reprinted twice
                (4, "B", "2026-01-02 00:00:00"), (5, "B", None),  # rated, then reprinted
                (6, "C", None)]
        for id_, code, used in rows:
            run(db.text("INSERT INTO dossier_token (id, token_hash, dossier_code, unit_id, "
                        "questionnaire_id, issued_at, issued_by, used_at) VALUES (:id, :h, "
                        ":code, 1, 1, '2026-01-01 00:00:00', 'api', :used)"),
                {"id": id_, "h": f"h{id_}", "code": code, "used": used})
        db.session.commit()
        upgrade()
        live = run(db.text("SELECT id FROM dossier_token WHERE revoked_at IS NULL "
                           "ORDER BY id")).scalars().all()
        db.session.remove()
        db.engine.dispose()
    assert live == [3, 4, 6]  # 4 is used and stays used


LAND_KIOSK = """
code: land_kiosk
kind: dossier_rating
title: {vi: "Đánh giá dịch vụ đất đai", en: "Rate our land services"}
service_areas: [land]
sections:
  - code: rating
    title: {vi: "Đánh giá", en: "Rating"}
    items:
      - code: rating
        type: rating3
        overall: true
        required: true
        label: {vi: "Ông/Bà đánh giá thế nào?", en: "How do you rate it?"}
"""


def test_a_new_kiosk_defaults_to_its_units_own_service(app, client, world):
    """A kiosk registered without a questionnaire gets the unit's service one that a kiosk
    can carry (not the 41-question land survey), and a commune the general rating."""
    import questionnaires as qn
    from survey.models import Questionnaire, ServiceArea
    from survey.services import questionnaires as qservice
    from survey.services.reference import load_service_areas
    from tests import factories

    with app.app_context():
        load_service_areas()
        qservice.save_draft(qn.load_text(LAND_KIOSK, "land_kiosk.yaml"), "test")
        qservice.publish("land_kiosk", "test")
        department = factories.unit("HN-SO", "department", db.session.execute(
            db.select(Unit).filter_by(code="HN")).scalar_one())
        department.service_area = db.session.execute(
            db.select(ServiceArea).filter_by(code="land")).scalar_one()
        db.session.commit()
    login(client, app)
    page = client.get("/kiosks")
    assert ('<select id="questionnaire" name="questionnaire"><option value="">Theo dịch vụ của '
            'đơn vị (mặc định)</option>') in page.text
    assert ">Đánh giá dịch vụ đất đai</option>" in page.text  # titles, not codes
    for name, unit in (("Kiosk sở", "HN-SO"), ("Kiosk xã", world.unit_code)):
        created = client.post("/kiosks", data={"csrf_token": csrf_from(page.text), "name": name,
                                               "unit": unit, "desk": "", "questionnaire": ""})
        assert created.status_code == 302
    with app.app_context():
        codes = dict(db.session.execute(
            db.select(Kiosk.name, Questionnaire.code).join(Kiosk.questionnaire)).all())
    assert codes["Kiosk sở"] == "land_kiosk" and codes["Kiosk xã"] == "dossier_rating"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_world(request, tmp_path):
    """(app, world) on a SQLite file, and on PostgreSQL when TEST_DATABASE_URL is set."""
    from flask_migrate import upgrade

    from survey.services.reference import load_service_areas
    from tests.collect.conftest import make_world
    from tests.conftest import fresh_postgres_databases, make_app, postgres_url, sqlite_app

    if request.param == "sqlite":
        with sqlite_app(tmp_path / "reissue.db") as app:
            yield app, make_world(app, uuid.uuid4().hex)
        return
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL run is skipped")
    with fresh_postgres_databases(url, "hl_reissue") as (database,):
        app = make_app(database)
        with app.app_context():
            upgrade()
            load_service_areas()
            db.session.commit()
        yield app, make_world(app, uuid.uuid4().hex)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_reprints_racing_leave_one_live_token(engine_world):
    """Four reprints of one receipt at once: exactly one of the codes they print works."""
    from concurrent.futures import ThreadPoolExecutor

    app, world = engine_world

    def send(_):
        return issue(app.test_client(), world).status_code

    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(send, range(4)))
    assert statuses == [201] * 4
    with app.app_context():
        live = db.session.execute(db.select(db.func.count()).select_from(DossierToken)
                                  .where(DossierToken.revoked_at.is_(None))).scalar_one()
        total = db.session.execute(db.select(db.func.count())
                                   .select_from(DossierToken)).scalar_one()
    assert (live, total) == (1, 4)
