"""Setting responses aside (quarantine, restore) and removing them; all audited.

Every figure is read from the maintained roll-ups (survey/services/aggregates.py) or from
scans that skip quarantined responses, so a response leaves the figures when its answers are
subtracted from the roll-ups, and comes back when they are added again: deleting,
quarantining and restoring all go through `count_responses`, in the transaction that changes the
response rows. A quarantined response's answers are already out of the roll-ups, so deleting
it subtracts nothing.

Concurrency: on SQLite `begin_write` holds the one write lock from the first statement. On
PostgreSQL the rows are claimed by an UPDATE (or locked FOR UPDATE) before they are counted,
so two administrators setting aside overlapping windows, or a deletion racing a restore,
count each response once; submissions only insert new rows, which no claim touches.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select, update

from survey.database import begin_write
from survey.extensions import db
from survey.models import Answer, ClosedYear, Quarantine, Response, now_utc
from survey.services import aggregates, audit
from survey.services.anomalies import SOURCES

MAX_REASON = 500
# What the roll-ups count: neither set aside nor an investigation's (never counted, so never
# subtracted, and not the open collection's to quarantine).
_NOT_SET_ASIDE = Response.in_figures
_ENVELOPE = (Response.id, Response.year, Response.month, Response.unit_id, Response.version_id,
             Response.service_area_id, Response.procedure_id, Response.channel,
             Response.respondent_type)


class QuarantineError(ValueError):
    """A request that cannot be carried out; the message says why."""


class ClosedYearError(QuarantineError):
    """The responses fall in a year closed for reporting (its report is signed)."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(f"responses of the closed year {year} would change its figures; "
                         "reopen the year first")


def count_responses(where, sign: int) -> int:
    """Add (`sign=1`) or subtract (`sign=-1`) the answers of the responses matching `where`
    in every roll-up; returns how many responses that was."""
    rows = db.session.execute(select(*_ENVELOPE).where(where)).mappings().all()
    if not rows:
        return 0
    answers: dict[int, dict] = {row["id"]: {} for row in rows}
    for answer in db.session.execute(
            select(Answer.response_id, Answer.item_code, Answer.value_int, Answer.missing_code)
            .join(Response, Response.id == Answer.response_id).where(where)):
        answers[answer.response_id][answer.item_code] = answer
    items = aggregates.cached_item_types({row["version_id"] for row in rows})
    aggregates.add_responses(rows, answers, items, sign=sign)
    return len(rows)


def _refuse_closed_years(where) -> None:
    """A closed year's report is signed: its figures change only after `years reopen`."""
    closed = db.session.execute(
        select(Response.year).distinct().join(ClosedYear, ClosedYear.year == Response.year)
        .where(where).order_by(Response.year)).scalars().all()
    if closed:
        raise ClosedYearError(closed[0])


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise QuarantineError("give a reason")
    if len(reason) > MAX_REASON:
        raise QuarantineError(f"the reason is longer than {MAX_REASON} characters")
    return reason


def quarantine_burst(source: str, source_id: int, first_at: datetime, last_at: datetime,
                     reason: str, actor: str) -> Quarantine | None:
    """Set aside the responses through one kiosk, desk poster or web link submitted from
    `first_at` to `last_at` (both included); flushes.

    Returns the new quarantine, or None when every such response is set aside already (or
    there is none): quarantining twice changes nothing.
    """
    if source not in SOURCES:
        raise QuarantineError(f"a burst comes through one of {', '.join(SOURCES)}")
    model, column, _ = SOURCES[source]
    kind = f"{source}_burst"  # QUARANTINE_KINDS
    if first_at.tzinfo is None or last_at.tzinfo is None:
        raise QuarantineError("give times with their offset")
    if first_at > last_at:
        raise QuarantineError("the window ends before it starts")
    reason = _reason(reason)
    begin_write()
    if db.session.get(model, source_id) is None:
        raise QuarantineError(f"there is no {source} {source_id}")
    chosen = (column == source_id) & Response.submitted_at.between(first_at, last_at)
    return _set_aside(kind, chosen, reason, actor, (first_at, last_at),
                      {f"{source}_id": source_id})


def quarantine_responses(uuids: Iterable[uuid.UUID], reason: str,
                         actor: str) -> Quarantine | None:
    """Set aside responses chosen one by one (kind "manual"); flushes. None when all of them
    are set aside already. Unknown ids are refused, so a typing error is not skipped."""
    wanted = sorted(set(uuids))
    if not wanted:
        raise QuarantineError("name at least one response")
    reason = _reason(reason)
    begin_write()
    found = set(db.session.execute(
        select(Response.uuid).where(Response.uuid.in_(wanted))).scalars())
    missing = [str(u) for u in wanted if u not in found]
    if missing:
        raise QuarantineError(f"no response {missing[0]}")
    sampled = db.session.execute(select(Response.uuid).where(
        Response.uuid.in_(wanted), ~Response.open_collection).limit(1)).scalar()
    if sampled is not None:
        raise QuarantineError(f"response {sampled} is a sampled investigation's: it counts in "
                              "no open-collection figure to be set aside from")
    return _set_aside("manual", Response.uuid.in_(wanted), reason, actor, None, {})


def _set_aside(kind: str, chosen, reason: str, actor: str,
               window: tuple[datetime, datetime] | None, source: dict) -> Quarantine | None:
    _refuse_closed_years(chosen & _NOT_SET_ASIDE)
    first, last = db.session.execute(
        select(func.min(Response.submitted_at), func.max(Response.submitted_at))
        .where(chosen & _NOT_SET_ASIDE)).one()
    if first is None:
        return None
    first_at, last_at = window or (first, last)
    row = Quarantine(kind=kind, first_at=first_at, last_at=last_at, reason=reason,
                     created_by=actor, **source)
    db.session.add(row)
    db.session.flush()
    # The claim: on PostgreSQL a concurrent claim of the same rows waits for this one and
    # then finds them set aside, so each response is subtracted once.
    db.session.execute(update(Response).where(chosen & _NOT_SET_ASIDE)
                       .values(quarantine_id=row.id),
                       execution_options={"synchronize_session": False})
    row.responses = count_responses(Response.quarantine_id == row.id, sign=-1)
    if not row.responses:  # another administrator claimed them meanwhile
        db.session.delete(row)
        db.session.flush()
        return None
    audit.record(actor, "quarantine", "quarantine", str(row.id), new={
        "kind": kind, **source, "from": first_at.isoformat(), "to": last_at.isoformat(),
        "reason": reason, "responses": row.responses})
    db.session.flush()
    return row


def restore(quarantine_id: int, actor: str) -> int:
    """Put a quarantine's responses back into the figures; flushes. Returns how many came
    back (0 when it was restored already)."""
    begin_write()
    row = db.session.execute(select(Quarantine).where(Quarantine.id == quarantine_id)
                             .with_for_update()).scalar_one_or_none()
    if row is None:
        raise QuarantineError(f"there is no quarantine {quarantine_id}")
    if row.restored_at is not None:
        return 0
    held = Response.quarantine_id == row.id
    _refuse_closed_years(held)
    db.session.execute(select(Response.id).where(held).with_for_update())  # PostgreSQL
    restored = count_responses(held, sign=1)
    db.session.execute(update(Response).where(held).values(quarantine_id=None),
                       execution_options={"synchronize_session": False})
    row.restored_at, row.restored_by = now_utc(), actor
    audit.record(actor, "restore", "quarantine", str(row.id),
                 old={"responses": row.responses}, new={"responses": restored})
    db.session.flush()
    return restored


def quarantines(limit: int = 100) -> list[Quarantine]:
    """The latest quarantines, restored or not, newest first."""
    return list(db.session.execute(
        select(Quarantine).order_by(Quarantine.id.desc()).limit(limit)).scalars())


def response_ids(uuids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The stored ids of these response UUIDs (unknown ones are left out)."""
    wanted = sorted(set(uuids))
    return {row.uuid: row.id for row in db.session.execute(
        select(Response.uuid, Response.id).where(Response.uuid.in_(wanted)))}


def delete_responses(ids: Iterable[int], actor: str, reason: str) -> int:
    """Delete responses by id, subtracting their answers from the counts; flushes.

    A quarantined response's answers are out of the counts already, and an investigation's
    were never in them: only the others are subtracted. Answers go with their response (ON
    DELETE CASCADE).
    """
    begin_write()
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    chosen = Response.id.in_(wanted)
    found = db.session.execute(select(Response.uuid, Response.quarantine_id).where(chosen)
                               .with_for_update()).all()
    if not found:
        return 0
    count_responses(chosen & _NOT_SET_ASIDE, sign=-1)
    for response_uuid, quarantine_id in found:
        audit.record(actor, "delete", "response", str(response_uuid),
                     new={"reason": reason, "quarantine": quarantine_id})
    db.session.execute(delete(Response).where(chosen),
                       execution_options={"synchronize_session": False})
    db.session.flush()
    return len(found)
