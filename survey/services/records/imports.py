"""Importing administrative records: the procedure catalogue and the dossier statistics.

Both are all-or-nothing: every row is checked first, every problem is reported with its row
and column, and a file with any problem changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from survey.extensions import db
from survey.models import DossierStat, Procedure, ProcedureGroup, ServiceArea, Unit
from survey.models.records import COUNT_COLUMNS
from survey.models.units import PROCEDURE_LEVELS
from survey.services import audit
from survey.services.import_messages import localize
from survey.services.imports import ImportRejected, RowProblem, read_table

STAT_COLUMNS = ("period", "unit", "procedure_group", *COUNT_COLUMNS)
PROCEDURE_COLUMNS = ("code", "name_vi", "name_en", "service_area", "level", "procedure_group")
PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$")
RECEIVED = ("received_online", "received_direct", "carried_over")
SETTLED = ("resolved_early", "resolved_on_time", "resolved_late", "pending_within",
           "pending_overdue")
MAX_COUNT_DIGITS = 9  # below 2**31: the count columns are 32-bit INTEGERs in PostgreSQL
PROGRESS_EVERY = 500  # rows checked between two progress reports
Progress = Callable[[int, int], None]


def _silent(done: int, total: int) -> None:
    pass


@dataclass(frozen=True, slots=True)
class StatsImportResult:
    rows: int
    replaced: int


def parse_period(text: str) -> tuple[str, int, int] | None:
    """'2024' → ('year', 2024, 0); '2024-Q3' → ('quarter', 2024, 3); '2024-07' → month."""
    match = PERIOD.match(text.strip())
    if not match:
        return None
    year, quarter, month = match.groups()
    if quarter:
        return "quarter", int(year), int(quarter)
    if month:
        return "month", int(year), int(month)
    return "year", int(year), 0


def _lookups() -> dict:
    return {
        "units": dict(db.session.execute(db.select(Unit.code, Unit.id)).all()),
        "areas": dict(db.session.execute(db.select(ServiceArea.code, ServiceArea.id)).all()),
        "groups": {code: (gid, area) for code, gid, area in db.session.execute(
            db.select(ProcedureGroup.code, ProcedureGroup.id, ProcedureGroup.service_area_id))},
    }


def _check_stat_row(line: int, row: dict[str, str], known: dict, problems: list) -> dict | None:
    found = len(problems)
    period = parse_period(row["period"])
    if period is None:
        problems.append(RowProblem(line, "period", f"{row['period']!r} is not 2024, 2024-Q3 "
                                                   "or 2024-07"))
    unit = known["units"].get(row["unit"])
    if unit is None:
        problems.append(RowProblem(line, "unit", f"unknown unit {row['unit']!r}"))
    group = row["procedure_group"]
    if group in known["groups"]:
        group_id, area_id = known["groups"][group]
    elif group in known["areas"]:
        group_id, area_id = None, known["areas"][group]
    else:
        group_id = area_id = None
        problems.append(RowProblem(line, "procedure_group",
                                   f"{group!r} is neither a procedure group nor a service area"))
    counts = {}
    for column in COUNT_COLUMNS:
        raw = row[column] or "0"
        # ASCII digits only ("²" passes isdigit but not int), and few enough for an INTEGER
        if not (raw.isascii() and raw.isdigit()):
            problems.append(RowProblem(line, column, f"{raw!r} is not a whole number ≥ 0"))
        elif len(raw.lstrip("0")) > MAX_COUNT_DIGITS:
            digits = len(raw.lstrip("0"))
            problems.append(RowProblem(line, column, f"a whole number of {digits} digits: "
                                                     f"at most {MAX_COUNT_DIGITS} are accepted"))
        else:
            counts[column] = int(raw)
    if len(counts) == len(COUNT_COLUMNS):
        came = sum(counts[c] for c in RECEIVED)
        went = sum(counts[c] for c in SETTLED)
        if came != went:
            problems.append(RowProblem(
                line, "pending_overdue",
                f"resolved + pending = {went} but received + carried over = {came}"))
    if len(problems) > found:
        return None
    kind, year, number = period
    return {"period_kind": kind, "year": year, "period_number": number, "unit_id": unit,
            "service_area_id": area_id, "procedure_group_id": group_id, **counts}


def import_dossier_stats(data: bytes, filename: str, actor: str = "cli",
                         progress: Progress = _silent, lang: str = "en") -> StatsImportResult:
    """Check every row, then replace the file's (period, unit) pairs with its rows.

    `lang` words the problems ("vi" for the data-entry page)."""
    rows = read_table(data, filename, STAT_COLUMNS, lang=lang)
    known = _lookups()
    problems: list[RowProblem] = []
    clean, seen = [], {}
    for index, (line, row) in enumerate(rows):
        if index % PROGRESS_EVERY == 0:
            progress(index, len(rows))
        values = _check_stat_row(line, row, known, problems)
        if values is None:
            continue
        key = tuple(values[k] for k in ("period_kind", "year", "period_number", "unit_id",
                                        "service_area_id", "procedure_group_id"))
        if key in seen:
            problems.append(RowProblem(line, "procedure_group",
                                       f"the same period, unit and group as row {seen[key]}"))
        seen.setdefault(key, line)
        clean.append(values)
    progress(len(rows), len(rows))
    if not rows:
        problems.append(RowProblem(2, "-", "the file has no data rows"))
    if problems:
        raise ImportRejected(filename, [RowProblem(p.row, p.column, localize(p.message, lang))
                                        for p in problems])
    replaced = 0
    for kind, year, number, unit_id in {k[:4] for k in seen}:
        replaced += db.session.execute(db.delete(DossierStat).where(
            DossierStat.period_kind == kind, DossierStat.year == year,
            DossierStat.period_number == number, DossierStat.unit_id == unit_id)).rowcount
    db.session.execute(db.insert(DossierStat), clean)
    audit.record(actor, "import", "dossier_stats", filename,
                 new={"rows": len(clean), "replaced": replaced})
    db.session.flush()
    return StatsImportResult(rows=len(clean), replaced=replaced)


@dataclass(frozen=True, slots=True)
class CatalogueImportResult:
    created: int
    updated: int


def import_procedures(data: bytes, filename: str, actor: str = "cli",
                      progress: Progress = _silent) -> CatalogueImportResult:
    """Create or update procedures by code; groups named in the file are created."""
    rows = read_table(data, filename, PROCEDURE_COLUMNS)
    known = _lookups()
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for index, (line, row) in enumerate(rows):
        if index % PROGRESS_EVERY == 0:
            progress(index, len(rows))
        if not row["code"]:
            problems.append(RowProblem(line, "code", "the procedure code is empty"))
        elif row["code"] in seen:
            problems.append(RowProblem(line, "code", f"{row['code']!r} repeats row "
                                                     f"{seen[row['code']]}"))
        seen.setdefault(row["code"], line)
        if not row["name_vi"]:
            problems.append(RowProblem(line, "name_vi", "the Vietnamese name is empty"))
        if row["service_area"] not in known["areas"]:
            problems.append(RowProblem(line, "service_area",
                                       f"unknown service area {row['service_area']!r}"))
        if row["level"] not in PROCEDURE_LEVELS:
            problems.append(RowProblem(line, "level", f"{row['level']!r} is not one of "
                                                      f"{', '.join(PROCEDURE_LEVELS)}"))
    progress(len(rows), len(rows))
    if problems:
        raise ImportRejected(filename, problems)
    existing = {p.code: p for p in db.session.execute(db.select(Procedure)).scalars()}
    groups = {g.code: g for g in db.session.execute(db.select(ProcedureGroup)).scalars()}
    created = updated = 0
    for _line, row in rows:
        area_id = known["areas"][row["service_area"]]
        group = None
        if row["procedure_group"]:
            group = groups.get(row["procedure_group"])
            if group is None:
                group = ProcedureGroup(code=row["procedure_group"], name_vi=row["procedure_group"],
                                       service_area_id=area_id)
                db.session.add(group)
                groups[group.code] = group
        values = {"name_vi": row["name_vi"], "name_en": row["name_en"],
                  "service_area_id": area_id, "level": row["level"]}
        procedure = existing.get(row["code"])
        if procedure is None:
            db.session.add(Procedure(code=row["code"], group=group, **values))
            created += 1
        else:
            for key, value in values.items():
                setattr(procedure, key, value)
            procedure.group = group
            updated += 1
    audit.record(actor, "import", "procedures", filename,
                 new={"created": created, "updated": updated})
    db.session.flush()
    return CatalogueImportResult(created, updated)


def stats_template_csv() -> str:
    """A header and one example row, for the downloadable template."""
    example = ["2024-Q3", "UNIT-CODE", "land", "120", "80", "15", "60", "130", "5", "18", "2"]
    return ",".join(STAT_COLUMNS) + "\n" + ",".join(example) + "\n"
