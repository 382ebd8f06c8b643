"""Importing an investigation's frame: the dossiers resolved in its period, from CSV or XLSX.

Columns (header row; English codes as the one-stop software's export is mapped to them):
  dossier_code, procedure, unit, applicant_type, resolved_on   required
  service_area    optional when the procedure is in the catalogue (then it must agree)
  commune         the PSU of a two-stage design (a unit code of level commune); empty: the unit
  contact_name, phone, email, address   optional, encrypted apart (contacts.py)

All or nothing: every row is checked; the first problems (up to MAX_PROBLEMS) are reported by
file, row and column in the asked language, and nothing is stored. Rows are inserted in chunks
as they are read while the file is clean, in the caller's transaction: a problem found later
raises ImportRejected and the caller's rollback removes them. A re-import replaces the
investigation's frame (its period's), and is refused once the sample is drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from survey.database import begin_write, bind_processors, insert_rows
from survey.extensions import db
from survey.models import Procedure, ServiceArea, Unit, now_utc
from survey.models.investigation import FrameDossier, Investigation
from survey.services import audit
from survey.services.imports import ImportRejected, RowProblem
from survey.services.investigation.contacts import (
    CONTACT_FIELDS,
    CONTACT_MAX_CHARS,
    SEPARATOR,
    ContactKeyError,
    Sealer,
    configured_key,
)
from survey.services.investigation.design import parse_design
from survey.services.investigation.messages import text
from survey.services.investigation.reader import frame_rows
from survey.services.paper_dates import DateProblem, DateReader

REQUIRED = ("dossier_code", "procedure", "unit", "applicant_type", "resolved_on")
OPTIONAL = ("service_area", "commune")
COLUMNS = REQUIRED + OPTIONAL + CONTACT_FIELDS
CODE_CHARS = 60
STRATUM_CHARS = 200
MAX_PROBLEMS = 200
CHUNK = 20_000  # rows per insert: large enough to be fast, small enough to stay light
APPLICANTS = {"individual": "individual", "organisation": "organisation",
              "organization": "organisation", "cá nhân": "individual", "tổ chức": "organisation",
              "doanh nghiệp": "organisation"}
FRAME_COLUMNS = ("id", "investigation_id", "line", "dossier_code", "procedure_code", "unit_id",
                 "service_area_id", "applicant_type", "resolved_on", "stratum_key", "psu_key")
CONTACT_COLUMNS = ("frame_dossier_id", "key_id", "blob")
Progress = Callable[[int, int], None]


def _silent(done: int, total: int) -> None:
    pass


@dataclass(frozen=True, slots=True)
class FrameImportResult:
    rows: int
    contacts: int
    replaced: int
    strata: int


class _Checker:
    """Checks one row at a time against the catalogue.

    A frame repeats its units, procedures, communes and dates hundreds of thousands of times,
    so a row whose (procedure, unit, applicant type, service area, commune) and date were
    already found good takes the fast path: its dossier code is checked, the rest looked up.
    Any other row goes through every check (`_full`), which words its problems.
    """

    def __init__(self, investigation: Investigation, lang: str):
        self.inv = investigation
        self.lang = lang
        self.design = parse_design(investigation.design)
        self.units = {code: (uid, level) for code, uid, level in db.session.execute(
            db.select(Unit.code, Unit.id, Unit.level))}
        areas = dict(db.session.execute(db.select(ServiceArea.code, ServiceArea.id)).all())
        self.areas = areas
        self.area_code = {v: k for k, v in areas.items()}
        self.procedures = dict(db.session.execute(
            db.select(Procedure.code, Procedure.service_area_id)).all())
        self.dates: dict[str, date | str] = {}
        self.good_dates: dict[str, date] = {}
        self.reader = DateReader()
        self.seen: dict[str, int] = {}
        self.keys: dict[tuple, str] = {}
        self.good: dict[tuple, tuple] = {}  # checked combination -> (unit, area, kind, stratum,
        #                                      psu)

    def problem(self, problems: list, line: int, column: str, message: str, **params) -> None:
        problems.append(RowProblem(line, column, text(message, self.lang, **params)))

    def resolved(self, raw: str) -> date | str:
        """The date, or the code of its problem; cached per distinct text."""
        found = self.dates.get(raw)
        if found is None:
            try:
                iso = self.reader.read(raw)
                found = date.fromisoformat(iso[:10])
            except (DateProblem, ValueError):
                found = "bad_date"
            self.dates[raw] = found
        return found

    def row(self, line: int, cells: tuple[str, ...], problems: list) -> tuple | None:
        """(line, code, procedure, unit id, area id, kind, date, stratum, psu), or None with
        the row's problems appended."""
        code = cells[0]
        known = self.good.get(cells[1:4] + cells[5:7])
        day = self.good_dates.get(cells[4])
        if (known is not None and day is not None and code and len(code) <= CODE_CHARS
                and code not in self.seen and _contact_ok(cells[7:])):
            self.seen[code] = line
            return (line, code, cells[1], known[0], known[1], known[2], day, known[3],
                    known[4])
        return self._full(line, cells, problems)

    def _full(self, line: int, cells: tuple[str, ...], problems: list) -> tuple | None:
        (code, procedure, unit, applicant, resolved, area, commune, *contact) = cells
        before = len(problems)
        if not code:
            self.problem(problems, line, "dossier_code", "required")
        elif len(code) > CODE_CHARS:
            self.problem(problems, line, "dossier_code", "too_long", limit=CODE_CHARS)
        elif code in self.seen:
            self.problem(problems, line, "dossier_code", "repeated", code=code,
                         row=self.seen[code])
        else:
            self.seen[code] = line
        day = self._day(line, resolved, problems)
        for name, value in zip(CONTACT_FIELDS, contact, strict=True):
            if len(value) > CONTACT_MAX_CHARS:
                self.problem(problems, line, name, "too_long", limit=CONTACT_MAX_CHARS)
            elif SEPARATOR in value:
                self.problem(problems, line, name, "control")
        known = self._combination(line, procedure, unit, applicant, area, commune, problems)
        if len(problems) > before:
            return None
        self.good[(procedure, unit, applicant, area, commune)] = known
        self.good_dates[resolved] = day
        return (line, code, procedure, known[0], known[1], known[2], day, known[3], known[4])

    def _day(self, line: int, resolved: str, problems: list) -> date | None:
        day = self.resolved(resolved) if resolved else "required"
        if isinstance(day, str):
            self.problem(problems, line, "resolved_on", day, value=resolved)
            return None
        if not self.inv.period_from <= day <= self.inv.period_to:
            self.problem(problems, line, "resolved_on", "outside_period", value=day.isoformat(),
                         start=self.inv.period_from.isoformat(),
                         end=self.inv.period_to.isoformat())
            return None
        return day

    def _combination(self, line: int, procedure: str, unit: str, applicant: str, area: str,
                     commune: str, problems: list) -> tuple | None:
        before = len(problems)
        if not procedure:
            self.problem(problems, line, "procedure", "required")
        elif len(procedure) > CODE_CHARS:
            self.problem(problems, line, "procedure", "too_long", limit=CODE_CHARS)
        found = self.units.get(unit)
        if found is None:
            self.problem(problems, line, "unit", "required" if not unit else "unknown_unit",
                         code=unit)
        area_id = self._area(line, procedure, area, problems)
        kind = APPLICANTS.get(applicant.lower())
        if kind is None:
            self.problem(problems, line, "applicant_type", "required" if not applicant
                         else "applicant", value=applicant)
        psu = commune or unit
        if commune and self.units.get(commune, (None, ""))[1] != "commune":
            self.problem(problems, line, "commune", "unknown_commune", code=commune)
        if len(problems) > before:
            return None
        stratum = self._stratum(line, (unit, self.area_code[area_id], procedure, kind, psu),
                                problems)
        if stratum is None:
            return None
        return (found[0], area_id, kind, stratum, psu)

    def _area(self, line: int, procedure: str, area: str, problems: list) -> int | None:
        catalogue = self.procedures.get(procedure)
        if area:
            given = self.areas.get(area)
            if given is None:
                self.problem(problems, line, "service_area", "unknown_area", code=area)
            elif catalogue is not None and catalogue != given:
                self.problem(problems, line, "service_area", "area_differs", procedure=procedure,
                             catalogue=self.area_code[catalogue], given=area)
            return given
        if catalogue is None and procedure:
            self.problem(problems, line, "service_area", "no_area", procedure=procedure)
        return catalogue

    def _stratum(self, line: int, values: tuple, problems: list) -> str | None:
        """The stratum key: the design's fields' codes joined by "|" (one string per
        distinct stratum, shared by its rows)."""
        fields = dict(zip(("unit", "service_area", "procedure", "applicant_type", "commune"),
                          values, strict=True))
        parts = tuple(fields[name] for name in self.design.strata)
        key = self.keys.get(parts)
        if key is None:
            key = "|".join(parts) if parts else "all"
            if len(key) > STRATUM_CHARS:
                self.problem(problems, line, "-", "stratum_long", key=key, limit=STRATUM_CHARS)
                return None
            self.keys[parts] = key
        return key


def _contact_ok(contact: tuple[str, ...]) -> bool:
    """Short enough and free of the separator (else `_full` says which field is wrong)."""
    joined = "".join(contact)
    return len(joined) <= CONTACT_MAX_CHARS and SEPARATOR not in joined


class _Writer:
    """Inserts checked rows in chunks, their contacts sealed, with ids reserved up front so a
    contact can name its dossier row without reading the frame back.

    SQLite: multi-row INSERTs (survey.database.insert_rows); PostgreSQL: COPY, which takes
    rows several times faster than an INSERT of arrays.
    """

    def __init__(self, investigation: Investigation, sealer: Sealer | None):
        self.inv = investigation
        self.connection = db.session.connection()
        self.postgres = self.connection.dialect.name == "postgresql"
        self.frame_table = FrameDossier.__table__
        bind = bind_processors(self.connection.dialect, self.frame_table).get("resolved_on")
        self.bound: dict[date, object] = {}
        self.bind = bind or (lambda day: day)
        self.sealer = sealer
        self.next_id = 0
        self.rows: list[tuple] = []
        self.contacts: list[tuple[int, str, tuple[str, ...]]] = []  # (index in rows, code, …)
        self.written = self.sealed = 0

    def add(self, checked: tuple, contact: tuple[str, ...]) -> None:
        if any(contact):
            self.contacts.append((len(self.rows), checked[1], contact))
        self.rows.append(checked)

    def _ids(self, count: int) -> list[int]:
        if self.postgres:  # from the table's own sequence: other writers may be inserting
            return list(self.connection.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence('frame_dossier', 'id')) "
                "FROM generate_series(1, %(n)s)", {"n": count}).scalars())
        if not self.next_id:  # SQLite: this transaction holds the write lock (begin_write)
            self.next_id = 1 + self.connection.exec_driver_sql(
                "SELECT coalesce(max(id), 0) FROM frame_dossier").scalar_one()
        first = self.next_id
        self.next_id += count
        return list(range(first, first + count))

    def _date(self, day: date):
        found = self.bound.get(day)
        if found is None:
            found = self.bound[day] = self.bind(day)
        return found

    def flush(self) -> None:
        if not self.rows:
            return
        ids = self._ids(len(self.rows))
        inv_id, as_date = self.inv.id, self._date
        frame = [(i, inv_id, line, code, procedure, unit, area, kind, as_date(day), stratum, psu)
                 for i, (line, code, procedure, unit, area, kind, day, stratum, psu)
                 in zip(ids, self.rows, strict=True)]
        self._insert("frame_dossier", FRAME_COLUMNS, frame)
        if self.contacts:
            seal, key_id = self.sealer.seal, self.sealer.key_id
            sealed = [(ids[at], key_id, seal(inv_id, code, contact))
                      for at, code, contact in self.contacts]
            self._insert("frame_contact", CONTACT_COLUMNS, sealed)
            self.sealed += len(sealed)
        self.written += len(self.rows)
        self.rows, self.contacts = [], []

    def _insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not self.postgres:
            insert_rows(self.connection, db.metadata.tables[table], rows, columns=columns)
            return
        raw = self.connection.connection.dbapi_connection
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _estimate_rows(data: bytes, filename: str) -> int:
    """Rows to expect, for the progress bar only (a CSV's line count; a sheet's is unknown)."""
    return max(data.count(b"\n") - 1, 1) if filename.lower().endswith(".csv") else 0


def import_frame(investigation: Investigation, data: bytes, filename: str, actor: str = "cli",
                 progress: Progress = _silent, lang: str = "en") -> FrameImportResult:
    """Check the file and replace the investigation's frame with it (see the module doc)."""
    begin_write()
    if investigation.status != "draft":
        raise ImportRejected(filename, [RowProblem(1, "-", text(
            "drawn", lang, code=investigation.code, status=investigation.status))])
    rows = frame_rows(data, filename, REQUIRED, COLUMNS, lang)
    checker = _Checker(investigation, lang)
    replaced = _delete_frame(investigation.id)
    sealer, key_problem = _sealer(lang)
    writer = _Writer(investigation, sealer)
    problems: list[RowProblem] = []
    expected, count = _estimate_rows(data, filename), 0
    for line, cells in rows:
        count += 1
        if not count % 10_000:
            progress(count, max(expected, count))
        checked = checker.row(line, cells, problems)
        contact = cells[len(REQUIRED) + len(OPTIONAL):]
        if key_problem and any(contact):
            column = next(n for n, v in zip(CONTACT_FIELDS, contact, strict=True) if v)
            problems.append(RowProblem(line, column, key_problem))
            key_problem = ""  # said once: the administrator sets the key, not each row
        if len(problems) >= MAX_PROBLEMS:
            problems.append(RowProblem(line, "-", text("too_many", lang, count=len(problems))))
            break
        if checked is None or problems:
            continue
        writer.add(checked, contact)
        if len(writer.rows) >= CHUNK:
            writer.flush()
    if count == 0:
        problems.append(RowProblem(2, "-", text("no_rows", lang)))
    if problems:
        raise ImportRejected(filename, problems)
    writer.flush()
    progress(count, count)
    investigation.frame_file = filename.rsplit("/", 1)[-1][:300]
    investigation.frame_rows = writer.written
    investigation.frame_imported_at = now_utc()
    audit.record(actor, "import_frame", "investigation", investigation.code,
                 new={"rows": writer.written, "contacts": writer.sealed, "replaced": replaced,
                      "file": investigation.frame_file})
    db.session.flush()
    return FrameImportResult(writer.written, writer.sealed, replaced, len(checker.keys))


def _sealer(lang: str) -> tuple[Sealer | None, str]:
    """The sealer of the configured key, or the problem to report at the first contact."""
    if not configured_key():
        return None, text("no_key", lang)
    try:
        return Sealer(), ""
    except ContactKeyError as error:
        return None, str(error)


def _delete_frame(investigation_id: int) -> int:
    from survey.services.investigation.contacts import delete_all

    delete_all(investigation_id)
    return db.session.execute(db.delete(FrameDossier).where(
        FrameDossier.investigation_id == investigation_id)).rowcount
