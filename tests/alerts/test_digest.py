"""The weekly digest: one message per recipient address, received by a real SMTP server,
listing the week's alerts of the units that address covers (an officer's mailbox its unit's
subtree, the leader's everything under the province); sent once per address and week."""

from __future__ import annotations

from datetime import timedelta

from survey.extensions import db
from survey.models import Alert, AlertDigest, Unit
from survey.services.alerts import mail
from tests.alerts.conftest import DAY, LEADER, OFFICER_X01, OFFICER_X02


def add(app, code: str, day, kind: str = "cusum", hour: int = 0) -> None:
    with app.app_context():
        unit = db.session.execute(db.select(Unit).filter_by(code=code)).scalar_one()
        db.session.add(Alert(kind=kind, unit_id=unit.id, service_area_id=0,
                             kiosk_id=3 if kind == "burst" else 0, day=day, hour=hour,
                             statistic=5.5, threshold=4.2, chart={}))
        db.session.commit()


def test_each_recipient_gets_the_weeks_alerts_of_its_units_once(app, smtp):
    recorder, _ = smtp
    week = mail.week_of(DAY)
    assert week.weekday() == 0 and week <= DAY < week + timedelta(days=7)
    add(app, "HN-X01", week)
    add(app, "HN-X01", week + timedelta(days=2))
    add(app, "HN-X02", DAY, "burst", 15)
    add(app, "HN-X01", week - timedelta(days=1))  # the Sunday before: another week
    with app.app_context():
        done = mail.digest(week, app.config, link="https://hailong.example.vn/alerts/")
        db.session.commit()
        assert sorted((d.recipient_units, d.alerts, d.sent) for d in done) == [
            ("HN", 3, True), ("HN-X01", 2, True), ("HN-X02", 1, True)]
        again = mail.digest(week, app.config)
        db.session.commit()
        assert all(d.already and not d.sent for d in again)
        assert db.session.execute(db.select(db.func.count()).select_from(AlertDigest)
                                  ).scalar() == 3
    by_address = {m.recipients[0]: m for m in recorder.received}
    assert len(recorder.received) == 3 and set(by_address) == {LEADER, OFFICER_X01, OFFICER_X02}
    x01 = by_address[OFFICER_X01]
    assert "2 cảnh báo" in x01.subject
    assert x01.body.count("\n- ") == 2 and "Đơn vị HN-X02" not in x01.body
    assert f"{week:%d/%m/%Y}" in x01.body and "https://hailong.example.vn/alerts/" in x01.body
    leader = by_address[LEADER]
    assert leader.body.count("\n- ") == 3 and "1 đánh giá dồn dập" in leader.body
    assert "Đánh giá dồn dập tại ki-ốt" in by_address[OFFICER_X02].body


def test_a_quiet_week_still_tells_each_recipient_so(app, smtp):
    recorder, _ = smtp
    with app.app_context():
        done = mail.digest(mail.week_of(DAY), app.config)
        db.session.commit()
    assert [d.alerts for d in done] == [0, 0, 0]
    assert all("Không có cảnh báo nào" in m.body for m in recorder.received)
    assert len(recorder.received) == 3
