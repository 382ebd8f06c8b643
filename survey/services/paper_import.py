"""Paper questionnaires typed into a spreadsheet: CSV or XLSX, one row per response.

Columns: response_id, questionnaire, version, unit, channel, submitted_at, then one column per
item code (the export's layout). Every row is checked before anything is stored; a file with
any problem imports nothing. `response_id` is the response's UUID, so importing the same file
again stores nothing twice.

Dates are read by `paper_dates` (day/month/year as Vietnamese forms write them, or ISO 8601).
The web page (`survey.entry`) chooses the questionnaire and unit in its form (`Envelope`): the
file may then leave those columns out, and rows without a response_id get one derived from the
file's content and row, so uploading the same file again still stores nothing twice.

Each row is checked by the same `responses.prepare` as an API submission (its answers against
the version's precomputed answer plan). Storing differs only in batching: a file of 100,000
forms is stored a thousand responses at a time, many rows per INSERT
(`response_store.insert_many`), and the roll-up counts of the whole file are added up in
memory and written once at the end: forms of one survey round share their months, units and
answer values, so the file's counts are far fewer rows than the sum of each group's.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from questionnaires.spreadsheet_limits import TABLE_LIMITS, Refused, check_size
from survey.database import begin_write
from survey.extensions import db
from survey.models import Response, now_utc
from survey.services import aggregates
from survey.services import responses as rservice
from survey.services.formula_guard import unguard
from survey.services.import_messages import localize
from survey.services.imports import ImportRejected, RowProblem, read_table
from survey.services.paper_dates import DateProblem, DateReader
from survey.services.periods import year_month
from survey.services.questionnaires import UnknownQuestionnaire
from survey.services.responses import driver as response_store

ENVELOPE = ("response_id", "questionnaire", "version", "unit", "channel", "submitted_at")
# the service names fields as the API does; the file names them as the export does
FIELD_TO_COLUMN = {"id": "response_id"}
BATCH = 1_000  # responses per insert; also the size of the "already stored?" look-ups
# Checked forms held in memory before they are stored and counted (a few kB each).
COUNT_BATCH = 25_000
# SQLite's page cache while importing, in KiB (its default is 2 MiB): a file's responses go
# into indexes all over the tables (their UUIDs are random), and with a small cache every
# insert reads its page back and writes others out to the WAL mid-transaction, again and again.
SQLITE_CACHE_KIB = 256 * 1024
PROGRESS_EVERY = 500  # rows checked between two progress reports
# response ids derived for rows without one: uuid5(this, file digest:row)
DERIVED_IDS = uuid.UUID("5b0c4d1e-7a43-4f4e-9d0a-3a6f1f0e2c17")

Progress = Callable[[int, int], None]  # (rows done, rows in all)


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the web form chose for every row: columns the file may then leave out.

    A row that states another value in such a column is refused with its place."""

    values: Mapping[str, str] = field(default_factory=dict)  # column: value
    derive_ids: bool = False  # rows without response_id get uuid5(file, row)


@dataclass(frozen=True, slots=True)
class PaperImportResult:
    imported: int
    already_present: int


def read_rows(path: Path, source: str | None = None, required: tuple[str, ...] = ENVELOPE,
              lang: str = "en") -> list[tuple[int, dict[str, str]]]:
    """The file's rows, within `TABLE_LIMITS`: its size is checked before it is read in."""
    source = source or str(path)
    try:
        check_size(path.stat().st_size, TABLE_LIMITS)
    except Refused as refused:
        raise ImportRejected(source, [RowProblem(1, "-", refused.message(lang))]) from None
    return read_table(path.read_bytes(), source, required, lang=lang)


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _fill(rows: list[tuple[int, dict[str, str]]], envelope: Envelope, path: Path,
          lang: str, problems: list[RowProblem]) -> None:
    """The form's choices into each row; a row that says otherwise is a problem."""
    digest = _digest(path) if envelope.derive_ids else ""
    for number, row in rows:
        for column, chosen in envelope.values.items():
            stated = row.get(column, "")
            if stated and stated != chosen:
                problems.append(RowProblem(number, column,
                                           localize(f"the form chose {chosen!r}", lang)))
            row[column] = chosen
        if envelope.derive_ids and not row.get("response_id"):
            row["response_id"] = str(uuid.uuid5(DERIVED_IDS, f"{digest}:{number}"))


def _read_dates(rows: list[tuple[int, dict[str, str]]], lang: str,
                problems: list[RowProblem]) -> None:
    """Every submitted_at as ISO text; day-first dates that need a guess are problems."""
    reader = DateReader()
    for number, row in rows:
        reader.notice(number, row.get("submitted_at", ""))
    for number, row in rows:
        try:
            row["submitted_at"] = reader.read(row.get("submitted_at", ""))
        except DateProblem as problem:
            problems.append(RowProblem(number, "submitted_at", problem.message(lang)))
            row["submitted_at"] = ""  # reported once: the check below takes it as "now"


def _payload(row: dict[str, str]) -> dict:
    answers = {k: unguard(v) for k, v in row.items() if k not in ENVELOPE and v != ""}
    return {"id": row.get("response_id"), "questionnaire": row.get("questionnaire"),
            "version": row.get("version") or None, "unit": row.get("unit"),
            "channel": row.get("channel") or "paper", "submitted_at": row.get("submitted_at"),
            "answers": answers}


def import_file(path: Path, lang: str = "en", *, envelope: Envelope | None = None,
                source: str | None = None, progress: Progress | None = None,
                ) -> PaperImportResult:
    """Check every row and store the new ones; the caller commits (all or nothing).

    Checked rows are stored a group at a time as the check goes on, inside a savepoint, so
    memory holds one group of checked forms, not the whole file (their counts are added up
    and written after the last group); the first problem stops the storing (the rest is still
    checked, to list every problem) and the savepoint is rolled back before ImportRejected:
    whatever the caller does next, nothing of the file is kept.

    `lang` words the problems ("vi" or "en"); `source` names the file in them (the upload's
    name rather than a temporary path); `progress(done, total)` hears of the rows checked.
    """
    begin_write()
    with _large_cache():
        return _import(path, lang, envelope or Envelope(), source or str(path),
                       progress or (lambda done, total: None))


def _import(path: Path, lang: str, envelope: Envelope, source: str,
            progress: Progress) -> PaperImportResult:
    optional = set(envelope.values) | ({"response_id"} if envelope.derive_ids else set())
    if envelope.values:  # a form chose the questionnaire: its latest version, on paper
        optional |= {"version", "channel"}
    rows = read_rows(path, source, tuple(c for c in ENVELOPE if c not in optional), lang)
    problems: list[RowProblem] = []
    _fill(rows, envelope, path, lang, problems)
    _read_dates(rows, lang, problems)
    total = len(rows)
    progress(0, total)
    ids = [rservice.parse_uuid(row.get("response_id")) for _, row in rows]
    stored = _stored_ids(ids)
    group, seen, present, imported = [], set(), 0, 0
    counts = CountSum()
    savepoint = db.session.begin_nested()
    for index, response_id in enumerate(ids):
        number, row = rows[index]
        rows[index] = None  # type: ignore[call-overload] # read: its memory can go
        if index % PROGRESS_EVERY == 0 and index:
            progress(index, total)
        payload = _payload(row)
        if response_id is not None:
            payload["id"] = response_id  # parsed once
        if response_id is not None and response_id in seen:
            problems.append(RowProblem(number, "response_id",
                                       localize("repeated in this file", lang)))
            continue
        seen.add(response_id)
        if response_id is not None and response_id in stored:
            present += 1
            continue
        try:
            group.append(rservice.prepare(payload, lang, data_entry=True))
        except UnknownQuestionnaire as error:
            column = "version" if payload["version"] else "questionnaire"
            problems.append(RowProblem(number, column, localize(str(error), lang)))
        except rservice.SubmissionInvalid as invalid:
            problems.extend(RowProblem(number, FIELD_TO_COLUMN.get(k, k), localize(v, lang))
                            for k, v in invalid.errors.items())
        except rservice.TokenAlreadyUsed as used:  # pragma: no cover - files carry no tokens
            problems.append(RowProblem(number, "token", str(used)))
        if len(group) >= COUNT_BATCH:
            if not problems:
                _store(group, counts)
                imported += len(group)
            group = []
    progress(total, total)
    if problems:
        savepoint.rollback()
        raise ImportRejected(source, sorted(problems, key=lambda p: p.row))
    if group:
        _store(group, counts)
        imported += len(group)
    aggregates.apply(counts.counted())
    savepoint.commit()
    return PaperImportResult(imported, present)


@contextmanager
def _large_cache():
    """SQLITE_CACHE_KIB of page cache for this import's connection, then its own again."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _stored_ids(ids: list[uuid.UUID | None]) -> set[uuid.UUID]:
    """Which of these response ids are stored already, a batch per query."""
    wanted = sorted({i for i in ids if i is not None})
    found: set[uuid.UUID] = set()
    for start in range(0, len(wanted), BATCH):
        found.update(db.session.execute(
            select(Response.uuid).where(Response.uuid.in_(wanted[start:start + BATCH])))
            .scalars())
    return found


def _store(group: list[rservice.Prepared], counts: CountSum) -> None:
    """Insert checked responses and their answers, a batch per statement, and count them.

    What `responses.store` does for one response, for many at once (`response_store.
    insert_many`: plain tuples handed to the driver). Paper rows carry no kiosk or receipt
    token, so there is nothing to redeem.
    """
    connection = db.session.connection()
    received_at = now_utc()
    stored, answers_of = [], {}
    for start in range(0, len(group), BATCH):
        batch = group[start:start + BATCH]
        rows = [_response_row(item, received_at) for item in batch]
        ids = response_store.insert_many(connection, rows, [item.answers for item in batch])
        for rid, row, item in zip(ids, rows, batch, strict=True):
            row["id"] = rid
            answers_of[rid] = item.answers
        stored += rows
    counts.add(aggregates.count(stored, answers_of, aggregates.cached_item_types(
        {item.version.id for item in group})))


class CountSum:
    """The roll-up rows of several groups of responses, added up key by key.

    Every roll-up row is a count, so the rows of a whole file are the sums of its groups'
    rows; writing them once costs one upsert per distinct key instead of one per group.
    """

    def __init__(self) -> None:
        self._sums: dict[type, dict[tuple, int]] = {}

    def add(self, counted: aggregates.Counted) -> None:
        for model, rows in counted.rows:
            sums = self._sums.setdefault(model, {})
            for *key, n in rows:
                k = tuple(key)
                sums[k] = sums.get(k, 0) + n

    def counted(self) -> aggregates.Counted:
        # sorted, as `aggregates.count` sorts: concurrent upserts lock rows in one order
        return aggregates.Counted(tuple(
            (model, [(*k, n) for k, n in sorted(sums.items()) if n])
            for model, sums in self._sums.items()))


def _response_row(item: rservice.Prepared, received_at) -> dict:
    year, month = year_month(item.submitted_at)
    return {"uuid": item.uuid, "version_id": item.version.id, "unit_id": item.unit_id,
            "service_area_id": item.service_area_id, "procedure_id": item.procedure_id,
            "kiosk_id": item.kiosk_id, "desk_id": item.desk_id, "link_id": item.link_id,
            "channel": item.channel, "respondent_type": item.respondent_type,
            "submitted_at": item.submitted_at, "year": year, "month": month,
            "received_at": received_at}
