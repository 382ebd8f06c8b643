"""Reporting periods are the province's calendar, not UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

# Viet Nam keeps UTC+7 all year (no daylight saving), so a fixed offset needs no tz database.
LOCAL_TZ = timezone(timedelta(hours=7), "ICT")


def year_month(at: datetime) -> tuple[int, int]:
    """The local (year, month) a timestamp is reported under."""
    local = at.astimezone(LOCAL_TZ)
    return local.year, local.month


YEARS = (1900, 2200)  # the years a report may be asked about


def parse_year(text: str | None) -> int | None:
    """A year typed in a query string, or None when it is not one in YEARS.

    Only ASCII digits: "²".isdigit() is true but int("²") fails, and a huge number would
    overflow the SMALLINT year columns.
    """
    if not text or not (text.isascii() and text.isdigit()) or len(text) > 4:
        return None
    year = int(text)
    return year if YEARS[0] <= year <= YEARS[1] else None
