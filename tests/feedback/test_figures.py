"""Case figures against a hand computation and an independent one (pandas), and the
deadlines in working days against dates counted on a calendar."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from survey.extensions import db
from survey.models import Response
from survey.services.feedback import FeedbackError, cases, deadlines, figures
from survey.services.feedback.figures import CaseTimes, case_figures
from tests.feedback.conftest import submit

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 4, 1, tzinfo=UTC)
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def test_figures_of_a_small_set_counted_by_hand():
    rows = [
        # unit A, land: answered after 2 days (on time), after 20 days (late), open past due
        CaseTimes("A", "land", day(0), day(14), day(2)),
        CaseTimes("A", "land", day(0), day(14), day(20)),
        CaseTimes("A", "land", day(0), day(14), None),
        # unit A, no service: open, not yet due: counted as a case, not judged
        CaseTimes("A", "", day(25), day(39), None),
        # unit B, land: answered after 1 and 4 days, both on time
        CaseTimes("B", "land", day(1), day(15), day(2)),
        CaseTimes("B", "land", day(1), day(15), day(5)),
    ]
    by_both = {(f.unit, f.service): f for f in case_figures(rows, NOW)}
    a_land = by_both[("A", "land")]
    assert (a_land.cases, a_land.answered, a_land.judged, a_land.on_time) == (3, 2, 3, 1)
    assert a_land.share_on_time == pytest.approx(1 / 3)
    assert a_land.median_days == pytest.approx(11.0)  # median of 2 and 20
    a_none = by_both[("A", "")]
    assert (a_none.cases, a_none.judged, a_none.share_on_time, a_none.median_days) == \
        (1, 0, None, None)
    b_land = by_both[("B", "land")]
    assert (b_land.share_on_time, b_land.median_days) == (1.0, pytest.approx(2.5))
    (total,) = case_figures(rows, NOW, by=())
    # all: answered 2, 20, 1, 4 days -> median 3; on time 3 of judged 5
    assert (total.cases, total.answered, total.judged, total.on_time) == (6, 4, 5, 3)
    assert total.share_on_time == pytest.approx(0.6) and total.median_days == pytest.approx(3.0)
    by_service = {f.service: f for f in case_figures(rows, NOW, by=("service",))}
    assert by_service["land"].cases == 5 and by_service["land"].unit is None
    with pytest.raises(ValueError, match="by"):
        case_figures(rows, NOW, by=("month",))


def test_figures_agree_with_pandas_on_generated_cases():
    rng = random.Random(23)
    rows = []
    for _ in range(400):
        opened = day(rng.uniform(0, 28))
        due = opened + timedelta(days=14)
        answered = opened + timedelta(days=rng.uniform(0, 25)) if rng.random() < 0.7 else None
        if answered is not None and answered > NOW:
            answered = None
        rows.append(CaseTimes(rng.choice("ABC"), rng.choice(["land", "marriage", ""]),
                              opened, due, answered))
    frame = pd.DataFrame([{"unit": r.unit, "service": r.service, "opened": r.opened_at,
                           "due": r.due_at, "answered": r.answered_at} for r in rows])
    frame["is_answered"] = frame["answered"].notna()
    frame["on_time"] = frame["is_answered"] & (frame["answered"] <= frame["due"])
    frame["judged"] = frame["is_answered"] | (frame["due"] < NOW)
    frame["days"] = (frame["answered"] - frame["opened"]).dt.total_seconds() / 86400
    expected = frame.groupby(["unit", "service"]).agg(
        cases=("unit", "size"), answered=("is_answered", "sum"), judged=("judged", "sum"),
        on_time=("on_time", "sum"), median_days=("days", "median"))
    got = {(f.unit, f.service): f for f in case_figures(rows, NOW)}
    assert set(got) == set(expected.index)
    for key, row in expected.iterrows():
        mine = got[key]
        assert (mine.cases, mine.answered, mine.judged, mine.on_time) == \
            (row.cases, row.answered, row.judged, row.on_time)
        assert mine.share_on_time == pytest.approx(row.on_time / row.judged)
        assert mine.median_days == pytest.approx(row.median_days, rel=1e-12)


def test_the_rows_read_back_from_the_database_within_a_scope(app):
    with app.app_context():
        opened = []
        for unit in ("HN-X01", "HN-X01", "HN-X02"):
            case = cases.open_case(db.session.get(Response, submit(unit)), None, "rating", "t")
            opened.append((unit, case.opened_at, case.due_at))
            db.session.commit()
        first = cases.get_in_scope(1, None)
        cases.answer(first, "Đã trả lời.", "t")
        db.session.commit()
        from survey.models import Unit

        x01 = db.session.execute(db.select(Unit).filter_by(code="HN-X01")).scalar_one()
        mine = figures.rows(x01)
        assert sorted(r.unit for r in mine) == ["HN-X01", "HN-X01"]
        everything = figures.rows(None)
        assert len(everything) == 3
        answered = [r for r in everything if r.answered_at is not None]
        assert len(answered) == 1 and answered[0].answered_at >= answered[0].opened_at
        (total,) = case_figures(everything, answered[0].answered_at, by=())
        assert (total.cases, total.answered, total.on_time, total.share_on_time) == \
            (3, 1, 1, 1.0)


def test_deadlines_count_working_days_on_the_calendar():
    # Friday 4 December 2026, 15:00 in Hà Nội; ten working days: 7-11 and 14-18 December
    friday = datetime(2026, 12, 4, 15, 0, tzinfo=HANOI)
    end = deadlines.add_working_days(friday, 10, HANOI)
    assert end == datetime(2026, 12, 18, 23, 59, 59, tzinfo=HANOI)
    # a Saturday or Sunday opening gives the same deadline as the Friday
    for weekend in (5, 6):
        assert deadlines.add_working_days(friday.replace(day=weekend), 10, HANOI) == end
    # 23:30 UTC on Thursday is already Friday morning in Hà Nội
    assert deadlines.add_working_days(datetime(2026, 12, 3, 23, 30, tzinfo=UTC), 10,
                                      HANOI) == end
    assert deadlines.add_working_days(friday, 15, HANOI).date().isoformat() == "2026-12-25"
    assert deadlines.add_working_days(friday, 1, HANOI).date().isoformat() == "2026-12-07"


def test_deadlines_per_service_and_bad_settings():
    config = {"FEEDBACK_DEADLINE_DAYS": 10, "FEEDBACK_DEADLINE_BY_SERVICE": "land=15, id_card=5"}
    assert deadlines.days_for("land", config) == 15
    assert deadlines.days_for("id_card", config) == 5
    assert deadlines.days_for("marriage", config) == 10
    assert deadlines.days_for(None, config) == 10
    for bad in ("land", "land=0", "land=x", "=5"):
        with pytest.raises(FeedbackError, match="FEEDBACK_DEADLINE_BY_SERVICE"):
            deadlines.days_for("land", {**config, "FEEDBACK_DEADLINE_BY_SERVICE": bad})


def test_a_year_counts_the_cases_opened_in_it_in_hanoi_time(app):
    """A case opened at 20:00 UTC on 31 December is already in the next year in Hà Nội."""
    with app.app_context():
        late = datetime(2025, 12, 31, 20, 0, tzinfo=UTC)  # 03:00 on 1 January 2026 locally
        early = datetime(2025, 12, 31, 10, 0, tzinfo=UTC)  # 17:00 on 31 December locally
        for at in (late, early):
            cases.open_case(db.session.get(Response, submit()), None, "rating", "t", now=at)
            db.session.commit()
        (year_2026,) = figures.for_year(None, 2026, NOW)
        (year_2025,) = figures.for_year(None, 2025, NOW)
        assert (year_2026.cases, year_2025.cases) == (1, 1)
        assert figures.for_year(None, 2024, NOW) == []
