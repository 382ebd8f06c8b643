"""The unit events file: one row per event, with its decision (docs/METHODOLOGY.md §10).

    unit_code,event,effective_date,decision_number,decision_date,successors,new_parent_code,
    new_name_vi,new_name_en,note[,carry_to]

`successors` is ``CODE=0.6; CODE2=0.4`` for a split and one code for a merge; dates are
dd/mm/yyyy or yyyy-mm-dd. The events are applied in date order (renames and moves before the
ends of the same day, so a district's communes leave it before it is abolished), whatever the
order of the rows, so one file can hold a whole reform. A file with any problem imports
nothing, and every problem names its row and column, in the clerk's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from survey.extensions import db
from survey.services import audit
from survey.services.imports import ImportRejected, RowProblem, csv_text, read_csv_rows
from survey.services.lineage import attached
from survey.services.lineage.dates import local_today, read_day
from survey.services.lineage.events import EventError, EventInput, record_event
from survey.services.paper_dates import DateProblem, DateReader

REQUIRED = ("unit_code", "event", "effective_date", "decision_number")
OPTIONAL = ("decision_date", "successors", "new_parent_code", "new_name_vi", "new_name_en",
            "note", "carry_to")
COLUMNS = REQUIRED + OPTIONAL
# The event's fields (events.EventError.field) as the file's columns.
FIELD_TO_COLUMN = {"unit": "unit_code", "kind": "event", "effective": "effective_date",
                   "decision_number": "decision_number", "successors": "successors",
                   "new_parent": "new_parent_code", "new_name_vi": "new_name_vi",
                   "note": "note", "carry_to": "carry_to"}
# Within a day: what keeps a unit first, then the ends, so children leave before the parent.
DAY_ORDER = {"rename": 0, "move": 1, "split": 2, "merge": 3, "abolish": 4}

MESSAGES = {  # (English, Vietnamese)
    "share": ("{part!r} is not CODE=share (a share is a number such as 0.4)",
              "{part!r} không có dạng MÃ=tỷ lệ (tỷ lệ là một số, ví dụ 0,4)"),
    "bare": ("{part!r} has no share: a split writes CODE=0.6; CODE2=0.4",
             "{part!r} thiếu tỷ lệ: chia tách ghi MÃ=0.6; MÃ2=0.4"),
    "empty": ("the file has no data rows", "tệp không có hàng dữ liệu nào"),
}


def _message(code: str, lang: str, **params) -> str:
    english, vietnamese = MESSAGES[code]
    return (vietnamese if lang == "vi" else english).format(**params)


@dataclass(frozen=True, slots=True)
class EventsImportResult:
    recorded: int
    carried: int  # things (kiosks, desks, tokens, accounts, keys) moved to successors


def import_events_file(data: bytes, source: str, actor: str = "cli", lang: str = "en",
                       today: date | None = None) -> EventsImportResult:
    """`import_events_csv` of a file's bytes: text that is not UTF-8 is refused by its line."""
    return import_events_csv(csv_text(data, source, lang=lang), source, actor, lang, today)


def import_events_csv(text: str, source: str, actor: str = "cli", lang: str = "en",
                      today: date | None = None) -> EventsImportResult:
    """Record every event of the file, in date order, or none (ImportRejected)."""
    rows = read_csv_rows(text, source, REQUIRED, lang=lang)
    if not rows:
        raise ImportRejected(source, [RowProblem(1, "-", _message("empty", lang))])
    problems: list[RowProblem] = []
    parsed = _parse(rows, lang, problems)
    if problems:
        raise ImportRejected(source, problems)
    parsed.sort(key=lambda item: (item[1].effective, DAY_ORDER.get(item[1].kind, 9), item[0]))
    today = today or local_today()
    savepoint = db.session.begin_nested()
    recorded = carried = 0
    for line, event in parsed:
        try:
            done = record_event(event, actor, today)
        except EventError as error:
            problems.append(RowProblem(line, FIELD_TO_COLUMN.get(error.field, error.field),
                                       error.message(lang)))
            continue
        recorded += 1
        carried += done.carried.total if done.carried else 0
    if problems:
        savepoint.rollback()
        raise ImportRejected(source, sorted(problems, key=lambda p: p.row))
    carried += sum(c.total for c in attached.carry_due(actor, today))
    audit.record(actor, "import", "unit_events", source,
                 new={"file": source, "rows": recorded})
    savepoint.commit()
    return EventsImportResult(recorded, carried)


def _parse(rows, lang: str, problems: list[RowProblem]) -> list[tuple[int, EventInput]]:
    reader = DateReader()
    for line, row in rows:
        for column in ("effective_date", "decision_date"):
            reader.notice(line, row.get(column, ""))
    parsed = []
    for line, row in rows:
        found = len(problems)
        days = {}
        for column in ("effective_date", "decision_date"):
            try:
                days[column] = read_day(row.get(column, ""), reader)
            except DateProblem as problem:
                problems.append(RowProblem(line, column, problem.message(lang)))
        for column in REQUIRED:
            if not row[column] and not any(p.row == line and p.column == column
                                           for p in problems[found:]):
                problems.append(RowProblem(line, column, EventError(
                    column, "required").message(lang)))
        successors, wrong = parse_successors(row.get("successors", ""), lang)
        problems.extend(RowProblem(line, "successors", message) for message in wrong)
        if len(problems) > found:
            continue
        parsed.append((line, EventInput(
            unit_code=row["unit_code"], kind=row["event"].strip().lower(),
            effective=days["effective_date"], decision_number=row["decision_number"],
            decision_date=days["decision_date"], successors=successors,
            new_parent_code=row.get("new_parent_code", ""),
            new_name_vi=row.get("new_name_vi", ""), new_name_en=row.get("new_name_en", ""),
            note=row.get("note", ""), carry_to=row.get("carry_to", ""))))
    return parsed


def parse_successors(text: str, lang: str = "en") -> tuple[tuple[tuple[str, float], ...],
                                                          list[str]]:
    """``CODE=0.6; CODE2=0.4`` (or 0,6), or one bare code (share 1: a merge), as (code, share)
    pairs and the problems found (in `lang`)."""
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if len(parts) == 1 and "=" not in parts[0]:
        return ((parts[0], 1.0),), []
    found, problems = [], []
    for part in parts:
        code, equals, share = (x.strip() for x in part.partition("="))
        if not equals:
            problems.append(_message("bare", lang, part=part))
            continue
        try:
            value = float(share.replace(",", "."))  # 0,4 as a Vietnamese writes it
        except ValueError:
            value = None
        if not code or value is None or value != value:  # NaN is not a share
            problems.append(_message("share", lang, part=part))
            continue
        found.append((code, value))
    return tuple(found), problems
