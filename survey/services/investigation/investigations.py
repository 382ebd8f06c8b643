"""Creating an investigation, reading its summary, and moving it through its statuses.

draft (frame imported, re-importable) → drawn (sample stored) → fieldwork → closed (contacts
deleted). Services flush; the caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func

from survey.database import begin_write
from survey.extensions import db
from survey.models import Questionnaire, now_utc
from survey.models.investigation import FrameDossier, Investigation, SampleCase
from survey.services import audit
from survey.services.investigation import contacts
from survey.services.investigation.design import Design, DesignError, parse_design

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


class InvestigationError(ValueError):
    """A request the investigation's state or the catalogue does not allow; names the field."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


def get(code: str) -> Investigation:
    found = db.session.execute(
        db.select(Investigation).filter_by(code=code)).scalar_one_or_none()
    if found is None:
        raise InvestigationError("code", f"no investigation {code!r}")
    return found


def create(code: str, name: str, questionnaire_code: str, period_from: date, period_to: date,
           design: dict | Design, actor: str = "cli") -> Investigation:
    begin_write()
    if not CODE.match(code or ""):
        raise InvestigationError("code", "1-40 letters, digits, '-', '_' or '.'")
    if db.session.execute(db.select(Investigation.id).filter_by(code=code)).first():
        raise InvestigationError("code", f"{code!r} exists already")
    if not (name or "").strip() or len(name) > 300:
        raise InvestigationError("name", "required, at most 300 characters")
    questionnaire = db.session.execute(
        db.select(Questionnaire).filter_by(code=questionnaire_code)).scalar_one_or_none()
    if questionnaire is None or not questionnaire.versions:
        raise InvestigationError("questionnaire",
                                 f"no published questionnaire {questionnaire_code!r}")
    if period_from > period_to:
        raise InvestigationError("period", f"{period_from} is after {period_to}")
    try:
        parsed = design if isinstance(design, Design) else parse_design(design)
    except DesignError as error:
        raise InvestigationError(f"design.{error.field}", error.english) from None
    row = Investigation(code=code, name=name.strip(), questionnaire=questionnaire,
                        period_from=period_from, period_to=period_to, status="draft",
                        design=parsed.to_json(), created_by=actor)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "create", "investigation", code,
                 new={"period": [period_from.isoformat(), period_to.isoformat()],
                      "design": parsed.to_json()})
    return row


@dataclass(frozen=True, slots=True)
class StratumLine:
    key: str
    frame: int     # N_h
    drawn: int     # n_h
    by_status: dict[str, int]


@dataclass(frozen=True, slots=True)
class Summary:
    investigation: Investigation
    frame_rows: int
    contacts: int
    cases: int
    strata: list[StratumLine]


def summary(investigation: Investigation) -> Summary:
    inv_id = investigation.id
    frame = dict(db.session.execute(
        db.select(FrameDossier.stratum_key, func.count())
        .where(FrameDossier.investigation_id == inv_id).group_by(FrameDossier.stratum_key)
    ).all())
    statuses: dict[str, dict[str, int]] = {}
    for key, status, count in db.session.execute(
            db.select(SampleCase.stratum_key, SampleCase.status, func.count())
            .where(SampleCase.investigation_id == inv_id)
            .group_by(SampleCase.stratum_key, SampleCase.status)):
        statuses.setdefault(key, {})[status] = count
    lines = [StratumLine(key, frame.get(key, 0), sum(statuses.get(key, {}).values()),
                         statuses.get(key, {})) for key in sorted(set(frame) | set(statuses))]
    contact_count = contacts.count(inv_id)
    return Summary(investigation, sum(frame.values()), contact_count,
                   sum(line.drawn for line in lines), lines)


def start_fieldwork(investigation: Investigation, actor: str = "cli") -> None:
    begin_write()
    if investigation.status != "drawn":
        raise InvestigationError("status", f"is {investigation.status}; the fieldwork starts "
                                           "after the draw")
    investigation.status = "fieldwork"
    audit.record(actor, "start_fieldwork", "investigation", investigation.code)
    db.session.flush()


def close(investigation: Investigation, actor: str = "cli") -> int:
    """Close the fieldwork and delete every contact of the frame; how many were deleted."""
    begin_write()
    if investigation.status not in ("drawn", "fieldwork"):
        raise InvestigationError("status", f"is {investigation.status}; only a drawn "
                                           "investigation or its fieldwork can be closed")
    deleted = contacts.delete_all(investigation.id)
    investigation.status = "closed"
    investigation.closed_at = now_utc()
    audit.record(actor, "close", "investigation", investigation.code,
                 new={"contacts_deleted": deleted})
    db.session.flush()
    return deleted
