"""A case's deadline: N working days after it opened, per service area.

Working days are Monday to Friday in the province's time zone; the deadline is the end of the
last one (23:59:59 local), so a case opened on a Friday evening still has its ten full days.
Public holidays are not known to the app and count as working days: a province that wants
them out raises the number of days for the services concerned.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from survey.services.feedback import FeedbackError


def parse_overrides(text: str) -> dict[str, int]:
    """"land=15,construction=20" -> {"land": 15, "construction": 20}; raises FeedbackError
    naming the bad part."""
    overrides: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        code, sep, days = part.partition("=")
        if not sep or not code.strip() or not days.strip().isdigit() or int(days) < 1:
            raise FeedbackError("FEEDBACK_DEADLINE_BY_SERVICE",
                                f"{part!r} is not SERVICE=DAYS with DAYS a whole number >= 1")
        overrides[code.strip()] = int(days)
    return overrides


def days_for(service_code: str | None, config: dict | None = None) -> int:
    config = current_app.config if config is None else config
    overrides = parse_overrides(config.get("FEEDBACK_DEADLINE_BY_SERVICE", ""))
    days = overrides.get(service_code or "", int(config.get("FEEDBACK_DEADLINE_DAYS", 10)))
    if days < 1:
        raise FeedbackError("FEEDBACK_DEADLINE_DAYS", "must be at least 1")
    return days


def add_working_days(start: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The end (23:59:59 local, as UTC) of the `days`-th working day after `start`'s day."""
    day = start.astimezone(zone).date()
    left = days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    end = datetime.combine(day, time(23, 59, 59), zone)
    return end.astimezone(UTC)


def due_at(opened_at: datetime, service_code: str | None) -> datetime:
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh"))
    return add_working_days(opened_at, days_for(service_code), zone)
