"""Everything attached to a unit moves with it when it ends (issue #19): desks and the posters
printed for them, kiosks, unused receipt codes, web links, officers and API keys; an
abolished office's kiosk, poster, link and receipt say since when it no longer exists."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from survey.extensions import db
from survey.models import (
    ApiKey,
    AuditEntry,
    Desk,
    DossierToken,
    Kiosk,
    UnitEvent,
    User,
    WebLink,
)
from survey.services import questionnaires as qservice
from survey.services import tokens
from survey.services.accounts import create_api_key, create_user
from survey.services.lineage.attached import carry_due
from survey.services.lineage.events import EventError, EventInput, record_event
from tests.conftest import make_app
from tests.design.helpers import PASSWORD, login
from tests.lineage.reform import REFORM, TODAY, build, get

OFFICER = "officer_a"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The schema, the built-in questionnaires and the reform's units, built once: each test
    starts from a copy of the file."""
    from survey.services.reference import load_service_areas

    path = tmp_path_factory.mktemp("attached") / "template.db"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        load_service_areas()
        qservice.load_and_publish_builtins()
        build()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture
def app(template, tmp_path):
    shutil.copyfile(template, tmp_path / "attached.db")
    app = make_app(f"sqlite:///{tmp_path / 'attached.db'}")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def attach(code: str) -> dict[str, object]:
    """A desk, a kiosk at it, a web link, a receipt code (and a used one), an officer and an
    API key of the unit; a switched-off kiosk that must stay where it is."""
    unit = get(code)
    rating = qservice.get("dossier_rating")
    desk = Desk(unit=unit, code="MC", name_vi="Bàn một cửa")
    kiosk = Kiosk(name=f"K-{code}", unit=unit, desk=desk, questionnaire=rating,
                  token_nonce=uuid.uuid4().hex, created_at=datetime(2020, 1, 1, tzinfo=UTC))
    off = Kiosk(name=f"off-{code}", unit=unit, questionnaire=rating,
                token_nonce=uuid.uuid4().hex, revoked_at=datetime(2024, 1, 1, tzinfo=UTC))
    link = WebLink(label=f"link {code}", unit=unit, questionnaire=rating,
                   token_nonce=uuid.uuid4().hex)
    db.session.add_all([desk, kiosk, off, link])
    issued = tokens.issue_dossier_token(f"HS-{code}-1", code, actor="test")
    used = tokens.issue_dossier_token(f"HS-{code}-2", code, actor="test")
    used.row.used_at = datetime(2025, 3, 1, tzinfo=UTC)
    create_user(f"officer_{code.lower()}", PASSWORD, "unit_officer", code)
    create_api_key(f"key-{code}", "unit_officer", code)
    db.session.commit()
    return {"kiosk": tokens.kiosk_token(kiosk), "link": tokens.link_token(link),
            "receipt": issued.token, "poster": tokens.qr_token(code, "MC", "dossier_rating"),
            "kiosk_id": kiosk.id, "off_id": off.id}


def units_of(model, **where) -> list[str]:
    return [row.unit.code for row in db.session.execute(
        db.select(model).filter_by(**where)).scalars()]


def event(unit: str, kind: str, **values) -> EventInput:
    return EventInput(unit_code=unit, kind=kind, effective=values.pop("effective", REFORM),
                      decision_number="1656/NQ-UBTVQH15", **values)


def test_a_merge_carries_everything_live_to_the_successor(app):
    with app.app_context():
        made = attach("A")
        done = record_event(event("A", "merge", successors=(("AB", 1),)), "lan", TODAY)
        db.session.commit()
        assert done.carried.target == "AB"
        assert done.carried.counts == {"desk": 1, "kiosk": 1, "web_link": 1,
                                       "dossier_token": 1, "user": 1, "api_key": 1}
        desk = db.session.execute(db.select(Desk)).scalar_one()
        assert (desk.unit.code, desk.code) == ("AB", "A.MC")
        assert db.session.get(Kiosk, made["kiosk_id"]).unit.code == "AB"
        assert db.session.get(Kiosk, made["kiosk_id"]).desk is desk
        assert db.session.get(Kiosk, made["off_id"]).unit.code == "A"  # switched off: history
        assert units_of(WebLink) == ["AB"]
        assert units_of(DossierToken, dossier_code="HS-A-1") == ["AB"]
        assert units_of(DossierToken, dossier_code="HS-A-2") == ["A"]  # rated under A
        assert units_of(User, username=OFFICER) == ["AB"]
        assert units_of(ApiKey, name="key-A") == ["AB"]
        carried = db.session.execute(db.select(AuditEntry).filter_by(action="carry")).scalars()
        assert sorted((e.entity_type, e.old_values["unit"], e.new_values["unit"])
                      for e in carried) == sorted(
            (kind, "A", "AB") for kind in done.carried.counts)


def test_after_a_merge_the_old_codes_open_the_successor(app):
    client = app.test_client()
    with app.app_context():
        made = attach("A")
        record_event(event("A", "merge", successors=(("AB", 1),)), "lan", TODAY)
        db.session.commit()
    assert client.get(f"/k/{made['kiosk']}").status_code == 200
    poster = client.get(f"/s/{made['poster']}")
    assert poster.status_code == 200 and "Đơn vị AB" in poster.text
    assert client.get(f"/r/{made['receipt']}").status_code == 200
    assert client.get(f"/w/{made['link']}").status_code == 200
    with app.app_context():
        context = tokens.qr_context(made["poster"])
        assert (context.unit.code, context.desk.code) == ("AB", "A.MC")


def test_an_officers_scope_follows_the_merge(app):
    client = app.test_client()
    with app.app_context():
        attach("A")
        db.session.add(Desk(unit=get("AB"), code="MC", name_vi="Bàn của AB"))
        db.session.commit()
    login(client, OFFICER)
    before = client.get("/admin/desks").text
    assert "Bàn một cửa" in before and "Bàn của AB" not in before
    with app.app_context():
        record_event(event("A", "merge", successors=(("AB", 1),)), "lan", TODAY)
        db.session.commit()
    after = client.get("/admin/desks").text
    # the officer now answers for AB: its own desk and the one that came from A (renamed so
    # the two MC desks stay apart)
    assert "Bàn một cửa" in after and "Bàn của AB" in after and "A.MC" in after
    with app.app_context():
        assert units_of(User, username=OFFICER) == ["AB"]


def test_a_split_carries_to_the_largest_share_or_to_the_chosen_successor(app):
    with app.app_context():
        attach("E")
        attach("F1")
        done = record_event(event("E", "split", successors=(("E1", 0.3), ("E2", 0.7))),
                            "lan", TODAY)
        assert done.carried.target == "E2"
        assert units_of(User, username="officer_e") == ["E2"]
        chosen = record_event(event("F1", "split", successors=(("E1", 0.3), ("E2", 0.7)),
                                    carry_to="E1"), "lan", TODAY)
        assert chosen.carried.target == "E1"
        assert units_of(User, username="officer_f1") == ["E1"]
        assert units_of(ApiKey, name="key-F1") == ["E1"]


def test_a_split_that_keeps_a_part_and_a_rename_move_nothing(app):
    with app.app_context():
        attach("E")
        kept = record_event(event("E", "split", successors=(("E", 0.6), ("E1", 0.4))),
                            "lan", TODAY)
        assert kept.carried.total == 0
        renamed = record_event(event("E", "rename", new_name_vi="Phường Mới",
                                     effective=date(2025, 8, 1)), "lan", TODAY)
        assert renamed.carried.total == 0
        assert units_of(User, username="officer_e") == ["E"]


def test_an_event_ahead_of_its_day_carries_nothing_until_the_day_comes(app):
    later = date(2027, 1, 1)
    with app.app_context():
        attach("A")
        attach("E")
        done = record_event(event("A", "merge", successors=(("AB", 1),), effective=later),
                            "lan", TODAY)
        assert done.carried is None and units_of(User, username=OFFICER) == ["A"]
        # a split ahead of its day keeps its carry_to (not the default, E1's larger share)
        chosen = record_event(event("E", "split", successors=(("E1", .6), ("E2", .4)),
                                    effective=later, carry_to="E2"), "lan", TODAY)
        assert chosen.carried is None and units_of(User, username="officer_e") == ["E"]
        db.session.commit()
        assert carry_due("cron", date(2026, 12, 31)) == []
        assert units_of(Kiosk, name="K-E") == ["E"]
        done = carry_due("cron", later)
        assert sorted(c.target for c in done) == ["AB", "E2"]
        assert units_of(User, username=OFFICER) == ["AB"]
        for model, where in ((User, {"username": "officer_e"}), (Kiosk, {"name": "K-E"}),
                             (ApiKey, {"name": "key-E"}), (WebLink, {"label": "link E"}),
                             (DossierToken, {"dossier_code": "HS-E-1"})):
            assert units_of(model, **where) == ["E2"], model
        assert carry_due("cron", later) == []  # once


def test_a_split_ahead_of_its_day_without_carry_to_takes_the_largest_share(app):
    later = date(2027, 1, 1)
    with app.app_context():
        attach("E")
        record_event(event("E", "split", successors=(("E1", .4), ("E2", .6)),
                           effective=later), "lan", TODAY)
        assert [c.target for c in carry_due("cron", later)] == ["E2"]


def test_an_abolished_offices_codes_say_since_when_it_no_longer_exists(app):
    client = app.test_client()
    with app.app_context():
        made = attach("E")
        done = record_event(event("E", "abolish"), "lan", TODAY)
        db.session.commit()
        assert done.carried.total == 0
        assert units_of(User, username="officer_e") == ["E"]  # nowhere to go: stays
    for path in (f"/k/{made['kiosk']}", f"/s/{made['poster']}", f"/r/{made['receipt']}",
                 f"/w/{made['link']}"):
        page = client.get(path)
        assert page.status_code == 410, path
        assert "không còn hoạt động kể từ ngày 01/07/2025" in page.text, path
        english = client.get(path + "?lang=en")
        assert english.status_code == 410
        assert "no longer exists since 01/07/2025" in english.text, path
        client.get("/?lang=vi")
    answer = client.post("/api/v1/responses", json={
        "id": str(uuid.uuid4()), "questionnaire": "dossier_rating", "version": 1, "unit": "E",
        "channel": "kiosk", "token": made["kiosk"], "answers": {}})
    assert 400 <= answer.status_code < 500
    assert "no longer exists since 01/07/2025" in answer.text


def test_an_abolished_offices_things_go_where_carry_to_says(app):
    with app.app_context():
        made = attach("E")
        done = record_event(event("E", "abolish", carry_to="P"), "lan", TODAY)
        db.session.commit()
        assert done.carried.target == "P"
        assert db.session.get(Kiosk, made["kiosk_id"]).unit.code == "P"
        assert tokens.kiosk_from_token(made["kiosk"]).unit.code == "P"


def test_no_receipt_code_is_issued_for_an_office_that_no_longer_exists(app):
    with app.app_context():
        record_event(event("E", "abolish"), "lan", TODAY)
        db.session.commit()
        with pytest.raises(tokens.TokenRequestInvalid) as refused:
            tokens.issue_dossier_token("HS-9", "E", actor="test")
        assert refused.value.errors == {"unit": "this office no longer exists since 01/07/2025"}
        assert tokens.issue_dossier_token("HS-9", "E1", actor="test").row.unit.code == "E1"


def test_undoing_a_mistaken_merge_brings_everything_back(app):
    from survey.services.lineage.undo import undo_last_event

    with app.app_context():
        made = attach("A")
        db.session.add(Desk(unit=get("AB"), code="A.MC", name_vi="taken"))  # a clash on return?
        record_event(event("A", "merge", successors=(("AB", 1),)), "lan", TODAY)
        db.session.commit()
        assert units_of(User, username=OFFICER) == ["AB"]
        undone = undo_last_event("A", "lan")
        db.session.commit()
        assert undone.brought_back == 6
        assert get("A").valid_to is None
        assert db.session.execute(db.select(db.func.count(UnitEvent.id))).scalar() == 0
        desks = sorted((d.unit.code, d.code, d.name_vi) for d in db.session.execute(
            db.select(Desk)).scalars())
        assert desks == [("A", "MC", "Bàn một cửa"), ("AB", "A.MC", "taken")]
        assert db.session.get(Kiosk, made["kiosk_id"]).unit.code == "A"
        for model, where in ((User, {"username": OFFICER}), (ApiKey, {"name": "key-A"}),
                             (DossierToken, {"dossier_code": "HS-A-1"}), (WebLink, {})):
            assert units_of(model, **where) == ["A"], model
        assert tokens.kiosk_from_token(made["kiosk"]).unit.code == "A"
        with pytest.raises(EventError, match="A has no recorded event"):
            undo_last_event("A", "lan")


def test_undoing_a_move_and_a_rename_restores_parent_paths_and_names(app):
    from survey.services.lineage.undo import undo_last_event

    with app.app_context():
        record_event(event("F", "move", new_parent_code="P"), "lan", TODAY)
        record_event(event("F", "rename", new_name_vi="Phường Mới",
                           effective=date(2025, 8, 1)), "lan", TODAY)
        assert undo_last_event("F", "lan").kind == "rename"
        assert get("F").name_vi == "Đơn vị F" and get("F").path == "/P/F/"
        assert undo_last_event("F", "lan").kind == "move"
        assert (get("F").parent.code, get("F1").path) == ("D2", "/P/D2/F/F1/")
        undone = db.session.execute(db.select(AuditEntry).filter_by(action="undo")).scalars()
        assert [e.old_values["event"] for e in undone] == ["rename", "move"]


def test_no_kiosk_or_web_link_is_made_for_an_office_that_no_longer_exists(app):
    from survey.services.kiosks import KioskRequestInvalid, create_kiosk
    from survey.services.web_links import create_link

    with app.app_context():
        record_event(event("E", "abolish"), "lan", TODAY)
        db.session.commit()
        gone = {"unit": "this office no longer exists since 01/07/2025"}
        with pytest.raises(KioskRequestInvalid) as refused:
            create_kiosk("K9", "E", None, "dossier_rating", "lan")
        assert refused.value.errors == gone
        with pytest.raises(KioskRequestInvalid) as refused:
            create_link("Liên kết", "E", "dossier_rating", "lan")
        assert refused.value.errors == gone
        assert create_kiosk("K9", "E1", None, "dossier_rating", "lan").unit.code == "E1"
