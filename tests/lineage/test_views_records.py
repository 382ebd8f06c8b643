"""Dossier statistics and the satisfaction-by-on-time figures in the two views (#19): counts
recorded under the old units land on today's units through the lineage."""

from __future__ import annotations

import random

import pytest

from survey.extensions import db
from survey.models import DossierStat, ServiceArea, Unit
from survey.models.records import COUNT_COLUMNS
from survey.services.reporting import Grouping, References, Scope
from survey.services.reporting.records import records
from tests.lineage import history as h


@pytest.fixture
def reformed_stats(app):
    """The reform's units and events, and yearly dossier statistics (2024 under the old
    units, 2026 under today's)."""
    rng = random.Random(7)
    with app.app_context():
        h._units()
        db.session.commit()
        h.reform()
        area = db.session.execute(db.select(ServiceArea.id).limit(1)).scalar()
        units = {h.short(u.code): u.id for u in db.session.execute(db.select(Unit)).scalars()}
        written = {}
        for year, names in ((2024, ("A", "B", "E", "F")), (2026, ("AB", "E1", "E2", "F"))):
            for name in names:
                counts = {c: rng.randrange(0, 400) for c in COUNT_COLUMNS[3:]}
                total = sum(counts.values())  # received + carried over = resolved + pending
                counts["carried_over"] = rng.randrange(0, total + 1)
                counts["received_online"] = rng.randrange(0, total - counts["carried_over"] + 1)
                counts["received_direct"] = (total - counts["carried_over"]
                                             - counts["received_online"])
                db.session.add(DossierStat(period_kind="year", year=year, unit_id=units[name],
                                           service_area_id=area, **counts))
                written[(year, name)] = counts
        db.session.commit()
        yield written


def _expected_today(written):
    out = {}
    for (year, name), counts in written.items():
        for target, share in h.TODAY_SHARES.get(name, {name: 1.0}).items():
            total = out.setdefault((year, target), dict.fromkeys(COUNT_COLUMNS, 0.0))
            for column, value in counts.items():
                total[column] += value * share
    return {key: {c: round(v) for c, v in counts.items()} for key, counts in out.items()}


def test_dossier_statistics_on_todays_units_and_as_recorded(app, reformed_stats):
    with app.app_context():
        refs = References.load()
        today = records(Scope(), Grouping(("year", "unit")), refs)["rows"]
        expected = _expected_today(reformed_stats)
        assert {(r["year"], h.short(r["unit"])) for r in today} == set(expected)
        for row in today:
            key = (row["year"], h.short(row["unit"]))
            assert {c: row[c] for c in COUNT_COLUMNS} == expected[key], key
            assert row["estimated"] is (key in ((2024, "E1"), (2024, "E2")))
        recorded = records(Scope(view="recorded"), Grouping(("year", "unit")), refs)["rows"]
        assert {(r["year"], h.short(r["unit"])): {c: r[c] for c in COUNT_COLUMNS}
                for r in recorded} == reformed_stats
        # as recorded, by district: F's 2024 is in D2, its 2026 under no district
        by_district = records(Scope(view="recorded"), Grouping(("year", "unit"), "district"),
                              refs)["rows"]
        d2 = next(r for r in by_district if r["unit"] == "RP-D2")
        assert d2["received_online"] == sum(reformed_stats[(2024, n)]["received_online"]
                                            for n in ("E", "F"))
        assert any(r["unit"] == "RP-F" and r["year"] == 2026 for r in by_district)
        # a unit filter on today's units: E2 holds a quarter of E's 2024
        e2 = records(Scope(unit="RP-E2"), Grouping(("year",)), refs)["rows"]
        assert [r["resolved_late"] for r in e2] == [expected[(y, "E2")]["resolved_late"]
                                                    for y in (2024, 2026)]
