"""The daily roll-ups the watch reads: ratings per local day x unit x service area, and
responses per kiosk x hour.

The answer roll-ups (survey/models/aggregates.py) stop at the month, and the chart needs days,
so the watch keeps its own. A run recounts, from the answers, only the days that may have
changed since the last run:

- the recent days (`RECENT_DAYS`, covering a kiosk's offline queue of KIOSK_QUEUE_MAX_DAYS and
  the phone's ONLINE_MAX_AGE_HOURS): answers still arrive for them, and a quarantine or a
  deletion of a recent burst lands there;
- the days of the responses stored since the last run (a response id above `counted_through`):
  a paper import of last month's questionnaires reopens those days.

A recounted day is replaced whole (delete, insert), so a run is idempotent and a response
counted twice is impossible. Responses stored in a transaction that committed after a run
with a lower id than it saw are caught by the recent days' recount. An older day whose
answers were quarantined or deleted later is corrected by `rebuild` (`hailong alerts
rebuild`), which recounts every day.

A day's rating is the response's overall item (the version item marked overall) on a rating
scale: satisfied by the scale's top-box rule (METHODOLOGY §2: likert5 >= 4, rating3 >= 2);
"no answer" is not a rating. Only responses counted in the open-collection figures are
counted (`Response.in_figures`: not quarantined, not a sampled investigation's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, select

from questionnaires.types import get_type
from survey.extensions import db
from survey.models import Answer, KioskHour, RatingDay, Response, VersionItem, WatchState
from survey.services.periods import LOCAL_TZ

RECENT_DAYS = 8  # the kiosk queue's 7 days, and the day in progress


@dataclass(frozen=True, slots=True)
class Refreshed:
    days: int  # days recounted
    rating_rows: int
    kiosk_rows: int
    counted_through: int


def local_day(at: datetime) -> date:
    return at.astimezone(LOCAL_TZ).date()


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants from the start of `first` to the end of `last` (local days)."""
    start = datetime.combine(first, time(), LOCAL_TZ).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), LOCAL_TZ).astimezone(UTC)
    return start, end


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days grouped into (first, last) runs: one query per run."""
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(a, b) for a, b in runs]


def _recount(first: date, last: date) -> tuple[int, int]:
    """Replace the roll-ups of local days first..last with the answers' counts."""
    start, end = day_bounds(first, last)
    years = list(range(first.year, last.year + 1))  # `year` is local, like the day: the index
    db.session.execute(delete(RatingDay).where(RatingDay.day.between(first, last)))
    db.session.execute(delete(KioskHour).where(KioskHour.hour >= start, KioskHour.hour < end))
    rows = db.session.execute(
        select(Response.id, Response.submitted_at, Response.unit_id, Response.service_area_id,
               VersionItem.item_type, Answer.value_int)
        .join(VersionItem, (VersionItem.version_id == Response.version_id)
              & VersionItem.is_overall)
        .join(Answer, (Answer.response_id == Response.id)
              & (Answer.item_code == VersionItem.code))
        .where(Response.year.in_(years), Response.submitted_at >= start,
               Response.submitted_at < end, Response.in_figures,
               Answer.value_int.is_not(None))
        .order_by(Response.id, VersionItem.code))
    counts: dict[tuple[int, int, date], list[int]] = defaultdict(lambda: [0, 0])
    seen: set[int] = set()
    kinds: dict[str, object] = {}
    for response_id, at, unit_id, area_id, item_type, value in rows:
        if response_id in seen:  # two overall items: the first one rates the visit
            continue
        kind = kinds.get(item_type) or kinds.setdefault(item_type, get_type(item_type))
        if not kind.is_rating:
            continue
        seen.add(response_id)
        cell = counts[(unit_id, area_id or 0, local_day(at))]
        cell[0] += 1
        cell[1] += int(kind.is_satisfied(value))
    db.session.add_all(RatingDay(unit_id=u, service_area_id=a, day=d, n=n, satisfied=s)
                       for (u, a, d), (n, s) in counts.items())
    # hours bucketed in Python: date_trunc and strftime differ between the two engines
    per_hour: dict[tuple[int, datetime], int] = defaultdict(int)
    for kiosk_id, at in db.session.execute(
            select(Response.kiosk_id, Response.submitted_at)
            .where(Response.year.in_(years), Response.submitted_at >= start,
                   Response.submitted_at < end, Response.kiosk_id.is_not(None),
                   Response.in_figures)):
        per_hour[(kiosk_id, at.astimezone(UTC).replace(minute=0, second=0, microsecond=0))] += 1
    db.session.add_all(KioskHour(kiosk_id=k, hour=h, n=n) for (k, h), n in per_hour.items())
    db.session.flush()
    return len(counts), len(per_hour)


def refresh(now: datetime, *, recent_days: int = RECENT_DAYS) -> Refreshed:
    """Bring the roll-ups up to date (see the module's note); flushes, the caller commits."""
    state = db.session.get(WatchState, 1)
    if state is None:
        state = WatchState(id=1, counted_through=0)
        db.session.add(state)
    top = db.session.execute(select(func.max(Response.id))).scalar() or 0
    today = local_day(now)
    days = {today - timedelta(days=k) for k in range(recent_days)}
    if top > state.counted_through:
        # only the new responses' times: a range of the primary key, not a scan
        days.update(local_day(at) for (at,) in db.session.execute(
            select(Response.submitted_at).where(Response.id > state.counted_through,
                                                Response.id <= top)))
    return _apply(state, days, top, now)


def rebuild(now: datetime) -> Refreshed:
    """Recount every day that has responses (after old answers were quarantined or deleted)."""
    state = db.session.get(WatchState, 1) or WatchState(id=1, counted_through=0)
    db.session.add(state)
    first, last, top = db.session.execute(
        select(func.min(Response.submitted_at), func.max(Response.submitted_at),
               func.max(Response.id))).one()
    db.session.execute(delete(RatingDay))
    db.session.execute(delete(KioskHour))
    if first is None:
        return _apply(state, set(), 0, now)
    days = {local_day(first) + timedelta(days=k)
            for k in range((local_day(last) - local_day(first)).days + 1)}
    return _apply(state, days, top or 0, now)


def _apply(state: WatchState, days: set[date], top: int, now: datetime) -> Refreshed:
    rating_rows = kiosk_rows = 0
    for first, last in _runs(days):
        r, k = _recount(first, last)
        rating_rows, kiosk_rows = rating_rows + r, kiosk_rows + k
    state.counted_through = max(state.counted_through or 0, top)
    state.refreshed_at = now
    db.session.flush()
    return Refreshed(len(days), rating_rows, kiosk_rows, state.counted_through)
