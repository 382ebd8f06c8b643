"""A scripted week of ratings through the watch service: the roll-ups counted from the raw
answers, a fall that must alert on the day the arithmetic gives (and again only after S has
climbed back over h), a stable unit with a bad day that must not, a second run that adds
nothing, and the e-mail with the chart received by a real SMTP server."""

from __future__ import annotations

import math
from datetime import timedelta

from survey.extensions import db
from survey.models import Alert, AuditEntry, RatingDay, Unit
from survey.services.alerts import daily, mail, watch
from tests.alerts.conftest import DAY, LEADER, NOW, OFFICER_X01, OFFICER_X02, Ratings

WEEK = [DAY - timedelta(days=6 - k) for k in range(7)]  # the scripted week, DAY last
FALL = [(9, 1), (5, 5), (5, 5), (4, 6), (5, 5), (6, 4), (5, 5)]  # X01: 90 % -> about 50 %
STEADY = [(9, 1), (7, 3), (9, 1), (10, 0), (8, 2), (9, 1), (9, 1)]  # X02: one poor day


def script(app) -> None:
    with app.app_context():
        ratings = Ratings()
        earliest = watch.window_start(WEEK[0]) - timedelta(days=watch.BASELINE_DAYS)
        for unit in ("HN-X01", "HN-X02"):
            # ordinary days: every watched day's baseline (90 days) and its window before
            # the week
            ratings.baseline(unit, WEEK[0] - timedelta(days=1), days=(WEEK[0] - earliest).days)
        for day, fall, steady in zip(WEEK, FALL, STEADY, strict=True):
            ratings.day("HN-X01", day, *fall)
            ratings.day("HN-X02", day, *steady)
        db.session.commit()


def hand_alarms(h: float, p0: float, p1: float, days) -> list[int]:
    """The days S exceeds h, restarting after each alarm, counting W by hand."""
    a, b = math.log(p1 / p0), math.log((1 - p1) / (1 - p0))
    s, alarms = 0.0, []
    for i, (x, bad) in enumerate(days):
        s = max(0.0, s + x * a + bad * b)
        if s > h:
            alarms.append(i)
            s = 0.0
    return alarms


def test_a_fall_alerts_on_the_day_the_arithmetic_gives_and_a_steady_unit_never(any_app, smtp):
    recorder, _ = smtp
    script(any_app)
    raised = []
    with any_app.app_context():
        for day in WEEK:  # as cron runs it, each morning for the day before
            done = watch.watch(day, now=NOW)
            db.session.commit()
            mail.notify(done.created, any_app.config)
            db.session.commit()
            raised += [(a.unit.code, a.day, a.kind) for a in done.created]
        x01 = db.session.execute(db.select(Unit).filter_by(code="HN-X01")).scalar_one()
        # the roll-up equals the scripted counts
        rows = {r.day: (r.n, r.satisfied) for r in db.session.execute(
            db.select(RatingDay).filter_by(unit_id=x01.id)).scalars() if r.day in WEEK}
        assert rows == {d: (s + f, s) for d, (s, f) in zip(WEEK, FALL, strict=True)}
        first = db.session.execute(db.select(Alert).filter_by(unit_id=x01.id)
                                   .order_by(Alert.day)).scalars().first()
        p0, p1, h = first.chart["p0"], first.chart["p1"], first.threshold
    # the baseline: 900 ratings at 90 %, p0 = (810 + 1/2) / 901
    assert abs(p0 - 810.5 / 901) < 1e-4 and abs(p1 - (810.5 / 901 - 0.10)) < 1e-4
    expected = [WEEK[i] for i in hand_alarms(h, 810.5 / 901, 810.5 / 901 - 0.10, FALL)]
    assert len(expected) >= 2  # the fall alarms, and alarms again after the restart
    assert raised == [("HN-X01", d, "cusum") for d in expected]
    # each alert e-mailed to the officer's mailbox of HN-X01 and to the leader, chart attached
    assert [sorted(m.recipients[0] for m in recorder.received)] == \
        [sorted([OFFICER_X01, LEADER] * len(expected))]
    assert OFFICER_X02 not in {m.recipients[0] for m in recorder.received}
    message = recorder.received[0].message
    assert "Mức hài lòng giảm" in message["Subject"]
    (chart,) = [part for part in message.iter_attachments()]
    assert chart.get_content_type() == "image/svg+xml"
    svg = chart.get_content()
    svg = svg.decode() if isinstance(svg, bytes) else svg
    assert svg.startswith("<svg") and "<polyline" in svg and f"h = {h:.2f}" in svg
    body = message.get_body(("plain",)).get_content()
    assert "CUSUM S =" in body and f"ngày {expected[0]:%d/%m/%Y}" in body


def test_watching_the_same_day_twice_creates_no_duplicate(app, smtp):
    recorder, _ = smtp
    script(app)
    with app.app_context():
        for day in WEEK:
            watch.watch(day, now=NOW)
            db.session.commit()
        before = db.session.execute(db.select(db.func.count(Alert.id))).scalar()
        assert before >= 2
        again = watch.watch(WEEK[2], now=NOW)
        db.session.commit()
        assert again.created == [] and again.existing == 1
        for day in WEEK:
            assert watch.watch(day, now=NOW).created == []
            db.session.commit()
        assert db.session.execute(db.select(db.func.count(Alert.id))).scalar() == before
        assert db.session.execute(db.select(db.func.count(AuditEntry.id)).filter_by(
            action="alert.raise")).scalar() == before
        # notify sends each alert once
        alerts = list(db.session.execute(db.select(Alert)).scalars())
        assert len(mail.notify(alerts, app.config)) == before
        db.session.commit()
        assert mail.notify(alerts, app.config) == []
    assert len(recorder.received) == 2 * before


def test_no_chart_without_a_baseline_of_300_ratings(app):
    with app.app_context():
        ratings = Ratings()
        for k in range(60):  # 60 days of 4 ratings: 240 < 300
            ratings.day("HN-X01", watch.window_start(DAY) - timedelta(days=1 + k), 3, 1)
        for day in WEEK:
            ratings.day("HN-X01", day, 0, 10)  # everything goes wrong, but no baseline
        db.session.commit()
        done = watch.watch(DAY, now=NOW)
        assert (done.series, done.charted, done.created) == (1, 0, [])


def test_refresh_recounts_only_changed_days_and_rebuild_repairs_old_ones(app):
    with app.app_context():
        ratings = Ratings()
        old = DAY - timedelta(days=40)
        ratings.day("HN-X01", old, 2, 1)
        ratings.day("HN-X01", DAY, 1, 0)
        db.session.commit()
        first = daily.refresh(NOW)
        db.session.commit()
        assert first.days == daily.RECENT_DAYS + 1  # the recent days and the old one
        got = {r.day: (r.n, r.satisfied) for r in db.session.execute(
            db.select(RatingDay)).scalars()}
        assert got == {old: (3, 2), DAY: (1, 1)}
        # nothing new: only the recent days are recounted; a late paper answer for the old
        # day reopens it
        assert daily.refresh(NOW).days == daily.RECENT_DAYS
        ratings.day("HN-X01", old, 0, 2, hour=15)
        db.session.commit()
        assert daily.refresh(NOW).days == daily.RECENT_DAYS + 1
        db.session.commit()
        assert db.session.get(RatingDay, (ratings.units["HN-X01"], ratings.land, old)).n == 5
        # an old answer deleted behind the watch's back: only rebuild sees it
        from survey.models import Response
        victim = db.session.execute(db.select(Response).where(
            Response.submitted_at < daily.day_bounds(old, old)[1]).limit(1)).scalar_one()
        db.session.delete(victim)
        db.session.commit()
        daily.refresh(NOW)
        assert db.session.get(RatingDay, (ratings.units["HN-X01"], ratings.land, old)).n == 5
        daily.rebuild(NOW)
        db.session.commit()
        assert db.session.get(RatingDay, (ratings.units["HN-X01"], ratings.land, old)).n == 4
