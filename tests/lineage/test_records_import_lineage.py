"""Dossier statistics imported under old unit codes land on today's units through the lineage
(#19): the file names the units of its period (A, B, E before the reform; even A after it,
from an office whose software still uses the old code), the import keeps them as recorded,
and the report on today's units re-attributes them like any other row."""

from __future__ import annotations

from survey.extensions import db
from survey.models import ServiceArea
from survey.models.records import COUNT_COLUMNS
from survey.services.records.imports import STAT_COLUMNS, import_dossier_stats
from survey.services.reporting import Grouping, References, Scope
from survey.services.reporting.records import records
from tests.lineage import history as h

# (period, unit, received = resolved on time) as the office sent them
ROWS = [("2024", "A", 400), ("2024", "B", 240), ("2024", "E", 1000), ("2024", "F", 300),
        ("2026", "A", 90), ("2026", "AB", 700), ("2026", "E1", 610), ("2026", "E2", 190)]


def _file() -> bytes:
    lines = [",".join(STAT_COLUMNS)]
    for period, unit, n in ROWS:
        counts = dict.fromkeys(COUNT_COLUMNS, "0")
        counts.update(received_direct=str(n), resolved_on_time=str(n))
        lines.append(",".join([period, h.code(unit), "land", *counts.values()]))
    return ("\n".join(lines) + "\n").encode()


def _expected(view: str) -> dict[tuple[int, str], int]:
    out: dict[tuple[int, str], float] = {}
    for period, unit, n in ROWS:
        targets = {unit: 1.0} if view == "recorded" else h.TODAY_SHARES.get(unit, {unit: 1.0})
        for target, share in targets.items():
            out[(int(period), target)] = out.get((int(period), target), 0) + n * share
    return {key: round(n) for key, n in out.items()}


def test_records_imported_under_old_codes_land_on_todays_units(app):
    with app.app_context():
        if db.session.execute(db.select(ServiceArea.id).limit(1)).first() is None:
            from survey.services.reference import load_service_areas

            load_service_areas()
        h._units()
        db.session.commit()
        h.reform()
        result = import_dossier_stats(_file(), "records.csv")
        db.session.commit()
        assert result.rows == len(ROWS)
        refs = References.load()
        for view in ("today", "recorded"):
            rows = records(Scope(view=view), Grouping(("year", "unit")), refs)["rows"]
            got = {(r["year"], h.short(r["unit"])): r["resolved_on_time"] for r in rows}
            assert got == _expected(view), view
            estimated = {(r["year"], h.short(r["unit"])) for r in rows if r["estimated"]}
            assert estimated == ({(2024, "E1"), (2024, "E2")} if view == "today" else set())
