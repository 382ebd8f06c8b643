"""The anti-gaming flags find the planted kiosks and leave the normal ones alone.

Responses are written with Core inserts (thousands would be slow through the ORM), on SQLite and,
when TEST_DATABASE_URL is set, on a fresh PostgreSQL database too: the SQL differs per engine.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, update

from survey.extensions import db
from survey.models import Answer, Desk, Kiosk, Response, VersionItem
from survey.services import anomalies
from tests import factories
from tests.conftest import make_app
from tests.design.helpers import login, make_users

START = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)


class Planter:
    """Inserts kiosk responses to the overall rating3 item of one questionnaire version."""

    def __init__(self):
        self.version = factories.version("dossier_rating", "dossier_rating")
        db.session.add(VersionItem(version_id=self.version.id, code="rating",
                                   item_type="rating3", is_overall=True, position=0))
        self.units = {code: factories.unit(code) for code in ("U1", "U2")}
        self.kiosks: dict[str, Kiosk] = {}
        self.next_id = 1

    def kiosk(self, name: str, unit: str) -> Kiosk:
        desk = Desk(unit=self.units[unit], code=f"D-{name}", name_vi=f"Quầy {name}")
        kiosk = Kiosk(name=name, unit=self.units[unit], desk=desk,
                      questionnaire=self.version.questionnaire, token_nonce="0" * 32)
        db.session.add_all([desk, kiosk])
        db.session.flush()
        self.kiosks[name] = kiosk
        return kiosk

    def responses(self, kiosk: str | None, unit: str, ratings: list[int], start: datetime,
                  every: timedelta, channel: str = "kiosk") -> None:
        rows, answers = [], []
        for offset, rating in enumerate(ratings):
            at = start + offset * every
            rows.append({"id": self.next_id, "uuid": uuid.uuid4(), "version_id": self.version.id,
                         "unit_id": self.units[unit].id, "channel": channel,
                         "kiosk_id": self.kiosks[kiosk].id if kiosk else None,
                         "submitted_at": at, "received_at": at, "year": at.year,
                         "month": at.month})
            answers.append({"response_id": self.next_id, "item_code": "rating",
                            "value_int": rating})
            self.next_id += 1
        db.session.execute(insert(Response), rows)
        db.session.execute(insert(Answer), answers)


@pytest.fixture
def planted(database_url):
    app = make_app(database_url)
    with app.app_context():
        db.create_all()
        plant = Planter()
        plant.app = app
        for name, unit in (("gamed", "U1"), ("normal", "U1"), ("small", "U1"), ("burst", "U1"),
                           ("almost", "U1"), ("high", "U2"), ("high2", "U2")):
            plant.kiosk(name, unit)
        ten_minutes = timedelta(minutes=10)
        # 39 of 40 "very satisfied" while the rest of U1 is about half: flagged.
        plant.responses("gamed", "U1", [3] * 39 + [2], START, ten_minutes)
        plant.responses("normal", "U1", [3, 2] * 30, START, ten_minutes)
        plant.responses(None, "U1", [3, 2, 1] * 10, START, ten_minutes, channel="phone")
        # All top, but too few answers to say anything.
        plant.responses("small", "U1", [3] * 10, START, ten_minutes)
        # All top, but its whole unit is nearly as happy: a good unit, not a gamed kiosk.
        plant.responses("high", "U2", [3] * 40, START, ten_minutes)
        plant.responses("high2", "U2", [3] * 36 + [2] * 4, START, ten_minutes)
        # 25 presses ten seconds apart, then an ordinary afternoon: one burst.
        plant.responses("burst", "U1", [2, 3] * 12 + [2], START + timedelta(days=1),
                        timedelta(seconds=10))
        plant.responses("burst", "U1", [2, 3] * 5, START + timedelta(days=1, hours=3),
                        ten_minutes)
        # 19 within five minutes is one short of a burst.
        plant.responses("almost", "U1", [2] * 19, START + timedelta(days=2),
                        timedelta(seconds=15))
        plant.kiosks["burst"].ignored_presses = 7
        db.session.commit()
        db.session.remove()
    yield plant
    with app.app_context():
        db.engine.dispose()  # the database itself goes with tmp_path, or is dropped


@pytest.fixture
def ctx(planted):
    with planted.app.app_context():
        yield planted
        db.session.remove()


def test_a_burst_is_found_once_and_ordinary_kiosks_are_not(ctx):
    found = anomalies.bursts(min_count=20, window_seconds=300)
    assert [(b.source, b.name, b.unit_code, b.responses) for b in found] == \
        [("kiosk", "burst", "U1", 25)]
    assert found[0].first_at == START + timedelta(days=1)
    assert found[0].last_at == START + timedelta(days=1, seconds=240)


def test_the_burst_threshold_is_a_setting(ctx):
    assert {b.name for b in anomalies.bursts(min_count=19, window_seconds=300)} == \
        {"burst", "almost"}
    assert anomalies.bursts(min_count=26, window_seconds=300) == []


def test_a_desk_far_above_its_unit_is_flagged_and_others_are_not(ctx):
    found = anomalies.too_good_desks(top_share=0.95, min_n=30, gap=0.25)
    assert [(d.kiosk, d.desk, d.unit_code, d.n) for d in found] == \
        [("gamed", "Quầy gamed", "U1", 40)]
    desk = found[0]
    assert desk.top_share == pytest.approx(39 / 40)
    # the rest of U1: normal 30/60, phone 10/30, burst 17/35, almost 0/19, small 10/10
    assert desk.unit_n == 60 + 30 + 35 + 19 + 10
    assert desk.unit_top_share == pytest.approx((30 + 10 + 17 + 0 + 10) / desk.unit_n)


def test_the_small_kiosk_is_flagged_only_when_the_minimum_allows_it(ctx):
    kiosks = {d.kiosk for d in anomalies.too_good_desks(min_n=10)}
    assert kiosks == {"gamed", "small"}


def test_ignored_presses_are_listed(ctx):
    assert [(k.kiosk, k.ignored_presses, k.throttled_responses)
            for k in anomalies.ignored_presses()] == [("burst", 7, 0)]
    # answers refused as too fast count too
    db.session.execute(update(Kiosk).where(Kiosk.name == "almost").values(throttled_responses=9))
    assert [(k.kiosk, k.ignored_presses, k.throttled_responses)
            for k in anomalies.ignored_presses()] == [("almost", 0, 9), ("burst", 7, 0)]


def test_bad_thresholds_are_refused(ctx):
    with pytest.raises(ValueError):
        anomalies.bursts(min_count=1)


def test_the_page_shows_the_flags_to_an_admin(planted):
    make_users(planted.app)
    client = planted.app.test_client()
    login(client, "admin")
    html = client.get("/security/anomalies").text
    assert "Ít nhất 20 phiếu qua một ki-ốt, áp phích QR tại quầy hoặc đường dẫn web trong " \
        "vòng 5 phút." in html
    assert "<td>Ki-ốt</td><td>burst</td><td>U1</td>" in html and "<td>25</td>" in html
    assert "<td>gamed</td><td>Quầy gamed</td><td>U1</td><td>40</td>" in html
    assert "97.5 %" in html
    assert "<td>burst</td><td>U1</td><td>7</td>" in html  # the ignored presses
