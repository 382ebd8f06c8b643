"""The units file for a new deployment after the 2025 reform: a two-level tree (the province,
its departments and its communes directly under it), and the optional valid_from / valid_to
columns, so a commune born of the reform exists before the events that merge others into it."""

from __future__ import annotations

from datetime import date

import pytest

from survey.extensions import db
from survey.models import AuditEntry, Unit
from survey.services.imports import ImportRejected
from survey.services.lineage.events_import import import_events_csv
from survey.services.units import import_units_csv

TWO_LEVEL = (
    "code,name_vi,name_en,level,parent_code,valid_from,valid_to\n"
    "HB,Tỉnh Hòa Bình,Hoa Binh province,province,,,\n"
    "HB-SNV,Sở Nội vụ,Department of Home Affairs,department,HB,,\n"
    "HB-X01,Xã An Lạc,An Lac commune,commune,HB,,30/06/2025\n"
    "HB-X02,Xã Bình Minh,Binh Minh commune,commune,HB,,2025-06-30\n"
    "HB-X12,Xã An Bình,An Binh commune,commune,HB,01/07/2025,\n"
)


def unit(code: str) -> Unit:
    return db.session.execute(db.select(Unit).filter_by(code=code)).scalar_one()


def test_a_two_level_province_with_the_communes_lives(ctx):
    result = import_units_csv(TWO_LEVEL, "units.csv", "lan")
    assert result.created == 5
    assert unit("HB-X12").path == "/HB/HB-X12/" and unit("HB-SNV").path == "/HB/HB-SNV/"
    assert unit("HB-X12").valid_from == date(2025, 7, 1) and unit("HB-X12").valid_to is None
    assert unit("HB-X01").valid_to == unit("HB-X02").valid_to == date(2025, 6, 30)
    below = db.session.execute(db.select(Unit.code).where(Unit.path.startswith("/HB/"))).scalars()
    assert sorted(below) == ["HB", "HB-SNV", "HB-X01", "HB-X02", "HB-X12"]
    created = db.session.execute(
        db.select(AuditEntry).filter_by(action="create", entity_key="HB-X12")).scalar_one()
    assert created.new_values["valid_from"] == "2025-07-01"


def test_a_new_commune_is_created_before_the_events_that_make_it(ctx):
    import_units_csv(TWO_LEVEL.replace(",30/06/2025", ",").replace(",2025-06-30", ","),
                     "units.csv", "lan")
    events = ("unit_code,event,effective_date,decision_number,successors\n"
              "HB-X01,merge,01/07/2025,1656/NQ-UBTVQH15,HB-X12\n"
              "HB-X02,merge,01/07/2025,1656/NQ-UBTVQH15,HB-X12\n")
    assert import_events_csv(events, "events.csv", "lan").recorded == 2
    assert unit("HB-X01").valid_to == date(2025, 7, 1)
    # re-importing the units file (dates left empty) does not undo the end the event set
    import_units_csv(TWO_LEVEL.replace(",30/06/2025", ",").replace(",2025-06-30", ","),
                     "units.csv", "lan")
    assert unit("HB-X01").valid_to == date(2025, 7, 1)


@pytest.mark.parametrize("row, column, text", [
    ("HB-X13,Xã Mới,,commune,HB,31/06/2025,\n", "valid_from", "has no day 31"),
    ("HB-X13,Xã Mới,,commune,HB,1/7/25,\n", "valid_from", "two-digit year"),
    ("HB-X13,Xã Mới,,commune,HB,,July 2025\n", "valid_to", "is not a date"),
    ("HB-X13,Xã Mới,,commune,HB,2025-07-01T08:00,\n", "valid_from", "is not a date"),
    ("HB-X13,Xã Mới,,commune,HB,01/07/2025,01/07/2025\n", "valid_to",
     "on or before its first day"),
], ids=["no such day", "two-digit year", "words", "a time of day", "ends as it begins"])
def test_a_bad_date_names_its_row_and_column_and_nothing_is_imported(ctx, row, column, text):
    with pytest.raises(ImportRejected) as rejected:
        import_units_csv(TWO_LEVEL + row, "units.csv", "lan")
    [problem] = rejected.value.problems
    assert (problem.row, problem.column) == (7, column)
    assert text in problem.message
    assert db.session.execute(db.select(db.func.count(Unit.id))).scalar() == 0
