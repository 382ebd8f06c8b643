"""A sampled case's personal link and its status history.

The link's token is 16 random bytes, shown once (printed on the invitation letter) and stored
only as its SHA-256, like the dossier receipts' tokens (survey/services/tokens.py). Issuing a
case's link again replaces the token: the old letter's link stops working.
"""

from __future__ import annotations

import secrets

from survey.database import begin_write
from survey.extensions import db
from survey.models import now_utc
from survey.models.investigation import CASE_STATUSES, CaseEvent, Investigation, SampleCase
from survey.services.investigation.investigations import InvestigationError
from survey.services.tokens import hash_token


def issue_link(case: SampleCase) -> str:
    """A new single-use token for the case's personal link; returned once, stored hashed."""
    begin_write()
    if case.status == "completed":
        raise InvestigationError("status", "the case is completed: its link is used")
    token = secrets.token_urlsafe(16)
    case.token_hash = hash_token(token)
    case.token_issued_at = now_utc()
    db.session.flush()
    return token


def case_for_token(token: str) -> SampleCase | None:
    return db.session.execute(
        db.select(SampleCase).filter_by(token_hash=hash_token(token or ""))
    ).scalar_one_or_none()


def set_status(case: SampleCase, status: str, actor: str, note: str = "",
               response_id: int | None = None) -> CaseEvent:
    """Record a new status of the case, with its history line."""
    begin_write()
    if status not in CASE_STATUSES:
        raise InvestigationError("status", f"one of {', '.join(CASE_STATUSES)}")
    investigation = db.session.get(Investigation, case.investigation_id)
    if investigation.status not in ("drawn", "fieldwork"):
        raise InvestigationError("status", f"the investigation is {investigation.status}")
    if (status == "completed") != (response_id is not None):
        raise InvestigationError("response", "a completed case names its response, and only "
                                             "a completed case does")
    event = CaseEvent(case=case, from_status=case.status, to_status=status, actor=actor[:80],
                      note=note[:500])
    case.status = status
    case.status_at = event.at = now_utc()
    case.response_id = response_id
    db.session.add(event)
    db.session.flush()
    return event
