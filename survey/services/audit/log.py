"""Reading the audit log: filtered listing and a spreadsheet-safe CSV export."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from survey.extensions import db
from survey.models import AuditEntry

CSV_COLUMNS = ("at", "actor", "action", "entity_type", "entity_key", "old_values",
               "new_values")
# Excel and LibreOffice run a cell starting with these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class AuditFilter:
    entity_type: str = ""
    actor: str = ""
    key: str = ""
    since: date | None = None
    until: date | None = None


def _query(f: AuditFilter):
    query = db.select(AuditEntry)
    if f.entity_type:
        query = query.where(AuditEntry.entity_type == f.entity_type)
    if f.actor:
        query = query.where(AuditEntry.actor == f.actor)
    if f.key:
        query = query.where(AuditEntry.entity_key.contains(f.key, autoescape=True))
    if f.since:
        query = query.where(AuditEntry.at >= datetime.combine(f.since, time(), UTC))
    if f.until:
        end = datetime.combine(f.until + timedelta(days=1), time(), UTC)
        query = query.where(AuditEntry.at < end)
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def entries(f: AuditFilter, limit: int = 200, offset: int = 0) -> list[AuditEntry]:
    return list(db.session.execute(_query(f).limit(limit).offset(offset)).scalars())


def entity_types() -> list[str]:
    query = db.select(AuditEntry.entity_type).distinct().order_by(AuditEntry.entity_type)
    return list(db.session.execute(query).scalars())


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _json(value: object) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def to_csv(f: AuditFilter) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in db.session.execute(_query(f)).scalars():
        writer.writerow([safe_cell(v) for v in (
            e.at.isoformat(), e.actor, e.action, e.entity_type, e.entity_key,
            _json(e.old_values), _json(e.new_values))])
    return out.getvalue()
