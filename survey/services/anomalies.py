"""Signs that answers were gamed: bursts of responses, and desks rated too well.

Both detections are single SQL queries grouped in the database (PostgreSQL or SQLite), so they
cost the same whether a province has a thousand responses or ten million; Python only sees the
few flagged sources. Nothing here changes data: a flag is a reason to look, never a verdict
(an administrator may then quarantine a burst: survey/services/responses/admin.py).

- A *burst* is `min_count` responses through one source — a kiosk, a desk's poster QR code
  (`response.desk_id`) or an officer's web link (`response.link_id`) — within
  `window_seconds`: a person answers a kiosk in half a minute at best, and a queue rarely
  sustains that for long. A window function finds each response that starts a burst (the
  response `min_count - 1` places later came within the window); consecutive starts through
  one source on one day make one episode. Quarantined responses still count here, so an
  episode stays on the page, marked, with the means to restore it. A sampled investigation's
  responses (a personal link, a paper form entered against a case) come through none of these
  sources, so they are in no burst.
- A *too-good desk* is a kiosk whose share of "very satisfied" (the top point of the overall
  item's scale) is at least `top_share` over at least `min_n` answers, while the rest of its
  unit (every other response of that unit, on any channel) is at least `gap` lower. It reads
  what the figures read (`Response.in_figures`): quarantined responses are left out, so a desk
  whose burst was set aside is flagged only if what remains is still too good, and so are an
  investigation's, which are not the open collection's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, Integer, and_, case, cast, func, select

from survey.extensions import db
from survey.models import Answer, Desk, Kiosk, Response, Unit, VersionItem, WebLink

DAY = 86400
# The top point of each satisfaction scale ("Rất hài lòng" / "Very satisfied").
TOP_POINT = {"likert5": 5, "rating3": 3}
# How many of an episode's responses the page lists (the count says how many there are).
LISTED = 50


# The sources a burst comes through: the model, the response column naming it, the name shown.
SOURCES = {"kiosk": (Kiosk, Response.kiosk_id, Kiosk.name),
           "desk": (Desk, Response.desk_id, Desk.code + " · " + Desk.name_vi),
           "link": (WebLink, Response.link_id, WebLink.label)}
SOURCE_KINDS = tuple(SOURCES)


@dataclass(frozen=True, slots=True)
class BurstResponse:
    id: int
    uuid: uuid.UUID
    submitted_at: datetime
    channel: str
    unit_code: str
    overall: int | None  # the overall satisfaction answer, when given
    quarantine_id: int | None


@dataclass(frozen=True, slots=True)
class Burst:
    source: str  # "kiosk", "desk" or "link"
    source_id: int
    name: str
    unit_code: str
    first_at: datetime  # the first response of the episode
    last_at: datetime  # the last response of the episode
    responses: int  # responses from first_at to last_at, both included
    quarantined: int = 0  # how many of them are quarantined
    quarantine_id: int | None = None  # the quarantine holding all of them, if one does
    listed: tuple[BurstResponse, ...] = ()  # the first LISTED of them, when asked for


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
    throttled_responses: int = 0


def _epoch(column):
    """Seconds since 1970 of a stored UTC timestamp, as an integer, on either engine."""
    if db.engine.dialect.name == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return cast(func.floor(func.extract("epoch", column)), Integer)


def bursts(min_count: int = 20, window_seconds: int = 300,
           sources: tuple[str, ...] = SOURCE_KINDS, listed: int = 0) -> list[Burst]:
    """Episodes of at least `min_count` responses through one source within `window_seconds`,
    newest first; each lists its first `listed` responses."""
    if min_count < 2 or window_seconds <= 0:
        raise ValueError("a burst needs min_count >= 2 and a positive window")
    unknown = set(sources) - set(SOURCE_KINDS)
    if unknown:
        raise ValueError(f"unknown burst source {sorted(unknown)[0]!r}")
    found = [burst for source in sources
             for burst in _bursts_through(source, min_count, window_seconds)]
    found.sort(key=lambda b: (b.first_at, b.source, b.source_id), reverse=True)
    if listed:
        found = [_with_responses(b, listed) for b in found]
    return found


def _bursts_through(source: str, min_count: int, window_seconds: int) -> list[Burst]:
    model, column, name = SOURCES[source]
    t = _epoch(Response.submitted_at).label("t")
    # One episode per source and UTC day (an integer division).
    timed = (select(column.label("source_id"), t, (t // DAY).label("day"),
                    func.lead(t, min_count - 1).over(partition_by=column,
                                                     order_by=t).label("t_later"))
             .where(column.is_not(None)).subquery())
    starts = (select(timed.c.source_id, timed.c.day,
                     func.min(timed.c.t).label("first"), func.max(timed.c.t_later).label("last"))
              .where(timed.c.t_later.is_not(None), timed.c.t_later - timed.c.t <= window_seconds)
              .group_by(timed.c.source_id, timed.c.day).subquery())
    inside = _epoch(Response.submitted_at)
    query = (select(starts.c.source_id, name, Unit.code,
                    func.min(Response.submitted_at), func.max(Response.submitted_at),
                    func.count(Response.id), func.count(Response.quarantine_id),
                    func.min(Response.quarantine_id), func.max(Response.quarantine_id))
             .join(model, model.id == starts.c.source_id).join(Unit, Unit.id == model.unit_id)
             .join(Response, and_(column == starts.c.source_id,
                                  inside.between(starts.c.first, starts.c.last)))
             .group_by(starts.c.source_id, name, Unit.code, starts.c.first, starts.c.last))
    out = []
    for source_id, label, unit, first, last, n, held, low, high in db.session.execute(query):
        whole = low if held == n and low == high else None
        # MIN / MAX keep the column's type: aware UTC times on both engines
        out.append(Burst(source, source_id, label, unit, first, last, n, held, whole))
    return out


def _with_responses(burst: Burst, limit: int) -> Burst:
    """The burst with its first `limit` responses: id, time, channel, unit, overall answer."""
    _, column, _ = SOURCES[burst.source]
    overall = (select(Answer.response_id, func.max(Answer.value_int).label("value"))
               .join(Response, Response.id == Answer.response_id)
               .join(VersionItem, and_(VersionItem.version_id == Response.version_id,
                                       VersionItem.code == Answer.item_code,
                                       VersionItem.is_overall.is_(True)))
               .where(column == burst.source_id,
                      Response.submitted_at.between(burst.first_at, burst.last_at))
               .group_by(Answer.response_id).subquery())
    rows = db.session.execute(
        select(Response.id, Response.uuid, Response.submitted_at, Response.channel, Unit.code,
               overall.c.value, Response.quarantine_id)
        .join(Unit, Unit.id == Response.unit_id)
        .outerjoin(overall, overall.c.response_id == Response.id)
        .where(column == burst.source_id,
               Response.submitted_at.between(burst.first_at, burst.last_at))
        .order_by(Response.submitted_at, Response.id).limit(limit))
    listed = tuple(BurstResponse(*row) for row in rows)
    return Burst(burst.source, burst.source_id, burst.name, burst.unit_code, burst.first_at,
                 burst.last_at, burst.responses, burst.quarantined, burst.quarantine_id, listed)


def _overall_answers():
    """(unit, kiosk, is top) of every answered overall satisfaction item of a response that
    counts in the figures (not quarantined, not a sampled investigation's)."""
    top = case(*((and_(VersionItem.item_type == kind, Answer.value_int == point), 1)
                 for kind, point in TOP_POINT.items()), else_=0)
    return (select(Response.unit_id, Response.kiosk_id, top.label("top"))
            .join(VersionItem, and_(VersionItem.version_id == Response.version_id,
                                    VersionItem.is_overall.is_(True),
                                    VersionItem.item_type.in_(TOP_POINT)))
            .join(Answer, and_(Answer.response_id == Response.id,
                               Answer.item_code == VersionItem.code,
                               Answer.value_int.is_not(None)))
            .where(Response.in_figures)
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
    """Every kiosk that ignored presses (double taps, drumming) or refused answers that came
    faster than its minimum interval, the most first."""
    query = (select(Kiosk.id, Kiosk.name, Unit.code, Kiosk.ignored_presses,
                    Kiosk.throttled_responses)
             .join(Unit, Unit.id == Kiosk.unit_id)
             .where((Kiosk.ignored_presses > 0) | (Kiosk.throttled_responses > 0))
             .order_by((Kiosk.ignored_presses + Kiosk.throttled_responses).desc(), Kiosk.name))
    return [KioskPresses(*row) for row in db.session.execute(query)]
