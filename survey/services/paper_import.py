"""Paper questionnaires typed into a spreadsheet: CSV or XLSX, one row per response.

Columns: response_id, questionnaire, version, unit, channel, submitted_at, then one column per
item code (the export's layout). Every row is checked before anything is stored; a file with
any problem imports nothing. `response_id` is the response's UUID, so importing the same file
again stores nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from survey.database import begin_write
from survey.services import responses as rservice
from survey.services.imports import ImportRejected, RowProblem, read_table
from survey.services.questionnaires import UnknownQuestionnaire

ENVELOPE = ("response_id", "questionnaire", "version", "unit", "channel", "submitted_at")
# the service names fields as the API does; the file names them as the export does
FIELD_TO_COLUMN = {"id": "response_id"}


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
    """Check every row, then store the new ones; the caller commits (all or nothing)."""
    begin_write()
    rows = read_rows(path)
    problems: list[RowProblem] = []
    prepared, seen, present = [], set(), 0
    for number, row in rows:
        payload = _payload(row)
        response_id = rservice.parse_uuid(payload["id"])
        if response_id is not None and response_id in seen:
            problems.append(RowProblem(number, "response_id", "repeated in this file"))
            continue
        seen.add(response_id)
        if response_id is not None and rservice.find(response_id) is not None:
            present += 1
            continue
        try:
            prepared.append(rservice.prepare(payload, lang))
        except UnknownQuestionnaire as error:
            column = "version" if payload["version"] else "questionnaire"
            problems.append(RowProblem(number, column, str(error)))
        except rservice.SubmissionInvalid as invalid:
            problems.extend(RowProblem(number, FIELD_TO_COLUMN.get(k, k), v)
                            for k, v in invalid.errors.items())
        except rservice.TokenAlreadyUsed as used:  # pragma: no cover - files carry no tokens
            problems.append(RowProblem(number, "token", str(used)))
    if problems:
        raise ImportRejected(str(path), problems)
    for item in prepared:
        rservice.store(item)
    return PaperImportResult(len(prepared), present)
