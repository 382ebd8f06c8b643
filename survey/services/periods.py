"""Reporting periods are the province's calendar, not UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

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


def last_complete_year(now: datetime | None = None) -> int:
    """The latest local calendar year that has ended: what pages and reports show by default.

    In the first days of a year only a handful of answers carry the new year; a page that
    defaulted to it would publish "– (n = 2)" every January.
    """
    now = now or datetime.now(UTC)
    return year_month(now)[0] - 1


def is_partial(year: int, now: datetime | None = None) -> bool:
    """True for the current local year (and any later one): its figures are still moving."""
    now = now or datetime.now(UTC)
    return year >= year_month(now)[0]
