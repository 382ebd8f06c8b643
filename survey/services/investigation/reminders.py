"""Reminders: the cases still open (issued or contacted) N days after their letter, per
collector, as a list for the page and a CSV for the field staff.

A case's age counts from its link's last issue (the letter the citizen holds), or from the
draw when no letter was printed yet. The CSV holds no contact details (they stay sealed,
survey/services/investigation/contacts.py) and passes every text cell through the formula
guard, since a stratum or dossier code comes from an imported file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from survey.extensions import db
from survey.models import Unit, User, now_utc
from survey.models.investigation import FrameDossier, Investigation, SampleCase
from survey.services.formula_guard import neutralise
from survey.services.investigation.fieldwork import OPEN_STATUSES, Scope, case_code
from survey.services.periods import LOCAL_TZ

MAX_DAYS = 3650


@dataclass(frozen=True, slots=True)
class Reminder:
    collector: str
    code: str
    dossier_code: str
    stratum: str
    unit: str
    status: str
    since: datetime
    last_change: datetime
    days_open: int


def due(investigation: Investigation, scope: Scope, days: int,
        now: datetime | None = None) -> list[Reminder]:
    """Open cases whose letter (or draw) is at least `days` days old, by collector."""
    if not 0 <= days <= MAX_DAYS:
        raise ValueError(f"days: a whole number from 0 to {MAX_DAYS}")
    now = now or now_utc()
    query = scope.where(
        db.select(SampleCase.id, User.username, FrameDossier.dossier_code,
                  SampleCase.stratum_key, Unit.code, SampleCase.status,
                  SampleCase.token_issued_at, SampleCase.status_at)
        .join(FrameDossier, FrameDossier.id == SampleCase.frame_dossier_id)
        .join(Unit, Unit.id == FrameDossier.unit_id)
        .outerjoin(User, User.id == SampleCase.collector_id)
        .where(SampleCase.investigation_id == investigation.id,
               SampleCase.status.in_(OPEN_STATUSES)))
    found = []
    for case_id, collector, dossier, stratum, unit, status, issued, changed in \
            db.session.execute(query):
        since = issued or investigation.drawn_at or changed
        age = now - since
        if age < timedelta(days=days):
            continue
        found.append(Reminder(collector or "", case_code(investigation.code, case_id), dossier,
                              stratum, unit, status, since, changed, age.days))
    # Unassigned cases last: the list is read collector by collector.
    return sorted(found, key=lambda r: (r.collector == "", r.collector, -r.days_open, r.code))


HEADER = ("collector", "case_code", "dossier_code", "stratum", "unit", "status",
          "letter_or_draw", "last_change", "days_open")


def to_csv(reminders: list[Reminder]) -> str:
    """UTF-8 with a BOM (Excel reads Vietnamese then); times in the province's time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for r in reminders:
        writer.writerow([neutralise(v) for v in (
            r.collector, r.code, r.dossier_code, r.stratum, r.unit, r.status,
            f"{r.since.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}",
            f"{r.last_change.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}")] + [r.days_open])
    return "\ufeff" + out.getvalue()
