"""Bursts at a kiosk are their own alert type: a kiosk far above its usual hourly rate is
flagged for the hour it happened (against a Poisson tail computed here by hand), a kiosk at
its usual rate is not, and a burst of satisfied ratings raises no CUSUM alert."""

from __future__ import annotations

import math
from datetime import timedelta

from survey.extensions import db
from survey.models import Alert
from survey.services.alerts import mail, watch
from tests.alerts.conftest import DAY, NOW, OFFICER_X02, Ratings, kiosk


def poisson_tail(k: int, rate: float) -> float:
    """P(X >= k), term by term."""
    return 1 - sum(math.exp(-rate) * rate ** i / math.factorial(i) for i in range(k))


def test_a_burst_at_a_kiosk_is_a_separate_alert(any_app, smtp):
    recorder, _ = smtp
    with any_app.app_context():
        ratings = Ratings()
        busy, quiet = kiosk("HN-X02"), kiosk("HN-X01")
        for k in range(1, 29):  # four weeks: 2 ratings in each of 3 open hours a day
            for hour in (8, 10, 14):
                for kid, unit in ((busy, "HN-X02"), (quiet, "HN-X01")):
                    ratings.day(unit, DAY - timedelta(days=k), 2, 0, kiosk_id=kid, hour=hour,
                                minutes=20)
        ratings.day("HN-X02", DAY, 25, 0, kiosk_id=busy, hour=15, minutes=2)  # 25 in 50 min
        ratings.day("HN-X01", DAY, 4, 0, kiosk_id=quiet, hour=15, minutes=10)  # ordinary
        db.session.commit()
        done = watch.watch(DAY, now=NOW)
        db.session.commit()
        assert done.kiosks == 2
        assert [(a.kind, a.kiosk_id, a.day, a.hour) for a in done.created] == \
            [("burst", busy, DAY, 15)]
        alert = done.created[0]
        assert alert.statistic == 25 and alert.chart["usual"] == 2.0
        assert alert.chart["hours"][15] == 25 and sum(alert.chart["hours"]) == 25
        # independently: the tail at the usual rate is below 1e-4, and the limit is the
        # smallest count whose tail is
        assert poisson_tail(25, 2.0) <= 1e-4
        critical = int(alert.threshold)
        assert poisson_tail(critical, 2.0) <= 1e-4 < poisson_tail(critical - 1, 2.0)
        assert abs(alert.chart["p_value"] - poisson_tail(25, 2.0)) < 1e-12
        assert db.session.execute(db.select(db.func.count(Alert.id)).filter_by(
            kind="cusum")).scalar() == 0
        mail.notify(done.created, any_app.config)
        db.session.commit()
        assert watch.watch(DAY, now=NOW).created == []
    to = sorted(m.recipients[0] for m in recorder.received)
    assert OFFICER_X02 in to and "vanphong.x01@hn.example.vn" not in to
    message = recorder.received[0].message
    assert "Đánh giá dồn dập tại ki-ốt" in message["Subject"]
    (chart,) = list(message.iter_attachments())
    assert chart.get_content_type() == "image/svg+xml"
