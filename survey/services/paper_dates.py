"""The dates a clerk types on a paper questionnaire's row: day/month/year or ISO 8601.

Vietnamese forms write dates day first ("05/11/2026" is 5 November), so `d/m/yyyy` and
`dd/mm/yyyy` (with an optional time, `hh:mm` or `hh:mm:ss`) are read day first, and ISO 8601
(what the export writes and Excel's date cells become) is read as before. A two-digit year or a
file that also writes a month first ("12/25/2026") makes a day-first date ambiguous: such a
date is refused with its place rather than filed under the wrong month. The result is the ISO
text `responses.parse_submitted_at` reads (local time when no offset is given), so the CLI and
the web check the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

DAY_FIRST = re.compile(
    r"^(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{2}|\d{4})"
    r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?$")

MESSAGES = {  # code: (English, Vietnamese)
    "two_digit_year": ("{value!r}: a two-digit year is ambiguous; write the year in full, "
                       "e.g. 05/11/2026",
                       "{value!r}: năm hai chữ số không rõ ràng; hãy ghi đủ năm, "
                       "ví dụ 05/11/2026"),
    "month_first": ("{value!r} is ambiguous: this file also writes dates month first "
                    "(row {other}: {other_value!r}); write dates as dd/mm/yyyy or yyyy-mm-dd",
                    "{value!r} không rõ ràng: tệp này có ngày viết tháng trước "
                    "(dòng {other}: {other_value!r}); hãy ghi ngày dạng dd/mm/yyyy hoặc "
                    "yyyy-mm-dd"),
    "impossible": ("{value!r} is not a date (read as day/month/year: {reason})",
                   "{value!r} không phải ngày có thật (đọc theo ngày/tháng/năm: {reason_vi})"),
    "format": ("{value!r} is not a date: write dd/mm/yyyy (e.g. 05/11/2026), optionally with "
               "hh:mm, or ISO 8601 (2026-11-05T09:30)",
               "{value!r} không phải ngày: hãy ghi dd/mm/yyyy (ví dụ 05/11/2026), có thể kèm "
               "giờ hh:mm, hoặc ISO 8601 (2026-11-05T09:30)"),
}


class DateProblem(ValueError):
    """A date that cannot be read without guessing; `message(lang)` says why."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        english, vietnamese = MESSAGES[self.code]
        return (vietnamese if lang == "vi" else english).format(**self.params)


@dataclass(slots=True)
class DateReader:
    """Reads one file's dates; `notice` every day-first date first, so a file that writes
    some dates month first makes its other slash dates ambiguous."""

    month_first: tuple[int, str] | None = None  # (row, text) of a date only month-first fits
    _seen: set = field(default_factory=set)

    def notice(self, row: int, text: str) -> None:
        match = DAY_FIRST.match(text.strip())
        if match and self.month_first is None:
            a, b = int(match["a"]), int(match["b"])
            if a <= 12 < b <= 31:
                self.month_first = (row, text.strip())

    def read(self, text: str) -> str:
        """ISO 8601 text for `text` (unchanged when it is not day first); DateProblem if a
        day-first date is ambiguous or impossible."""
        value = text.strip()
        match = DAY_FIRST.match(value)
        if match is None:
            if re.match(r"^\d{4}-\d{2}-\d{2}", value) or not value:
                return text  # ISO 8601 or empty: parse_submitted_at decides
            raise DateProblem("format", value=value)
        if len(match["year"]) == 2:
            raise DateProblem("two_digit_year", value=value)
        day, month, year = int(match["a"]), int(match["b"]), int(match["year"])
        if self.month_first is not None and day <= 12 and month <= 12:
            row, other = self.month_first
            raise DateProblem("month_first", value=value, other=row, other_value=other)
        hour, minute, second = (int(match[k] or 0) for k in ("hour", "minute", "second"))
        try:
            at = datetime(year, month, day, hour, minute, second)
        except ValueError:
            raise DateProblem("impossible", value=value,
                              **_reason(day, month, year, hour, minute, second)) from None
        return at.isoformat()


def _reason(day: int, month: int, year: int, hour: int, minute: int, second: int) -> dict:
    if not 1 <= month <= 12:
        return {"reason": f"there is no month {month}", "reason_vi": f"không có tháng {month}"}
    if hour > 23 or minute > 59 or second > 59:
        return {"reason": "no such time of day", "reason_vi": "giờ không hợp lệ"}
    return {"reason": f"month {month} of {year} has no day {day}",
            "reason_vi": f"tháng {month} năm {year} không có ngày {day}"}
