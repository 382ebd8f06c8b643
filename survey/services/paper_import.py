"""Paper questionnaires typed into a spreadsheet: CSV or XLSX, one row per response.

Columns: response_id, questionnaire, version, unit, channel, submitted_at, then one column per
item code (the export's layout). Every row is checked before anything is stored; a file with
any problem imports nothing. `response_id` is the response's UUID, so importing the same file
again stores nothing twice.

Each row is checked by the same `responses.prepare` as an API submission. Storing differs only
in batching: a file of 100,000 forms is stored a thousand responses per statement (their
answers in one `insert_rows`), and the roll-up counts of each group of forms are added
together, not one response per round of statements.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select

from survey.database import begin_write, insert_rows
from survey.extensions import db
from survey.models import Answer, Response, now_utc
from survey.services import aggregates
from survey.services import responses as rservice
from survey.services.imports import ImportRejected, RowProblem, read_table
from survey.services.periods import year_month
from survey.services.questionnaires import UnknownQuestionnaire

ENVELOPE = ("response_id", "questionnaire", "version", "unit", "channel", "submitted_at")
# the service names fields as the API does; the file names them as the export does
FIELD_TO_COLUMN = {"id": "response_id"}
BATCH = 1_000  # responses per insert; also the size of the "already stored?" look-ups
# Checked forms stored (and counted) together: forms of one survey round share their month,
# unit and answer values, so a larger group turns into fewer roll-up upserts; a smaller one
# holds fewer checked forms in memory (about 10 kB each).
COUNT_BATCH = 10_000

_RESPONSES = Response.__table__
_INSERT_RESPONSES = insert(_RESPONSES).returning(_RESPONSES.c.id, sort_by_parameter_order=True)


@dataclass(frozen=True, slots=True)
class PaperImportResult:
    imported: int
    already_present: int


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    return read_table(path.read_bytes(), str(path), ENVELOPE)


def _payload(row: dict[str, str]) -> dict:
    answers = {k: v for k, v in row.items() if k not in ENVELOPE and v != ""}
    return {"id": row.get("response_id"), "questionnaire": row.get("questionnaire"),
            "version": row.get("version") or None, "unit": row.get("unit"),
            "channel": row.get("channel") or "paper", "submitted_at": row.get("submitted_at"),
            "answers": answers}


def import_file(path: Path, lang: str = "en") -> PaperImportResult:
    """Check every row and store the new ones; the caller commits (all or nothing).

    Checked rows are stored a group at a time as the check goes on, inside a savepoint, so
    memory holds one group of checked forms, not the whole file; the first problem stops the
    storing (the rest is still checked, to list every problem) and the savepoint is rolled
    back before ImportRejected: whatever the caller does next, nothing of the file is kept.
    """
    begin_write()
    rows = read_rows(path)
    stored = _stored_ids([rservice.parse_uuid(row.get("response_id")) for _, row in rows])
    problems: list[RowProblem] = []
    group, seen, present, imported = [], set(), 0, 0
    savepoint = db.session.begin_nested()
    for number, row in rows:
        payload = _payload(row)
        response_id = rservice.parse_uuid(payload["id"])
        if response_id is not None and response_id in seen:
            problems.append(RowProblem(number, "response_id", "repeated in this file"))
            continue
        seen.add(response_id)
        if response_id is not None and response_id in stored:
            present += 1
            continue
        try:
            group.append(rservice.prepare(payload, lang))
        except UnknownQuestionnaire as error:
            column = "version" if payload["version"] else "questionnaire"
            problems.append(RowProblem(number, column, str(error)))
        except rservice.SubmissionInvalid as invalid:
            problems.extend(RowProblem(number, FIELD_TO_COLUMN.get(k, k), v)
                            for k, v in invalid.errors.items())
        except rservice.TokenAlreadyUsed as used:  # pragma: no cover - files carry no tokens
            problems.append(RowProblem(number, "token", str(used)))
        if len(group) >= COUNT_BATCH:
            if not problems:
                _store(group)
                imported += len(group)
            group = []
    if problems:
        savepoint.rollback()
        raise ImportRejected(str(path), problems)
    if group:
        _store(group)
        imported += len(group)
    savepoint.commit()
    return PaperImportResult(imported, present)


def _stored_ids(ids: list[uuid.UUID | None]) -> set[uuid.UUID]:
    """Which of these response ids are stored already, a batch per query."""
    wanted = sorted({i for i in ids if i is not None})
    found: set[uuid.UUID] = set()
    for start in range(0, len(wanted), BATCH):
        found.update(db.session.execute(
            select(Response.uuid).where(Response.uuid.in_(wanted[start:start + BATCH])))
            .scalars())
    return found


def _store(group: list[rservice.Prepared]) -> None:
    """Insert checked responses and their answers, a batch per statement, then add their
    roll-up counts together.

    What `responses.store` does for one response, for many at once. Paper rows carry no kiosk
    or receipt token, so there is nothing to redeem.
    """
    connection = db.session.connection()
    received_at = now_utc()
    stored, answers_of = [], {}
    for start in range(0, len(group), BATCH):
        batch = group[start:start + BATCH]
        rows = [_response_row(item, received_at) for item in batch]
        ids = connection.execute(_INSERT_RESPONSES, rows).scalars().all()
        answers = []
        for rid, row, item in zip(ids, rows, batch, strict=True):
            row["id"] = rid
            answers_of[rid] = item.answers
            answers += [{"response_id": rid, "item_code": code, "value_int": a.value_int,
                         "value_text": a.value_text, "missing_code": a.missing_code}
                        for code, a in item.answers.items()]
        if answers:
            insert_rows(connection, Answer.__table__, answers)
        stored += rows
    aggregates.add_responses(stored, answers_of, aggregates.cached_item_types(
        {item.version.id for item in group}))


def _response_row(item: rservice.Prepared, received_at) -> dict:
    year, month = year_month(item.submitted_at)
    return {"uuid": item.uuid, "version_id": item.version.id, "unit_id": item.unit_id,
            "service_area_id": item.service_area_id, "procedure_id": item.procedure_id,
            "kiosk_id": item.kiosk_id, "channel": item.channel,
            "respondent_type": item.respondent_type, "submitted_at": item.submitted_at,
            "year": year, "month": month, "received_at": received_at}
