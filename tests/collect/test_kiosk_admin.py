"""Registering, switching off and re-issuing kiosks, from the page and the command line."""

import re

from survey.extensions import db
from survey.models import AuditEntry, Kiosk
from survey.services import tokens
from survey.services.accounts import create_user
from tests.conftest import csrf_from


def login(client, app, role="admin", unit=None):
    with app.app_context():
        create_user(f"u-{role}", "mot-mat-khau-dai", role, unit)
        db.session.commit()
    token = csrf_from(client.get("/auth/login").text)
    client.post("/auth/login", data={"username": f"u-{role}", "password": "mot-mat-khau-dai",
                                     "csrf_token": token})


def test_register_then_switch_off_then_new_link(app, client, world):
    login(client, app)
    page = client.get("/kiosks")
    created = client.post("/kiosks", data={
        "csrf_token": csrf_from(page.text), "name": "Kiosk tầng 1", "unit": world.unit_code,
        "desk": world.desk_code, "questionnaire": "dossier_rating"})
    assert created.status_code == 302
    with app.app_context():
        kiosk = db.session.execute(db.select(Kiosk).filter_by(name="Kiosk tầng 1")).scalar_one()
        old = "/k/" + tokens.kiosk_token(kiosk)
        kiosk_id = kiosk.id
    assert client.get(old).status_code == 200
    page = client.get("/kiosks")
    assert client.post(f"/kiosks/{kiosk_id}/revoke",
                       data={"csrf_token": csrf_from(page.text)}).status_code == 302
    assert client.get(old).status_code in (403, 404, 410)
    client.post(f"/kiosks/{kiosk_id}/reissue", data={"csrf_token": csrf_from(page.text)})
    with app.app_context():
        new = "/k/" + tokens.kiosk_token(db.session.get(Kiosk, kiosk_id))
        actions = db.session.execute(db.select(AuditEntry.action).filter_by(
            entity_type="kiosk", entity_key=str(kiosk_id))).scalars().all()
    assert new != old and client.get(new).status_code == 200
    assert client.get(old).status_code in (403, 404, 410)  # the old link stays dead
    assert actions == ["create", "revoke", "reissue"]


def test_a_bad_registration_is_shown_back(app, client, world):
    login(client, app)
    page = client.get("/kiosks")
    refused = client.post("/kiosks", data={
        "csrf_token": csrf_from(page.text), "name": "K", "unit": world.unit_code,
        "desk": "NO-SUCH-DESK", "questionnaire": "dossier_rating"})
    assert refused.status_code == 422 and "the unit has no desk" in refused.text
    assert 'value="K"' in refused.text  # what was typed is kept


def test_cli_create_revoke_reissue(app, runner, world):
    made = runner.invoke(args=["kiosk", "create", "Kiosk CLI", "--unit", world.unit_code])
    assert made.exit_code == 0, made.output
    kiosk_id = int(re.search(r"Kiosk (\d+)", made.output).group(1))
    assert "/k/" in made.output
    assert runner.invoke(args=["kiosk", "revoke", str(kiosk_id)]).exit_code == 0
    with app.app_context():
        assert db.session.get(Kiosk, kiosk_id).revoked_at is not None
    again = runner.invoke(args=["kiosk", "reissue", str(kiosk_id)])
    assert again.exit_code == 0 and "/k/" in again.output
    assert runner.invoke(args=["kiosk", "revoke", "9999"]).exit_code == 1
    bad = runner.invoke(args=["kiosk", "create", "X", "--unit", "NOPE"])
    assert bad.exit_code == 1 and "unknown unit" in bad.output


def test_a_long_questionnaire_is_refused_for_a_kiosk_in_vietnamese(app, client, world):
    login(client, app)
    page = client.get("/kiosks")
    refused = client.post("/kiosks", data={
        "csrf_token": csrf_from(page.text), "name": "Kiosk dài", "unit": world.unit_code,
        "desk": "", "questionnaire": "land_survey"})
    assert refused.status_code == 422
    assert "máy đánh giá tại quầy chỉ mang được tối đa 8 câu" in refused.text
    with app.app_context():
        assert db.session.execute(
            db.select(Kiosk).filter_by(name="Kiosk dài")).scalar_one_or_none() is None


def test_the_minimum_interval_is_set_per_kiosk_and_audited(app, client, world):
    login(client, app)
    page = client.get("/kiosks")
    assert f'id="interval-{world.kiosk_id}"' in page.text
    url = f"/kiosks/{world.kiosk_id}/settings"
    token = csrf_from(page.text)
    assert client.post(url, data={"csrf_token": token,
                                  "min_interval_seconds": "12"}).status_code == 302
    with app.app_context():
        assert db.session.get(Kiosk, world.kiosk_id).min_interval_seconds == 12
    too_long = client.post(url, data={"csrf_token": token, "min_interval_seconds": "99999"})
    assert too_long.status_code == 422 and "từ 0 đến 3600" in too_long.text
    not_a_number = client.post(url, data={"csrf_token": token, "min_interval_seconds": "abc"})
    assert not_a_number.status_code == 422
    assert client.post(url, data={"csrf_token": token,
                                  "min_interval_seconds": ""}).status_code == 302
    with app.app_context():
        assert db.session.get(Kiosk, world.kiosk_id).min_interval_seconds is None
        changes = db.session.execute(db.select(AuditEntry.new_values).filter_by(
            entity_type="kiosk", entity_key=str(world.kiosk_id), action="update")).scalars().all()
    assert changes == [{"min_interval_seconds": 12, "idle_seconds": None},
                       {"min_interval_seconds": None, "idle_seconds": None}]
    assert client.post("/kiosks/9999/settings", data={
        "csrf_token": token, "min_interval_seconds": "3"}).status_code == 404


def test_a_kiosk_can_have_its_own_idle_time(app, client, world):
    """A busy desk wants its screen back sooner: the kiosk page takes the kiosk's own idle
    time instead of KIOSK_IDLE_SECONDS, and an impossible one is refused."""
    import json
    import re

    from survey.services.tokens import kiosk_token

    login(client, app)
    page = client.get("/kiosks")
    url = f"/kiosks/{world.kiosk_id}/settings"
    token = csrf_from(page.text)
    too_short = client.post(url, data={"csrf_token": token, "idle_seconds": "1"})
    assert too_short.status_code == 422 and "từ 5 đến 600" in too_short.text
    assert client.post(url, data={"csrf_token": token, "idle_seconds": "12"}).status_code == 302
    with app.app_context():
        kiosk = db.session.get(Kiosk, world.kiosk_id)
        assert kiosk.idle_seconds == 12 and kiosk.min_interval_seconds is None
        path = f"/k/{kiosk_token(kiosk)}"

    def idle(html: str) -> int:
        config = re.search(r'id="kiosk-config">(.*?)</script>', html, re.S).group(1)
        return json.loads(config)["idle"]

    assert idle(client.get(path).text) == 12
    client.post(url, data={"csrf_token": token, "idle_seconds": ""})
    assert idle(client.get(path).text) == app.config["KIOSK_IDLE_SECONDS"]
