"""Case figures beside SIPAS element E: the share answered on time, the median time to answer.

`case_figures` is pure: it takes plain rows (`CaseTimes`) and a moment, and groups them by
unit, service area, both or neither. Definitions (so a council member can check them):
- cases: every case opened in the rows;
- judged: the cases whose outcome is known at `now`: answered (on time or not), plus those
  still unanswered past their deadline (late already). Cases open within their deadline are
  not judged yet, so a busy week does not look like a bad one;
- share answered on time = answered by the deadline / judged (None when nothing is judged);
- median days to answer: the median of (answered - opened), in days, over answered cases.
`rows` reads them from the database, within an officer's unit scope.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from survey.extensions import db
from survey.models import ServiceArea, Unit
from survey.models.feedback import FeedbackCase
from survey.services.feedback.scope import unit_condition

GROUPINGS = ("unit", "service")


@dataclass(frozen=True, slots=True)
class CaseTimes:
    unit: str
    service: str  # "" when the case has no service area
    opened_at: datetime
    due_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True, slots=True)
class CaseFigures:
    unit: str | None  # None: all units together
    service: str | None
    cases: int
    answered: int
    judged: int
    on_time: int
    share_on_time: float | None
    median_days: float | None


def case_figures(rows: Iterable[CaseTimes], now: datetime,
                 by: tuple[str, ...] = ("unit", "service")) -> list[CaseFigures]:
    unknown = set(by) - set(GROUPINGS)
    if unknown:
        raise ValueError(f"by: {', '.join(sorted(unknown))} is not one of {GROUPINGS}")
    groups: dict[tuple, list[CaseTimes]] = {}
    for row in rows:
        key = (row.unit if "unit" in by else None, row.service if "service" in by else None)
        groups.setdefault(key, []).append(row)
    out = []
    for (unit, service), members in sorted(groups.items(), key=lambda kv: str(kv[0])):
        answered = [r for r in members if r.answered_at is not None]
        late_open = [r for r in members if r.answered_at is None and r.due_at < now]
        on_time = sum(1 for r in answered if r.answered_at <= r.due_at)
        judged = len(answered) + len(late_open)
        days = [(r.answered_at - r.opened_at).total_seconds() / 86400 for r in answered]
        out.append(CaseFigures(unit, service, len(members), len(answered), judged, on_time,
                               on_time / judged if judged else None,
                               statistics.median(days) if days else None))
    return out


def rows(scope: Unit | None, opened_from: datetime | None = None,
         opened_to: datetime | None = None) -> list[CaseTimes]:
    """The cases opened in [opened_from, opened_to) within `scope`, as plain rows."""
    query = (db.select(Unit.code, ServiceArea.code, FeedbackCase.opened_at,
                       FeedbackCase.due_at, FeedbackCase.answered_at)
             .select_from(FeedbackCase).join(Unit, Unit.id == FeedbackCase.unit_id)
             .outerjoin(ServiceArea, ServiceArea.id == FeedbackCase.service_area_id))
    if scope is not None:  # the scope's units and those that ended into them
        query = query.where(unit_condition(FeedbackCase.unit_id, scope))
    if opened_from is not None:
        query = query.where(FeedbackCase.opened_at >= opened_from)
    if opened_to is not None:
        query = query.where(FeedbackCase.opened_at < opened_to)
    return [CaseTimes(unit, service or "", opened, due, answered)
            for unit, service, opened, due, answered in db.session.execute(query)]


def year_rows(scope: Unit | None, year: int) -> list[CaseTimes]:
    """The cases opened in `year` (the province's calendar year) within `scope`."""
    from zoneinfo import ZoneInfo

    from flask import current_app

    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh"))
    return rows(scope, datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone))


def for_year(scope: Unit | None, year: int, now: datetime,
             by: tuple[str, ...] = ()) -> list[CaseFigures]:
    """The figures of the cases opened in `year`, for showing beside element E on a dashboard
    or in the council report: one row with `by=()`."""
    return case_figures(year_rows(scope, year), now, by=by)


def beside_element_e(unit_codes: tuple[str | None, ...], service_areas: tuple[str, ...],
                     year: int, now: datetime) -> CaseFigures | None:
    """One line of case figures for a dashboard's element E: the cases opened in `year` under
    the narrowest of `unit_codes` (a report's unit filter and an officer's own unit; None: no
    bound) and, when given, in those service areas. None when there is no case, or when the
    units do not nest (nothing is visible then)."""
    units = [db.session.execute(db.select(Unit).filter_by(code=code)).scalar_one_or_none()
             for code in unit_codes if code]
    if any(u is None for u in units):
        return None
    units.sort(key=lambda u: len(u.path))
    if any(not units[-1].path.startswith(u.path) for u in units):
        return None
    chosen = [r for r in year_rows(units[-1] if units else None, year)
              if not service_areas or r.service in service_areas]
    return case_figures(chosen, now, by=())[0] if chosen else None
