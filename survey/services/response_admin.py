"""Removing responses (spam, test entries): the answers and their report counts go together."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from survey.database import begin_write
from survey.extensions import db
from survey.models import Answer, Response
from survey.services import aggregates, audit


def delete_responses(ids: Iterable[int], actor: str, reason: str) -> int:
    """Delete responses by id, subtracting their answers from the counts; flushes."""
    begin_write()
    wanted = sorted(set(ids))
    responses = db.session.execute(select(Response).where(Response.id.in_(wanted))).scalars().all()
    if not responses:
        return 0
    found = [r.id for r in responses]
    answers: dict[int, dict] = {rid: {} for rid in found}
    for answer in db.session.execute(select(Answer).where(Answer.response_id.in_(found))).scalars():
        answers[answer.response_id][answer.item_code] = answer
    rows = [{"id": r.id, "year": r.year, "month": r.month, "unit_id": r.unit_id,
             "version_id": r.version_id, "service_area_id": r.service_area_id,
             "procedure_id": r.procedure_id, "channel": r.channel,
             "respondent_type": r.respondent_type} for r in responses]
    aggregates.add_responses(rows, answers,
                             aggregates.cached_item_types({r.version_id for r in responses}),
                             sign=-1)
    for response in responses:
        audit.record(actor, "delete", "response", str(response.uuid), new={"reason": reason})
        db.session.delete(response)
    db.session.flush()
    return len(responses)
