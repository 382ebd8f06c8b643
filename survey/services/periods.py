"""Reporting periods are the province's calendar, not UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

# Viet Nam keeps UTC+7 all year (no daylight saving), so a fixed offset needs no tz database.
LOCAL_TZ = timezone(timedelta(hours=7), "ICT")


def year_month(at: datetime) -> tuple[int, int]:
    """The local (year, month) a timestamp is reported under."""
    local = at.astimezone(LOCAL_TZ)
    return local.year, local.month
