"""Numbers as Vietnamese write them (80,3 %; 38.855) and as English does (80.3 %; 38,855)."""

from __future__ import annotations

import re
from datetime import date

NBSP = "\u00a0"  # keeps "80,3" and "%" on one line
# Characters XML 1.0 cannot carry (a DOCX is XML; reportlab parses its paragraphs as XML too).
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Text as a document can hold it: control characters (from a pasted name) removed."""
    return NOT_XML.sub("", text)


def _swap(text: str, lang: str) -> str:
    """Python's 1,234.5 → 1.234,5 in Vietnamese."""
    if lang != "vi":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def number(value: float | None, digits: int = 1, lang: str = "vi") -> str:
    if value is None:
        return "–"
    return _swap(f"{value:,.{digits}f}", lang)


def integer(value: int | None, lang: str = "vi") -> str:
    return "–" if value is None else _swap(f"{int(value):,d}", lang)


def pct(share: float | None, lang: str = "vi", digits: int = 1) -> str:
    """A share 0–1 as a percentage: 0.803 → "80,3 %"."""
    return "–" if share is None else f"{number(share * 100, digits, lang)}{NBSP}%"


def pct_range(low: float | None, high: float | None, lang: str = "vi") -> str:
    """An interval of shares: "78,5–89,8 %"."""
    if low is None or high is None:
        return "–"
    return f"{number(low * 100, 1, lang)}–{number(high * 100, 1, lang)}{NBSP}%"


def points(delta: float | None, lang: str = "vi") -> str:
    """A change of shares in percentage points, signed: +2,1 / -6,2."""
    if delta is None:
        return "–"
    value = number(abs(delta) * 100, 1, lang)
    return ("+" if delta > 0 else "-" if delta < 0 else "") + value


def p_value(p: float | None, lang: str = "vi") -> str:
    if p is None:
        return "–"
    return "< " + number(0.001, 3, lang) if p < 0.001 else number(p, 3, lang)


def p_relation(p: float | None, lang: str = "vi") -> str:
    """"= 0,012" or "< 0,001": what follows "p" in a sentence (never "p = < 0,001")."""
    text = p_value(p, lang)
    return text if text.startswith("<") else "= " + text


def vi_date(day: date) -> str:
    """ "ngày 05 tháng 02 năm 2026": Decree 30 writes days below 10 and months below 3 with a
    leading zero (so that nothing can be added in front of them by hand)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def en_date(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"
