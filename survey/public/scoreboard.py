"""Every figure of the public scoreboard, read once from the reporting services.

One scope only: the whole survey stream of the province, every year, no filter. The pages show
slices of a handful of tables of that scope (per year; per year and service area; per year and
unit folded to each level; the changes of each), all protected by the reporting's suppression
layers, which make the tables a user can ask for with the same filters consistent with each
other (survey/services/reporting/suppression.py). A visitor cannot choose a filter, so no
second scope exists whose tables could be subtracted from these: the public pages can never
publish more than the API publishes for the same tables, and nothing here reads the database
except through those services (and the units' and services' names).

Only the fields listed below leave this module; a suppressed row keeps its n and flag only.
Dossier statistics (on-time rates) are counts of the whole population, not of respondents, and
are shown as the records report gives them (METHODOLOGY §7).
"""

from __future__ import annotations

from survey.extensions import db
from survey.models import ServiceArea, now_utc
from survey.public import cases
from survey.services import reporting
from survey.services.periods import last_complete_year
from survey.services.reporting import Grouping, Measure, References, Scope
from survey.services.reporting.records import records

OVERALL = Measure("overall")
LEVELS = ("department", "district", "commune")  # the lists of units; the province is the total
INDEX_FIELDS = ("year", "n", "suppressed", "satisfied", "share", "ci_low", "ci_high", "verdict",
                "boundary_change", "estimated")
SHOWN_WHEN_SUPPRESSED = ("year", "n", "suppressed", "boundary_change", "estimated")
CHANGE_FIELDS = ("year", "previous_year", "delta", "delta_ci_low", "delta_ci_high", "p_adjusted",
                 "significant", "boundary_change")
RECORD_FIELDS = ("year", "received", "resolved", "resolved_early", "resolved_on_time",
                 "resolved_late", "on_time_rate", "late_rate")


def _index_row(row: dict) -> dict:
    fields = SHOWN_WHEN_SUPPRESSED if row["suppressed"] else INDEX_FIELDS
    return {f: row.get(f) for f in fields if f in row}


def _change_row(row: dict) -> dict:
    return {f: row.get(f) for f in CHANGE_FIELDS if f in row}


def _record_row(row: dict) -> dict:
    return {f: row.get(f) for f in RECORD_FIELDS}


def _one_series(rows: list[dict]) -> list[dict]:
    """A group's changes for its main item (the overall item with the most answers): an item
    whose code changed is a new series, and a page shows one line."""
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.get("item")] = totals.get(row.get("item"), 0) + row["n"]
    main = max(totals, key=lambda item: (totals[item], str(item)), default=None)
    return [_change_row(r) for r in rows if r.get("item") == main]


def _grouped(rows: list[dict], key: str, shape) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in rows:
        out.setdefault(str(row[key]), []).append(row)
    return {k: shape(v) for k, v in out.items()}


def _names(row) -> dict:
    return {"name_vi": row.name_vi, "name_en": row.name_en or ""}


def build(benchmark: float) -> dict:
    """The scoreboard as plain JSON-safe data (see the module's description). Only complete
    years: the current year's figures move every day and would be a different table each
    minute; it appears once it has ended."""
    data = _build(benchmark)
    last = last_complete_year()
    for part in [data["province"], *data["areas"].values(), *data["units"].values()]:
        for name in ("rows", "changes", "records"):
            part[name] = [r for r in part[name] if r["year"] <= last]
    data["years"] = [y for y in data["years"] if y <= last]
    # element E in practice: the feedback cases of the same year, suppressed alike
    data["cases"] = cases.build(data["year"], now_utc())
    return data


def _build(benchmark: float) -> dict:
    refs = References.load()
    scope = Scope()
    index = reporting.indices(scope, Grouping(("year",)), OVERALL, benchmark, "survey", refs)
    years = sorted({r["year"] for r in index["rows"]})
    root = next((u for u in refs.units.values() if u.parent_id is None), None)
    province = {
        **(_names(root) if root else {"name_vi": "", "name_en": ""}),
        "rows": [_index_row(r) for r in index["rows"]],
        "changes": _one_series(reporting.trends(scope, Grouping(()), OVERALL, benchmark,
                                                "survey", refs)["rows"]),
        "records": [_record_row(r) for r in records(scope, Grouping(("year",)), refs)["rows"]],
    }

    by_area = Grouping(("year", "service_area"))
    area_rows = _grouped(reporting.indices(scope, by_area, OVERALL, benchmark, "survey",
                                           refs)["rows"], "service_area",
                         lambda rows: [_index_row(r) for r in rows])
    area_changes = _grouped(reporting.trends(scope, Grouping(("service_area",)), OVERALL,
                                             benchmark, "survey", refs)["rows"],
                            "service_area", _one_series)
    area_records = _grouped([r for r in records(scope, by_area, refs)["rows"]
                             if r["service_area"] is not None], "service_area",
                            lambda rows: [_record_row(r) for r in rows])
    areas = {}
    for area in db.session.execute(db.select(ServiceArea).order_by(ServiceArea.code)).scalars():
        if area.code in area_rows:
            areas[area.code] = {**_names(area), "rows": area_rows[area.code],
                                "changes": area_changes.get(area.code, []),
                                "records": area_records.get(area.code, [])}

    units = {}
    for level in LEVELS:
        by_unit = Grouping(("year", "unit"), unit_rollup=level)
        rows = _grouped(reporting.indices(scope, by_unit, OVERALL, benchmark, "survey",
                                          refs)["rows"], "unit",
                        lambda rows: [_index_row(r) for r in rows])
        changes = _grouped(reporting.trends(scope, Grouping(("unit",), unit_rollup=level),
                                            OVERALL, benchmark, "survey", refs)["rows"],
                           "unit", _one_series)
        unit_records = _grouped(records(scope, by_unit, refs)["rows"], "unit",
                                lambda rows: [_record_row(r) for r in rows])
        for code, unit_rows in rows.items():
            unit = refs.unit_by_code[code]
            if unit.level != level:
                continue  # a unit above the level, left as it is by the fold
            parent = refs.units.get(unit.parent_id) if unit.parent_id else None
            units[code] = {**_names(unit), "level": level,
                           "parent": parent.code if parent and parent.parent_id else None,
                           "rows": unit_rows, "changes": changes.get(code, []),
                           "records": unit_records.get(code, [])}
    complete = [y for y in years if y <= last_complete_year()]
    return {"benchmark": benchmark, "years": years, "year": max(complete, default=None),
            "province": province, "areas": areas, "units": units}
