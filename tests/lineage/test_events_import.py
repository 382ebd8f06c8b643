"""The unit events file: a whole reform in one file, applied in date order whatever the order
of its rows; a bad file names its file, row and column and records nothing."""

from __future__ import annotations

from datetime import date

import pytest

from survey.extensions import db
from survey.models import AuditEntry, Unit, UnitEvent
from survey.services.imports import ImportRejected
from survey.services.lineage.events_import import import_events_csv, import_events_file
from survey.services.lineage.store import load_lineage
from tests.lineage.reform import REFORM, TODAY, build, get

HEADER = ("unit_code,event,effective_date,decision_number,decision_date,successors,"
          "new_parent_code,new_name_vi,new_name_en,note\n")
# Rows in no useful order: the districts' abolitions first, the communes that leave them last.
REFORM_FILE = HEADER + (
    "D1,abolish,01/07/2025,1656/NQ-UBTVQH15,16/06/2025,,,,,\n"
    "D2,abolish,2025-07-01,1656/NQ-UBTVQH15,16/06/2025,,,,,\n"
    "A,merge,01/07/2025,1656/NQ-UBTVQH15,16/06/2025,AB,,,,\n"
    "B,merge,01/07/2025,1656/NQ-UBTVQH15,16/06/2025,AB=1,,,,\n"
    'E,split,01/07/2025,1656/NQ-UBTVQH15,16/06/2025,"E1=0,6; E2=0,4",,,,by dossiers 2024\n'
    "F,rename,01/01/2026,12/QĐ-UBND,,,,Phường Hòa Bình,Hoa Binh ward,\n"
    "F,move,01/07/2025,1656/NQ-UBTVQH15,16/06/2025,,P,,,\n"
)


@pytest.fixture
def units(ctx):
    return build()


def counts() -> tuple[int, int]:
    return (db.session.execute(db.select(db.func.count(UnitEvent.id))).scalar(),
            db.session.execute(db.select(db.func.count(Unit.id))
                               .where(Unit.valid_to.is_not(None))).scalar())


def test_the_whole_reform_is_applied_in_date_order(units):
    result = import_events_csv(REFORM_FILE, "reform.csv", "lan", today=TODAY)
    assert result.recorded == 7
    for code in ("D1", "D2", "A", "B", "E"):
        assert get(code).valid_to == REFORM, code
    f = get("F")
    assert (f.path, get("F1").path, f.name_vi, f.name_en) == (
        "/P/F/", "/P/F/F1/", "Phường Hòa Bình", "Hoa Binh ward")
    # the file's events agree with the lineage the reports read: A and B add up in AB, E is
    # spread 60/40 (a decimal comma as a Vietnamese writes it)
    lineage = load_lineage()
    ids = {code: get(code).id for code in ("A", "E", "E1", "E2", "AB")}
    assert lineage.attribute_year(ids["A"], 2024).shares == {ids["AB"]: 1.0}
    assert lineage.attribute_year(ids["E"], 2024).shares == pytest.approx(
        {ids["E1"]: 0.6, ids["E2"]: 0.4})
    split = db.session.execute(db.select(UnitEvent).filter_by(kind="split")).scalar_one()
    assert split.note == "by dossiers 2024" and split.decision_date == date(2025, 6, 16)
    entry = db.session.execute(db.select(AuditEntry).filter_by(action="import")).scalar_one()
    assert entry.entity_type == "unit_events" and entry.new_values["rows"] == 7


BAD = [
    ("a month-first date", "A,merge,07/13/2025,N1,,AB,,,,\n", 2, "effective_date",
     "is not a date"),
    ("a two-digit year", "A,merge,01/07/25,N1,,AB,,,,\n", 2, "effective_date",
     "two-digit year"),
    ("no effective date", "A,merge,,N1,,AB,,,,\n", 2, "effective_date", "required"),
    ("no decision", "A,merge,01/07/2025,,,AB,,,,\n", 2, "decision_number", "required"),
    ("a bad decision date", "A,merge,01/07/2025,N1,31/02/2025,AB,,,,\n", 2, "decision_date",
     "has no day 31"),
    ("a share that is no number", "E,split,01/07/2025,N1,,E1=half; E2=0.5,,,,\n", 2,
     "successors", "'E1=half' is not CODE=share"),
    ("a split without shares", "E,split,01/07/2025,N1,,E1; E2,,,,\n", 2, "successors",
     "'E1' has no share"),
    ("shares that miss 1", "E,split,01/07/2025,N1,,E1=0.5; E2=0.4,,,,\n", 2, "successors",
     "add up to 0.9"),
    ("an unknown unit", "ZZ,merge,01/07/2025,N1,,AB,,,,\n", 2, "unit_code", "unknown unit 'ZZ'"),
    ("an unknown kind", "A,dissolve,01/07/2025,N1,,AB,,,,\n", 2, "event", "'dissolve'"),
    ("a move into its own subtree", "F,move,01/07/2025,N1,,,F1,,,\n", 2, "new_parent_code",
     "cycle"),
    ("an abolition under which communes remain", "D1,abolish,01/07/2025,N1,,,,,,\n", 2,
     "unit_code", "still holds A on 01/07/2025"),  # B merged first: the same day
]


@pytest.mark.parametrize("row, line, column, text", [b[1:] for b in BAD],
                         ids=[b[0] for b in BAD])
def test_a_bad_row_names_file_row_and_column_and_nothing_is_imported(units, row, line, column,
                                                                     text):
    good = "B,merge,01/07/2025,N1,,AB,,,,\n"
    with pytest.raises(ImportRejected) as rejected:
        import_events_csv(HEADER + row + good, "events.csv", "lan", today=TODAY)
    assert rejected.value.source == "events.csv"
    problems = [(p.row, p.column) for p in rejected.value.problems]
    assert (line, column) in problems
    assert any(text in p.message for p in rejected.value.problems), rejected.value.problems
    assert "events.csv: row 2, column" in str(rejected.value)
    assert counts() == (0, 0)  # not even the good row B


def test_an_event_that_depends_on_a_failed_one_is_reported_too(units):
    # E1 and E2 do not exist before 2025: the split fails, and so does nothing else
    bad = HEADER + ("E,split,01/01/2024,N1,,E1=0.6; E2=0.4,,,,\n"
                    "A,merge,01/07/2025,N1,,AB,,,,\n")
    with pytest.raises(ImportRejected) as rejected:
        import_events_csv(bad, "events.csv", "lan", today=TODAY)
    assert [(p.row, p.column) for p in rejected.value.problems] == [(2, "successors")]
    assert counts() == (0, 0)


def test_problems_read_in_vietnamese(units):
    # what the file says is read first (the dates), then the events are checked in turn
    bad = HEADER + "E,split,01/07/2025,N1,,E1=0.5; E2=0.4,,,,\nA,merge,1/7/25,N1,,AB,,,,\n"
    with pytest.raises(ImportRejected) as rejected:
        import_events_csv(bad, "events.csv", "lan", lang="vi", today=TODAY)
    messages = {(p.row, p.column): p.message for p in rejected.value.problems}
    assert list(messages) == [(3, "effective_date")]
    assert "năm hai chữ số" in messages[(3, "effective_date")]
    bad = HEADER + "E,split,01/07/2025,N1,,E1=0.5; E2=0.4,,,,\nA,merge,1/7/2025,N1,,AB,,,,\n"
    with pytest.raises(ImportRejected) as rejected:
        import_events_csv(bad, "events.csv", "lan", lang="vi", today=TODAY)
    messages = {(p.row, p.column): p.message for p in rejected.value.problems}
    assert messages == {(2, "successors"): "tổng các tỷ lệ là 0.9, không phải 1"}


def test_a_missing_column_an_empty_file_and_bad_bytes_are_refused(units):
    with pytest.raises(ImportRejected) as rejected:
        import_events_csv("unit_code,event,effective_date\nA,merge,01/07/2025\n", "x.csv")
    assert [(p.row, p.column) for p in rejected.value.problems] == [(1, "decision_number")]
    with pytest.raises(ImportRejected, match="no data rows"):
        import_events_csv(HEADER, "x.csv")
    with pytest.raises(ImportRejected) as rejected:
        import_events_file(HEADER.encode() + b"A,merge,01/07/2025,N\xff1,,AB,,,,\n", "x.csv")
    assert rejected.value.problems[0].row == 2
    assert counts() == (0, 0)


def test_the_command_line_imports_and_lists(app, runner, tmp_path):
    with app.app_context():
        build()
        db.session.commit()
    path = tmp_path / "reform.csv"
    path.write_text(REFORM_FILE, encoding="utf-8")
    result = runner.invoke(args=["units", "events-import", str(path)])
    assert result.exit_code == 0, result.output
    assert "7 event(s) recorded" in result.output
    listed = runner.invoke(args=["units", "events", "--unit", "AB"])
    assert listed.exit_code == 0
    lines = listed.output.strip().splitlines()
    assert len(lines) == 2 and all("merge" in line and "01/07/2025" in line for line in lines)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Q,merge,01/07/2025,N1,,AB,,,,\n", encoding="utf-8")
    refused = runner.invoke(args=["units", "events-import", str(bad)])
    assert refused.exit_code != 0
    assert f"{bad}: row 2, column unit_code: unknown unit 'Q'" in refused.output
