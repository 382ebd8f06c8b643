"""Days as a clerk types them in a unit or event file: dd/mm/yyyy (Vietnamese order) or ISO
yyyy-mm-dd, read by the paper import's rules (survey/services/paper_dates.py) so an ambiguous
date is refused with its place rather than filed under the wrong month."""

from __future__ import annotations

from datetime import date, datetime

from survey.services.paper_dates import DateProblem, DateReader
from survey.services.periods import LOCAL_TZ


def local_today() -> date:
    """Today in the province (an event takes effect at local midnight, not UTC's)."""
    return datetime.now(LOCAL_TZ).date()


def read_day(text: str, reader: DateReader | None = None) -> date | None:
    """The day `text` names, None when it is empty; DateProblem when it names none or a time
    of day comes with it (an event takes effect on a whole day)."""
    value = text.strip()
    if not value:
        return None
    iso = (reader or DateReader()).read(value)
    try:
        if len(iso) > 10 and iso[10:] not in ("T00:00:00", ""):
            raise ValueError("a time of day")
        return date.fromisoformat(iso[:10])
    except ValueError:
        raise DateProblem("format", value=value) from None


def day_text(day: date | None) -> str:
    """A day as the Vietnamese UI writes it (dd/mm/yyyy); empty for None."""
    return day.strftime("%d/%m/%Y") if day else ""
