"""The PAR INDEX series: entered by an admin, shown apart from survey percentages."""

from __future__ import annotations

from survey.extensions import db
from survey.models import ParIndexEntry
from survey.services import audit


def set_entry(year: int, score: float, rank: int | None, method_break: bool, note: str,
              actor: str) -> ParIndexEntry:
    if not 0 <= score <= 100:
        raise ValueError("the PAR INDEX is a score from 0 to 100")
    entry = db.session.execute(db.select(ParIndexEntry).filter_by(year=year)).scalar_one_or_none()
    old = None
    if entry is None:
        entry = ParIndexEntry(year=year)
        db.session.add(entry)
    else:
        old = {"score": entry.score, "rank": entry.rank, "method_break": entry.method_break}
    entry.score, entry.rank, entry.method_break, entry.note = score, rank, method_break, note
    entry.entered_by = actor
    audit.record(actor, "set", "par_index", str(year), old=old,
                 new={"score": score, "rank": rank, "method_break": method_break})
    db.session.flush()
    return entry


def series() -> list[dict]:
    """The yearly series, with `segment` numbers that change at each method break."""
    entries = db.session.execute(db.select(ParIndexEntry).order_by(ParIndexEntry.year)).scalars()
    out, segment = [], 0
    for entry in entries:
        if entry.method_break and out:
            segment += 1
        out.append({"year": entry.year, "score": entry.score, "rank": entry.rank,
                    "method_break": entry.method_break, "segment": segment, "note": entry.note})
    return out
