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

Speed (a frame of 2,000,000 dossiers, `make bench`): the file is read in blocks of columns
(reader.py) and a block whose rows all take the fast path (`_Checker.block`: combinations and
dates already found good, new distinct codes, contacts within limits) is checked, keyed,
sealed and written with C-level passes over its columns (map, zip, dict lookups); any other
block goes row by row through the full checks, which word the problems. The cyclic garbage
collector is paused meanwhile: the import makes millions of tuples and no cycles, and its
passes over them cost more than the reading.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import chain

from survey.database import (
    SQLITE_MAX_PARAMETERS,
    begin_write,
    bind_processors,
    sqlite_insert_sql,
)
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
from survey.services.investigation.reader import frame_blocks
from survey.services.lineage.codes import today_codes
from survey.services.paper_dates import DateProblem, DateReader

REQUIRED = ("dossier_code", "procedure", "unit", "applicant_type", "resolved_on")
OPTIONAL = ("service_area", "commune")
COLUMNS = REQUIRED + OPTIONAL + CONTACT_FIELDS
CODE_CHARS = 60
STRATUM_CHARS = 200
MAX_PROBLEMS = 200
CHUNK = 20_000  # rows per block and insert: large enough to be fast, small enough to stay light
APPLICANTS = {"individual": "individual", "organisation": "organisation",
              "organization": "organisation", "cá nhân": "individual", "tổ chức": "organisation",
              "doanh nghiệp": "organisation"}
FRAME_COLUMNS = ("id", "investigation_id", "line", "dossier_code", "procedure_code", "unit_id",
                 "service_area_id", "applicant_type", "resolved_on", "stratum_key", "psu_key")
CONTACT_COLUMNS = ("frame_dossier_id", "key_id", "blob")
NO_CONTACT = SEPARATOR * (len(CONTACT_FIELDS) - 1)  # the joined fields of a row without any
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
    """Checks the rows against the catalogue, a block at a time or one at a time.

    A frame repeats its units, procedures, communes and dates hundreds of thousands of times,
    so a row whose (procedure, unit, applicant type, service area, commune) and date were
    already found good takes the fast path: its dossier code is checked, the rest looked up.
    Any other row goes through every check (`_full`), which words its problems. A block whose
    rows all take the fast path is checked by column (`block`).

    Dates are kept as the database driver takes them (`bind`), once per distinct text.
    """

    def __init__(self, investigation: Investigation, lang: str,
                 bind: Callable[[date], object]):
        self.inv = investigation
        self.lang = lang
        self.bind = bind
        self.design = parse_design(investigation.design)
        self.units = {code: (uid, level) for code, uid, level in db.session.execute(
            db.select(Unit.code, Unit.id, Unit.level))}
        # a merged unit's old code names the unit it is part of today (#19, lineage.codes)
        self.today = today_codes()
        areas = dict(db.session.execute(db.select(ServiceArea.code, ServiceArea.id)).all())
        self.areas = areas
        self.area_code = {v: k for k, v in areas.items()}
        self.procedures = dict(db.session.execute(
            db.select(Procedure.code, Procedure.service_area_id)).all())
        self.dates: dict[str, date | str] = {}
        self.good_dates: dict[str, object] = {}  # text -> the bound date, within the period
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

    def block(self, lines: Sequence[int], columns: list[Sequence[str]],
              problems: list) -> tuple[list[tuple], list[object]] | None:
        """A block checked by column: each row's (unit id, area id, kind, stratum, psu) and
        bound date, with the problems of its rows appended (the rows that are not on the fast
        path go through every check, in file order). None, with nothing changed, when a code
        is empty, too long or repeated, or a contact field is wrong: then the block is for
        `row`, row by row, which words those problems in file order."""
        code, procedure, unit, applicant, resolved, area, commune, *contact = columns
        if "" in code or max(map(len, code), default=0) > CODE_CHARS:
            return None
        for values in contact:
            if max(map(len, values), default=0) > CONTACT_MAX_CHARS or \
                    SEPARATOR in "".join(values):
                return None
        if not self.seen.keys().isdisjoint(code):
            return None
        before = len(self.seen)
        self.seen.update(zip(code, lines, strict=True))
        if len(self.seen) != before + len(code):  # a code repeated within the block
            for repeated in code:  # (all new before the update: taken back, then row by row)
                self.seen.pop(repeated, None)
            return None
        keys = list(zip(procedure, unit, applicant, area, commune, strict=True))
        known = list(map(self.good.get, keys))
        days = list(map(self.good_dates.get, resolved))
        if None in known or None in days:
            self._misses(lines, columns, keys, known, days, problems)
        return known, days

    def _misses(self, lines: Sequence[int], columns: list[Sequence[str]], keys: list[tuple],
                known: list, days: list, problems: list) -> None:
        """Fill in `known` and `days` for the rows a first look-up missed: found since (an
        earlier row of the block taught it), or every check (`_full`)."""
        missed = [i for i, (k, d) in enumerate(zip(known, days, strict=True))
                  if k is None or d is None]
        for at in missed:
            found, day = self.good.get(keys[at]), self.good_dates.get(columns[4][at])
            if found is None or day is None:
                del self.seen[columns[0][at]]  # (the block's codes are seen: _full sees it)
                row = self._full(lines[at], tuple(c[at] for c in columns), problems)
                if len(problems) >= MAX_PROBLEMS:
                    problems.append(RowProblem(lines[at], "-", text(
                        "too_many", self.lang, count=len(problems))))
                    return
                if row is None:
                    continue
                found, day = row[3:6] + row[7:9], row[6]
            known[at], days[at] = found, day

    def row(self, line: int, cells: tuple[str, ...], problems: list) -> tuple | None:
        """(line, code, procedure, unit id, area id, kind, bound date, stratum, psu), or None
        with the row's problems appended."""
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
        bound = self.good_dates.get(resolved)
        if bound is None:
            bound = self.good_dates[resolved] = self.bind(day)
        return (line, code, procedure, known[0], known[1], known[2], bound, known[3], known[4])

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
        unit, commune = self.today.get(unit, unit), self.today.get(commune, commune)
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
    """Inserts checked rows a block at a time, their contacts sealed, with ids reserved up
    front so a contact can name its dossier row without reading the frame back.

    SQLite: multi-row INSERTs (survey.database.insert_rows); PostgreSQL: COPY, which takes
    rows several times faster than an INSERT of arrays.
    """

    def __init__(self, investigation: Investigation, sealer: Sealer | None):
        self.inv = investigation
        self.connection = db.session.connection()
        self.postgres = self.connection.dialect.name == "postgresql"
        bind = bind_processors(self.connection.dialect, FrameDossier.__table__).get(
            "resolved_on")
        self.bind = bind or (lambda day: day)
        self.sealer = sealer
        self.next_id = 0
        self.sequence = ""
        self.written = self.sealed = 0

    def _ids(self, count: int) -> Sequence[int]:
        if self.postgres:  # from the table's own sequence: other writers may be inserting
            # The sequence named once (looked up per id, it cost nine times the nextval), the
            # ids as one array (a row per id cost more than the COPY of the rows).
            if not self.sequence:
                self.sequence = self.connection.exec_driver_sql(
                    "SELECT pg_get_serial_sequence('frame_dossier', 'id')").scalar_one()
            return self.connection.exec_driver_sql(
                "SELECT array(SELECT nextval(%(sequence)s::regclass) "
                "FROM generate_series(1, %(n)s))",
                {"sequence": self.sequence, "n": count}).scalar_one()
        if not self.next_id:  # SQLite: this transaction holds the write lock (begin_write)
            self.next_id = 1 + self.connection.exec_driver_sql(
                "SELECT coalesce(max(id), 0) FROM frame_dossier").scalar_one()
        first = self.next_id
        self.next_id += count
        return range(first, first + count)

    def write(self, lines: Sequence[int], code: Sequence[str], procedure: Sequence[str],
              known: list[tuple], days: list, contact: list[Sequence[str]]) -> None:
        """One block of checked rows, by column; `known`: each row's (unit id, area id, kind,
        stratum, psu); `contact`: the CONTACT_FIELDS' columns."""
        if not lines:
            return
        count = len(lines)
        ids = self._ids(count)
        units, areas, kinds, strata, psus = zip(*known, strict=True)
        self._insert("frame_dossier", FRAME_COLUMNS, [
            ids, (self.inv.id,) * count, lines, code, procedure, units, areas, kinds, days,
            strata, psus])
        self.written += count
        if not any(map(any, contact)):  # (a column the file does not have is all "")
            return
        joined = list(map(SEPARATOR.join, zip(*contact, strict=True)))
        if NO_CONTACT in joined:  # only rows with contact details are sealed
            at = [i for i, plain in enumerate(joined) if plain != NO_CONTACT]
            ids, code, joined = [ids[i] for i in at], [code[i] for i in at], [
                joined[i] for i in at]
        if not joined:
            return
        blobs = self.sealer.seal_many(self.inv.id, code, joined)
        self._insert("frame_contact", CONTACT_COLUMNS,
                     [ids, (self.sealer.key_id,) * len(blobs), blobs])
        self.sealed += len(blobs)

    def _insert(self, table: str, names: tuple[str, ...], columns: list[Sequence]) -> None:
        """Insert rows given by column (each a sequence, aligned), on the driver's own
        cursor: through SQLAlchemy, the 30,000 statements of 2,000,000 rows cost a second."""
        raw = self.connection.connection.dbapi_connection
        if not self.postgres:  # multi-row INSERTs, which SQLite runs faster than executemany
            width, count = len(names), len(columns[0])
            per = max(1, SQLITE_MAX_PARAMETERS // width)
            flat = tuple(chain.from_iterable(zip(*columns, strict=True)))
            cursor = raw.cursor()
            try:
                for start in range(0, count, per):
                    size = min(per, count - start)
                    cursor.execute(
                        sqlite_insert_sql(db.metadata.tables[table], names, rows=size),
                        flat[start * width:(start + size) * width])
            finally:
                cursor.close()
            return
        text = _copy_text(columns)
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            if text is not None:
                copy.write(text)
                return
            for row in zip(*columns, strict=True):
                copy.write_row(row)


def _copy_text(columns: list[Sequence]) -> str | None:
    """The rows in COPY's text format, made by column with C-level passes (psycopg's
    write_row formats each row in Python, which cost more than the server's COPY); None when a
    text holds what that format escapes (backslash, tab, line feed, carriage return): then
    write_row, which escapes it. Ints and dates are written as str() gives them, bytes as
    bytea's hex."""
    texts = []
    for column in columns:
        first = column[0]
        if isinstance(first, str):
            joined = "".join(column)
            if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
                return None
            texts.append(column)
        elif isinstance(first, bytes):
            texts.append(map("\\\\x".__add__, map(bytes.hex, column)))
        else:
            texts.append(map(str, column))
    return "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"


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
    blocks = frame_blocks(data, filename, REQUIRED, COLUMNS, lang, CHUNK)
    with collector_paused():
        return _import(investigation, blocks, filename, actor, progress, lang,
                       _estimate_rows(data, filename))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (the frame's import and draw): they make millions
    of tuples and no cycles, and the collector's passes over them cost seconds at 2,000,000
    dossiers. Reference counting still frees everything."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _import(investigation: Investigation, blocks, filename: str, actor: str,
            progress: Progress, lang: str, expected: int) -> FrameImportResult:
    replaced = _delete_frame(investigation.id)
    sealer, key_problem = _sealer(lang)
    writer = _Writer(investigation, sealer)
    checker = _Checker(investigation, lang, writer.bind)
    problems: list[RowProblem] = []
    count = 0
    contact_at = len(REQUIRED) + len(OPTIONAL)
    for lines, columns in blocks:
        count += len(lines)
        progress(count, max(expected, count))
        contact = columns[contact_at:]
        fast = None
        if not problems and not (key_problem and any(map(any, contact))):
            fast = checker.block(lines, columns, problems)
        if fast is not None:
            if not problems:
                writer.write(lines, columns[0], columns[1], *fast, contact)
            elif len(problems) > MAX_PROBLEMS:  # the last one says there are too many
                break
            continue
        checked, key_problem = _rows(checker, lines, columns, problems, lang, key_problem)
        if not problems:  # then every row of the block was good
            _, code, procedure, unit, area, kind, day, stratum, psu = zip(*checked, strict=True)
            known = list(zip(unit, area, kind, stratum, psu, strict=True))
            writer.write(lines, code, procedure, known, list(day), contact)
        if len(problems) > MAX_PROBLEMS:  # the last one says there are too many
            break
    if count == 0:
        problems.append(RowProblem(2, "-", text("no_rows", lang)))
    if problems:
        raise ImportRejected(filename, problems)
    progress(count, count)
    investigation.frame_file = filename.rsplit("/", 1)[-1][:300]
    investigation.frame_rows = writer.written
    investigation.frame_imported_at = now_utc()
    audit.record(actor, "import_frame", "investigation", investigation.code,
                 new={"rows": writer.written, "contacts": writer.sealed, "replaced": replaced,
                      "file": investigation.frame_file})
    db.session.flush()
    return FrameImportResult(writer.written, writer.sealed, replaced, len(checker.keys))


def _rows(checker: _Checker, lines, columns, problems: list[RowProblem], lang: str,
          key_problem: str = "") -> tuple[list[tuple], str]:
    """A block row by row: every check, its problems named; the good rows (those before any
    problem), and what is left of `key_problem` (the contact key's: said at the first row
    with contact details only, as the administrator sets the key, not each row)."""
    checked = []
    contact_at = len(REQUIRED) + len(OPTIONAL)
    for line, cells in zip(lines, zip(*columns, strict=True), strict=True):
        row = checker.row(line, cells, problems)
        contact = cells[contact_at:]
        if key_problem and any(contact):
            column = next(n for n, v in zip(CONTACT_FIELDS, contact, strict=True) if v)
            problems.append(RowProblem(line, column, key_problem))
            key_problem = ""
        if len(problems) >= MAX_PROBLEMS:
            problems.append(RowProblem(line, "-", text("too_many", lang, count=len(problems))))
            break
        if row is not None and not problems:
            checked.append(row)
    return checked, key_problem


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
