"""The unit hierarchy: import from CSV, and the materialised path used for roll-ups."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from survey.extensions import db
from survey.models import ServiceArea, Unit
from survey.models.units import UNIT_LEVELS
from survey.services import audit
from survey.services.imports import ImportRejected, RowProblem, csv_text, read_csv_rows
from survey.services.lineage.dates import read_day
from survey.services.paper_dates import DateProblem, DateReader

UNIT_COLUMNS = ("code", "name_vi", "name_en", "level", "parent_code")
# Optional: the service a department handles (land, id_card...), which its desk posters and
# kiosks default to; a file without the column leaves every unit's service as it is, an empty
# cell clears it.
SERVICE_COLUMN = "service_area"
# Optional: the unit's life (dd/mm/yyyy or yyyy-mm-dd), so a commune born of the 2025 reform
# is created with its first day before the events that merge others into it. A file without
# the column, or an empty cell, leaves the date as it is (an end comes from an event's import
# as well, which an empty cell must not undo).
DATE_COLUMNS = ("valid_from", "valid_to")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


@dataclass(frozen=True, slots=True)
class UnitImportResult:
    created: int
    updated: int


def import_units_file(data: bytes, source: str, actor: str = "cli") -> UnitImportResult:
    """`import_units_csv` of a file's bytes: text that is not UTF-8 is refused by its line."""
    return import_units_csv(csv_text(data, source), source, actor)


def import_units_csv(text: str, source: str, actor: str = "cli") -> UnitImportResult:
    """Create or update units from CSV; a file with any problem changes nothing."""
    rows = read_csv_rows(text, source, UNIT_COLUMNS)
    existing = {u.code: u for u in db.session.execute(db.select(Unit)).scalars()}
    areas = {a.code: a for a in db.session.execute(db.select(ServiceArea)).scalars()}
    days, date_problems = _read_days(rows, existing)
    problems = _check_rows(rows, existing) + _check_areas(rows, areas) + date_problems
    if problems:
        raise ImportRejected(source, problems)

    parents = {row["code"]: row["parent_code"] or None for _, row in rows}
    created = updated = 0
    for _, row in _parents_first(rows, parents):
        unit = existing.get(row["code"])
        values = {k: row[k] for k in ("name_vi", "name_en", "level")}
        if SERVICE_COLUMN in row:
            values[SERVICE_COLUMN] = row[SERVICE_COLUMN] or None
        for key, day in days.get(row["code"], {}).items():
            values[key] = day.isoformat()
        parent = existing[row["parent_code"]] if row["parent_code"] else None
        if unit is None:
            unit = Unit(code=row["code"], path="")
            db.session.add(unit)
            existing[unit.code] = unit
            created += 1
            audit.record(actor, "create", "unit", unit.code, new=values)
        else:
            old = {k: _value(unit, k) for k in values}
            if old != values or unit.parent is not parent:
                updated += 1
                audit.record(actor, "update", "unit", unit.code, old=old, new=values)
        for key, value in values.items():
            if key == SERVICE_COLUMN:
                unit.service_area = areas[value] if value else None
            elif key in DATE_COLUMNS:
                setattr(unit, key, date.fromisoformat(value))
            else:
                setattr(unit, key, value)
        unit.parent = parent
    db.session.flush()
    _refresh_paths(list(existing.values()))
    db.session.flush()
    return UnitImportResult(created=created, updated=updated)


def _value(unit: Unit, key: str):
    if key == SERVICE_COLUMN:
        return unit.service_area.code if unit.service_area else None
    if key in DATE_COLUMNS:
        day = getattr(unit, key)
        return day.isoformat() if day else None
    return getattr(unit, key)


def _read_days(rows, existing: dict[str, Unit]):
    """Each row's valid_from / valid_to as days (only the cells filled in), and the problems:
    a date that cannot be read without guessing, or a life that ends before it begins."""
    reader = DateReader()
    for line, row in rows:
        for key in DATE_COLUMNS:
            reader.notice(line, row.get(key, ""))
    days: dict[str, dict[str, date]] = {}
    problems: list[RowProblem] = []
    for line, row in rows:
        found = {}
        for key in DATE_COLUMNS:
            try:
                day = read_day(row.get(key, ""), reader)
            except DateProblem as problem:
                problems.append(RowProblem(line, key, str(problem)))
            else:
                if day is not None:
                    found[key] = day
        unit = existing.get(row["code"])
        start = found.get("valid_from", unit.valid_from if unit else None)
        end = found.get("valid_to", unit.valid_to if unit else None)
        if start is not None and end is not None and end <= start:
            problems.append(RowProblem(line, "valid_to" if "valid_to" in found else "valid_from",
                                       f"the unit would end ({end.isoformat()}) on or before "
                                       f"its first day ({start.isoformat()})"))
        days[row["code"]] = found
    return days, problems


def _check_areas(rows, areas: dict[str, ServiceArea]) -> list[RowProblem]:
    return [RowProblem(line, SERVICE_COLUMN, f"{row[SERVICE_COLUMN]!r} is not one of "
                       f"{', '.join(sorted(areas))}")
            for line, row in rows if row.get(SERVICE_COLUMN) and row[SERVICE_COLUMN] not in areas]


def _check_rows(rows, existing: dict[str, Unit]) -> list[RowProblem]:
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        code = row["code"]
        if not CODE_PATTERN.match(code):
            problems.append(RowProblem(line, "code", f"{code!r} is not a valid unit code"))
        elif code in seen:
            problems.append(RowProblem(line, "code", f"{code!r} repeats row {seen[code]}"))
        seen.setdefault(code, line)
        if not row["name_vi"]:
            problems.append(RowProblem(line, "name_vi", "the Vietnamese name is empty"))
        if row["level"] not in UNIT_LEVELS:
            allowed = ", ".join(UNIT_LEVELS)
            problems.append(RowProblem(line, "level", f"{row['level']!r} is not one of {allowed}"))
    codes = set(seen) | set(existing)
    parents = {c.code: (c.parent.code if c.parent else None) for c in existing.values()}
    parents.update({row["code"]: row["parent_code"] or None for _, row in rows})
    for line, row in rows:
        parent = row["parent_code"]
        if parent and parent not in codes:
            problems.append(RowProblem(line, "parent_code", f"unknown unit {parent!r}"))
        elif parent and _has_cycle(row["code"], parents):
            problems.append(RowProblem(line, "parent_code", "the parents form a cycle"))
    return problems


def _has_cycle(code: str, parents: dict[str, str | None]) -> bool:
    seen = {code}
    current = parents.get(code)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _parents_first(rows, parents: dict[str, str | None]):
    depth: dict[str, int] = {}

    def level(code: str) -> int:
        if code not in depth:
            parent = parents.get(code)
            depth[code] = 0 if parent is None or parent not in parents else level(parent) + 1
        return depth[code]

    return sorted(rows, key=lambda item: level(item[1]["code"]))


def _refresh_paths(units: list[Unit]) -> None:
    def path_of(unit: Unit) -> str:
        prefix = path_of(unit.parent) if unit.parent is not None else "/"
        return f"{prefix}{unit.code}/"

    for unit in units:
        unit.path = path_of(unit)
