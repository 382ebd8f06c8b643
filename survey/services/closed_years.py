"""Closing a reporting year: once a year's report is signed, no answer may be added to it.

Closing is an administrator's act (`hailong years close YEAR`), audited, and can be undone
(`hailong years reopen YEAR`) for a documented correction. The year in progress cannot be
closed, so submissions dated today never need to look the list up.
"""

from __future__ import annotations

from sqlalchemy import select

from survey.database import begin_write
from survey.extensions import db
from survey.models import ClosedYear, now_utc
from survey.services import audit
from survey.services.periods import YEARS, year_month


class YearError(ValueError):
    """A year that cannot be closed or reopened; the message says why."""


def is_closed(year: int) -> bool:
    return db.session.connection().execute(
        select(ClosedYear.year).where(ClosedYear.year == year)).first() is not None


def closed_years() -> list[int]:
    return list(db.session.execute(select(ClosedYear.year).order_by(ClosedYear.year)).scalars())


def close_year(year: int, actor: str) -> ClosedYear:
    """Close a year that has ended; flushes."""
    current = year_month(now_utc())[0]
    if not YEARS[0] <= year < current:
        raise YearError(f"only a year that has ended can be closed (before {current})")
    begin_write()
    if db.session.get(ClosedYear, year) is not None:
        raise YearError(f"{year} is already closed")
    row = ClosedYear(year=year, closed_by=actor)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "close", "year", str(year))
    return row


def reopen_year(year: int, actor: str, reason: str) -> None:
    """Open a closed year again (a correction); the reason is kept in the audit log."""
    begin_write()
    row = db.session.get(ClosedYear, year)
    if row is None:
        raise YearError(f"{year} is not closed")
    db.session.delete(row)
    db.session.flush()
    audit.record(actor, "reopen", "year", str(year), new={"reason": reason})
