"""Opening a case, moving it through its statuses, answering and closing it.

Every change writes one history line (FeedbackEvent) and one audit entry in the same
transaction. Allowed moves (TRANSITIONS): an open case (received, in progress, reopened) is
answered or closed; closing a case that was never answered needs a reason; an answered or
closed case may be reopened, which gives it a new deadline. Closing deletes the contact.
"""

from __future__ import annotations

from datetime import datetime

from survey.database import begin_write
from survey.extensions import db
from survey.models import Response, ServiceArea, Unit, now_utc
from survey.models.feedback import OPEN_STATUSES, FeedbackCase, FeedbackEvent
from survey.services import audit
from survey.services.feedback import FeedbackError, contacts, deadlines, senders
from survey.services.feedback.scope import unit_condition

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("in_progress", "answered", "closed"),
    "in_progress": ("answered", "closed"),
    "reopened": ("in_progress", "answered", "closed"),
    "answered": ("closed", "reopened"),
    "closed": ("reopened",),
}
ANSWER_MAX_CHARS = 5000
NOTE_MAX_CHARS = 500


def _event(case: FeedbackCase, from_status: str | None, to_status: str, actor: str,
           note: str = "", at: datetime | None = None) -> FeedbackEvent:
    event = FeedbackEvent(from_status=from_status, to_status=to_status, actor=actor[:80],
                          note=note[:NOTE_MAX_CHARS], at=at or now_utc())
    case.events.append(event)
    return event


def _service_code(case_or_response) -> str | None:
    area = case_or_response.service_area
    return area.code if area is not None else None


def open_case(response: Response | None, unit: Unit, source: str, actor: str,
              contact: contacts.Contact | None = None, service_area=None,
              now: datetime | None = None) -> FeedbackCase:
    """Open (or find) the case of `response`, routed to its unit; attach `contact`, given with
    the citizen's consent, if any. Without a response (a comment brought another way) the
    unit and service area are given."""
    begin_write()
    if response is not None:
        existing = db.session.execute(
            db.select(FeedbackCase).filter_by(response_id=response.id)).scalar_one_or_none()
        if existing is not None:
            if contact is not None and existing.status != "closed":
                contacts.attach(existing, contact)
                _event(existing, existing.status, existing.status, actor,
                       "contact given, with consent")
            return existing
        unit = db.session.get(Unit, response.unit_id)
        service_area = (db.session.get(ServiceArea, response.service_area_id)
                        if response.service_area_id else None)
    opened = now or now_utc()
    case = FeedbackCase(response_id=response.id if response is not None else None,
                        unit_id=unit.id, service_area=service_area, source=source,
                        status="received", opened_at=opened,
                        due_at=deadlines.due_at(opened, service_area.code
                                                if service_area else None))
    db.session.add(case)
    _event(case, None, "received", actor, "with a contact, given with consent" if contact
           else "no contact left", at=opened)
    db.session.flush()
    if contact is not None:
        contacts.attach(case, contact)
    audit.record(actor, "feedback.open", "feedback_case", case.id,
                 new={"unit": unit.code, "source": source, "contact": contact is not None,
                      "due_at": case.due_at.isoformat()})
    return case


def _move(case: FeedbackCase, to_status: str, actor: str, note: str = "") -> FeedbackEvent:
    if to_status not in TRANSITIONS.get(case.status, ()):
        raise FeedbackError("status", f"a {case.status} case cannot become {to_status}")
    event = _event(case, case.status, to_status, actor, note)
    audit.record(actor, f"feedback.{to_status}", "feedback_case", case.id,
                 old={"status": case.status}, new={"status": to_status, "note": note[:200]})
    case.status = to_status
    return event


def start(case: FeedbackCase, actor: str, note: str = "") -> None:
    begin_write()
    _move(case, "in_progress", actor, note)
    db.session.flush()


def answer(case: FeedbackCase, text: str, actor: str) -> senders.SendResult | None:
    """Record the unit's answer and send it to the citizen when a contact was left.

    Returns what the sender reported (None: no contact). The case is flushed before the
    message goes out, so a refused change never reaches the citizen.
    """
    begin_write()
    text = (text or "").strip()
    if not text:
        raise FeedbackError("answer", "the answer is empty")
    if len(text) > ANSWER_MAX_CHARS:
        raise FeedbackError("answer", f"at most {ANSWER_MAX_CHARS} characters")
    _move(case, "answered", actor)
    case.answer, case.answered_at, case.answered_by = text, now_utc(), actor[:80]
    db.session.flush()
    contact = contacts.open_contact(case)
    if contact is None:
        _event(case, "answered", "answered", actor, "no contact: the answer stays with the unit")
        return None
    result = senders.sender_for(contact.channel).send(contact.address, _subject(case), text)
    _event(case, "answered", "answered", actor, result.detail)
    db.session.flush()
    return result


def _subject(case: FeedbackCase) -> str:
    unit = case.unit
    return f"Trả lời phản ánh, kiến nghị số {case.id} – {unit.name_vi}"


def close(case: FeedbackCase, actor: str, note: str = "") -> None:
    begin_write()
    if case.status != "answered" and not note.strip():
        raise FeedbackError("note", "closing a case that was not answered needs a reason")
    _move(case, "closed", actor, note)
    case.closed_at = now_utc()
    if contacts.delete(case):
        _event(case, "closed", "closed", actor, "contact deleted")
    db.session.flush()


def reopen(case: FeedbackCase, actor: str, note: str = "") -> None:
    """Back to the unit with a new deadline; the earlier answer stays in the history."""
    begin_write()
    _move(case, "reopened", actor, note)
    now = now_utc()
    case.due_at = deadlines.due_at(now, _service_code(case))
    case.answered_at, case.escalated_at, case.closed_at = None, None, None
    db.session.flush()


def transition(case: FeedbackCase, to_status: str, actor: str, note: str = "") -> None:
    """One entry point for the pages: the moves that carry no answer text."""
    actions = {"in_progress": start, "closed": close, "reopened": reopen}
    if to_status not in actions:
        raise FeedbackError("status", f"unknown move {to_status!r}")
    actions[to_status](case, actor, note)


def in_scope(query, scope: Unit | None):
    """Narrow a FeedbackCase query to the subtree of `scope` and the units that ended into it
    (`feedback.scope`; None: everything)."""
    if scope is None:
        return query
    return query.where(unit_condition(FeedbackCase.unit_id, scope))


def get_in_scope(case_id: int, scope: Unit | None) -> FeedbackCase | None:
    return db.session.execute(
        in_scope(db.select(FeedbackCase).where(FeedbackCase.id == case_id), scope)
    ).scalar_one_or_none()


def listing(scope: Unit | None, status: str = "", limit: int = 200) -> list[FeedbackCase]:
    query = in_scope(db.select(FeedbackCase), scope)
    if status == "open":
        query = query.where(FeedbackCase.status.in_(OPEN_STATUSES))
    elif status:
        query = query.where(FeedbackCase.status == status)
    return list(db.session.execute(
        query.order_by(FeedbackCase.due_at, FeedbackCase.id).limit(limit)).scalars())
