"""Comment search in the database and masking when stored (issue #21), on SQLite and on
PostgreSQL (TEST_DATABASE_URL), each on the schema the migrations build as in production.

The raw `answer` and `comment_search` rows are read with plain SQL: what matters is what the
database holds, not what a page shows.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from survey.extensions import db
from survey.services import paper_import
from survey.services import questionnaires as qservice
from survey.services.reference import load_service_areas
from survey.services.reporting.comments import comment_page, comments, fold
from survey.services.reporting.scope import Scope
from tests import factories
from tests.collect.conftest import land_answers, make_world
from tests.collect.storing import paper_csv
from tests.conftest import make_app

PHONE, EMAIL, CCCD = "0912 345 678", "chi.lan@example.vn", "001203004567"
PII = (PHONE, "0912345678", EMAIL, CCCD)
BASE = datetime(2025, 5, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def site(database_url):
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        load_service_areas()
        db.session.commit()
    world = make_world(app)
    with app.app_context():
        land = land_answers(qservice.definition_of(qservice.get_version("land_survey")))
    yield app, app.test_client(), world, land
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _send(client, world, land, comment: str, at: datetime, channel: str = "paper") -> str:
    rid = str(uuid.uuid4())
    payload = {"id": rid, "questionnaire": "land_survey", "unit": world.unit_code,
               "channel": channel, "submitted_at": at.isoformat(),
               "answers": {**land, "comments": comment}}
    with client.application.app_context():
        payload = factories.prove(payload)
    reply = client.post("/api/v1/responses", headers=world.data_entry, json=payload)
    assert reply.status_code == 201, reply.json
    return rid


def _raw(sql: str) -> list:
    return [tuple(row) for row in db.session.execute(text(sql)).all()]


def _texts(query: str = "", **kw) -> list[str]:
    return [c.text for c in comment_page(Scope(), query, **kw).comments]


def test_personal_data_never_reaches_the_database(site, tmp_path):
    app, client, world, land = site
    _send(client, world, land, f"Gọi tôi {PHONE} hoặc {EMAIL}, CCCD {CCCD}. Đất đai chậm.",
          BASE)
    # the web channel goes through the driver's fast path (response_store), not the session
    _send(client, world, land, f"Liên hệ {EMAIL}", BASE + timedelta(hours=1), "web")
    form = {"response_id": str(uuid.uuid4()), "questionnaire": "land_survey", "version": "1",
            "unit": world.unit_code, "channel": "paper",
            "submitted_at": (BASE + timedelta(hours=2)).isoformat(),
            **{k: str(v) for k, v in land.items()}, "comments": f"sđt {PHONE}"}
    with app.app_context():
        paper_import.import_file(paper_csv(tmp_path / "forms.csv", [form]))
        db.session.commit()
        stored = [t for (t,) in _raw("SELECT value_text FROM answer WHERE item_code = "
                                     "'comments'")]
        indexed = [t for (t,) in _raw("SELECT body FROM comment_search")]
    assert len(stored) == len(indexed) == 3
    everything = " ".join(stored + indexed)
    assert not any(p in everything for p in PII), everything
    assert everything.count("[phone]") == 4 and everything.count("[email]") == 4
    assert "[id-number]" in everything


def test_search_ignores_diacritics_and_d_with_stroke(site):
    app, client, world, land = site
    wanted = "Hồ sơ ĐẤT ĐAI được trả đúng hẹn"
    for n, comment in enumerate([wanted, "Đặt lịch hẹn dễ dàng", "Nhân viên thân thiện",
                                 "đai đất: thủ tục rườm rà"]):
        _send(client, world, land, comment, BASE + timedelta(minutes=n))
    with app.app_context():
        # every word begins a word of the comment, in any order, with or without marks
        assert _texts("dat dai") == ["đai đất: thủ tục rườm rà", wanted]
        assert _texts("đất đai") == _texts("DAT DAI") == _texts("dat dai")
        assert _texts("ho so dat") == [wanted]
        assert _texts("dat lich") == ["Đặt lịch hẹn dễ dàng"]
        assert _texts("thân") == ["Nhân viên thân thiện"]
        assert _texts("than thien nhanh") == []
        assert _texts("!!!") == []
        assert len(_texts("")) == 4


def test_pages_follow_each_other_newest_first(site):
    app, client, world, land = site
    for n in range(7):
        _send(client, world, land, f"góp ý số {n}", BASE + timedelta(days=n % 3, minutes=n))
    with app.app_context():
        # the reference: every comment, ordered by the database-free rule
        rows = _raw("SELECT r.submitted_at, r.id, a.value_text FROM answer a JOIN response r "
                    "ON r.id = a.response_id WHERE a.item_code = 'comments'")
        expected = [t for *_k, t in sorted(rows, reverse=True)]
        first = comment_page(Scope(), "gop y", per_page=3)
        second = comment_page(Scope(), "gop y", per_page=3, after=first.older)
        third = comment_page(Scope(), "gop y", per_page=3, after=second.older)
        assert [c.text for p in (first, second, third) for c in p.comments] == expected
        assert first.newer is None and third.older is None and len(third.comments) == 1
        back = comment_page(Scope(), "gop y", per_page=3, before=third.newer)
        assert back.comments == second.comments and back.older and back.newer
        assert comment_page(Scope(), "gop y", per_page=3, before=second.newer) == first
        # a malformed key is the first page, not an error
        assert comment_page(Scope(), "gop y", per_page=3, after="x-1-y").comments \
            == first.comments
        assert comments(Scope(), "gop y", per_page=3) == (first.comments, True)


def test_the_index_follows_updates_and_deletions(site):
    app, client, world, land = site
    rid = _send(client, world, land, "Phòng chờ chật", BASE)
    _send(client, world, land, "Phòng chờ rộng", BASE + timedelta(minutes=1))
    with app.app_context():
        assert _texts("phong cho") == ["Phòng chờ rộng", "Phòng chờ chật"]
        db.session.execute(text("UPDATE answer SET value_text = 'Bãi đỗ xe nhỏ' WHERE "
                                "item_code = 'comments' AND value_text = 'Phòng chờ chật'"))
        assert _texts("phong cho") == ["Phòng chờ rộng"] and _texts("bai do") == [
            "Bãi đỗ xe nhỏ"]
        db.session.execute(text("DELETE FROM response WHERE uuid = :u"),
                           {"u": uuid.UUID(rid) if db.engine.dialect.name == "postgresql"
                            else uuid.UUID(rid).hex})
        assert _texts("bai do") == [] and len(_texts()) == 1
        assert _raw("SELECT count(*) FROM comment_search") == [(1,)]
        db.session.commit()


def test_the_migration_masks_and_indexes_what_was_stored_before(site):
    app, client, world, land = site
    _send(client, world, land, "Thủ tục đất đai nhanh", BASE)
    with app.app_context():
        downgrade(revision="0017")
        # a comment stored before masking at store existed, personal data and all
        db.session.execute(text(f"UPDATE answer SET value_text = 'Gọi {PHONE}, đất đai' "
                                "WHERE item_code = 'comments'"))
        db.session.commit()
        upgrade()
        assert _raw("SELECT value_text FROM answer WHERE item_code = 'comments'") == [
            ("Gọi [phone], đất đai",)]
        assert _texts("dat dai") == ["Gọi [phone], đất đai"]
        _send(client, world, land, "Đất đai lần hai", BASE + timedelta(minutes=1))
        assert _texts("dat dai") == ["Đất đai lần hai", "Gọi [phone], đất đai"]


def test_fold_matches_the_database_folding():
    assert fold("ĐẤT ĐAI Hồ sơ ưu tiên") == "dat dai ho so uu tien"
