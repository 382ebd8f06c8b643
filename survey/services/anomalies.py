"""Signs that a kiosk's answers were gamed: bursts of responses, and desks rated too well.

Both detections are single SQL queries grouped in the database (PostgreSQL or SQLite), so they
cost the same whether a province has a thousand responses or ten million; Python only sees the
few flagged kiosks. Nothing here changes data: a flag is a reason to look, never a verdict.

- A *burst* is `min_count` responses from one kiosk within `window_seconds`: a person answers a
  kiosk in half a minute at best, a queue rarely sustains that for long. A window function finds
  each response that starts a burst (the response `min_count - 1` places later came within the
  window); consecutive starts on one kiosk and one day make one episode.
- A *too-good desk* is a kiosk whose share of "very satisfied" (the top point of the overall
  item's scale) is at least `top_share` over at least `min_n` answers, while the rest of its
  unit (every other response of that unit, on any channel) is at least `gap` lower.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Float, Integer, and_, case, cast, func, select

from survey.extensions import db
from survey.models import Answer, Desk, Kiosk, Response, Unit, VersionItem

DAY = 86400
# The top point of each satisfaction scale ("Rất hài lòng" / "Very satisfied").
TOP_POINT = {"likert5": 5, "rating3": 3}


@dataclass(frozen=True, slots=True)
class Burst:
    kiosk_id: int
    kiosk: str
    unit_code: str
    first_at: datetime  # the first response of the episode
    last_at: datetime  # the last response of the episode
    responses: int  # responses from first_at to last_at, both included


@dataclass(frozen=True, slots=True)
class TooGoodDesk:
    kiosk_id: int
    kiosk: str
    desk: str | None
    unit_code: str
    n: int
    top_share: float
    unit_n: int
    unit_top_share: float


@dataclass(frozen=True, slots=True)
class KioskPresses:
    kiosk_id: int
    kiosk: str
    unit_code: str
    ignored_presses: int


def _epoch(column):
    """Seconds since 1970 of a stored UTC timestamp, as an integer, on either engine."""
    if db.engine.dialect.name == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return cast(func.floor(func.extract("epoch", column)), Integer)


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)


def bursts(min_count: int = 20, window_seconds: int = 300) -> list[Burst]:
    """Episodes of at least `min_count` responses from one kiosk within `window_seconds`."""
    if min_count < 2 or window_seconds <= 0:
        raise ValueError("a burst needs min_count >= 2 and a positive window")
    t = _epoch(Response.submitted_at).label("t")
    # One episode per kiosk and UTC day (an integer division).
    timed = (select(Response.kiosk_id, t, (t // DAY).label("day"),
                    func.lead(t, min_count - 1).over(partition_by=Response.kiosk_id,
                                                     order_by=t).label("t_later"))
             .where(Response.kiosk_id.is_not(None)).subquery())
    starts = (select(timed.c.kiosk_id, timed.c.day,
                     func.min(timed.c.t).label("first"), func.max(timed.c.t_later).label("last"))
              .where(timed.c.t_later.is_not(None), timed.c.t_later - timed.c.t <= window_seconds)
              .group_by(timed.c.kiosk_id, timed.c.day).subquery())
    inside = _epoch(Response.submitted_at)
    query = (select(starts.c.kiosk_id, Kiosk.name, Unit.code, starts.c.first, starts.c.last,
                    func.count(Response.id))
             .join(Kiosk, Kiosk.id == starts.c.kiosk_id).join(Unit, Unit.id == Kiosk.unit_id)
             .join(Response, and_(Response.kiosk_id == starts.c.kiosk_id,
                                  inside.between(starts.c.first, starts.c.last)))
             .group_by(starts.c.kiosk_id, Kiosk.name, Unit.code, starts.c.first, starts.c.last)
             .order_by(starts.c.first.desc()))
    return [Burst(kiosk_id, name, unit, _at(first), _at(last), n)
            for kiosk_id, name, unit, first, last, n in db.session.execute(query)]


def _overall_answers():
    """(response id, unit, kiosk, is top) of every answered overall satisfaction item."""
    top = case(*((and_(VersionItem.item_type == kind, Answer.value_int == point), 1)
                 for kind, point in TOP_POINT.items()), else_=0)
    return (select(Response.unit_id, Response.kiosk_id, top.label("top"))
            .join(VersionItem, and_(VersionItem.version_id == Response.version_id,
                                    VersionItem.is_overall.is_(True),
                                    VersionItem.item_type.in_(TOP_POINT)))
            .join(Answer, and_(Answer.response_id == Response.id,
                               Answer.item_code == VersionItem.code,
                               Answer.value_int.is_not(None)))
            .subquery())


def too_good_desks(top_share: float = 0.95, min_n: int = 30,
                   gap: float = 0.25) -> list[TooGoodDesk]:
    """Kiosks rated "very satisfied" far more often than the rest of their unit."""
    answers = _overall_answers()
    per_kiosk = (select(answers.c.kiosk_id, answers.c.unit_id,
                        func.count().label("n"), func.sum(answers.c.top).label("top"))
                 .where(answers.c.kiosk_id.is_not(None))
                 .group_by(answers.c.kiosk_id, answers.c.unit_id).subquery())
    per_unit = (select(answers.c.unit_id, func.count().label("n"),
                       func.sum(answers.c.top).label("top"))
                .group_by(answers.c.unit_id).subquery())
    # The rest of the unit: the unit's totals minus the kiosk's own.
    rest_n = per_unit.c.n - per_kiosk.c.n
    share = cast(per_kiosk.c.top, Float) / per_kiosk.c.n
    rest_share = cast(per_unit.c.top - per_kiosk.c.top, Float) / rest_n
    query = (select(Kiosk.id, Kiosk.name, Desk.name_vi, Unit.code, per_kiosk.c.n, share,
                    rest_n, rest_share)
             .join(per_unit, per_unit.c.unit_id == per_kiosk.c.unit_id)
             .join(Kiosk, Kiosk.id == per_kiosk.c.kiosk_id)
             .join(Unit, Unit.id == per_kiosk.c.unit_id)
             .outerjoin(Desk, Desk.id == Kiosk.desk_id)
             .where(per_kiosk.c.n >= min_n, rest_n > 0, share >= top_share,
                    rest_share <= share - gap)
             .order_by(share.desc(), Unit.code, Kiosk.name))
    return [TooGoodDesk(*row[:4], int(row[4]), float(row[5]), int(row[6]), float(row[7]))
            for row in db.session.execute(query)]


def ignored_presses() -> list[KioskPresses]:
    """Every kiosk that ignored presses (double taps, drumming), the most first."""
    query = (select(Kiosk.id, Kiosk.name, Unit.code, Kiosk.ignored_presses)
             .join(Unit, Unit.id == Kiosk.unit_id).where(Kiosk.ignored_presses > 0)
             .order_by(Kiosk.ignored_presses.desc(), Kiosk.name))
    return [KioskPresses(*row) for row in db.session.execute(query)]
