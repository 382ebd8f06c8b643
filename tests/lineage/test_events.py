"""record_event: every refusal names its field, and an accepted event changes the unit as
the reform did (its end, its names, its parent and the paths under it), audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from survey.extensions import db
from survey.models import AuditEntry, UnitEvent
from survey.services.lineage.events import EventError, EventInput, record_event
from tests.lineage.reform import DAY_BEFORE, REFORM, TODAY, build, get


@pytest.fixture
def units(ctx):
    return build()


def event(unit: str, kind: str, **values) -> EventInput:
    return EventInput(unit_code=unit, kind=kind, effective=values.pop("effective", REFORM),
                      decision_number=values.pop("decision_number", "1656/NQ-UBTVQH15"),
                      **values)


def test_a_merge_ends_the_unit_and_names_its_successor(units):
    done = record_event(event("A", "merge", successors=(("AB", 1.0),),
                              decision_date=date(2025, 6, 16)), "lan", TODAY)
    a = get("A")
    assert a.valid_to == REFORM and not a.exists_on(REFORM) and a.exists_on(DAY_BEFORE)
    stored = db.session.execute(db.select(UnitEvent)).scalar_one()
    assert stored is done.event
    assert [(s.unit.code, s.share) for s in stored.successors] == [("AB", 1.0)]
    assert stored.decision_date == date(2025, 6, 16) and stored.created_by == "lan"
    entry = db.session.execute(db.select(AuditEntry).filter_by(action="merge")).scalar_one()
    assert (entry.actor, entry.entity_type, entry.entity_key) == ("lan", "unit", "A")
    assert entry.new_values["successors"] == "AB=1"
    assert entry.new_values["effective"] == "2025-07-01"


def test_a_split_that_keeps_a_part_does_not_end_the_unit(units):
    record_event(event("E", "split", successors=(("E", 0.75), ("E1", 0.25))), "lan", TODAY)
    assert get("E").valid_to is None
    record_event(event("B", "split", successors=(("E1", 1 / 3), ("E2", 2 / 3))), "lan", TODAY)
    assert get("B").valid_to == REFORM


def test_a_move_refreshes_the_paths_of_the_whole_subtree(units):
    assert get("F1").path == "/P/D2/F/F1/"
    record_event(event("F", "move", new_parent_code="P"), "lan", TODAY)
    assert get("F").parent.code == "P"
    assert (get("F").path, get("F1").path) == ("/P/F/", "/P/F/F1/")
    stored = db.session.execute(db.select(UnitEvent)).scalar_one()
    assert (stored.old_parent.code, stored.new_parent.code) == ("D2", "P")
    # other units keep their paths
    assert get("E").path == "/P/D2/E/"


def test_a_rename_keeps_the_old_names_in_the_event(units):
    record_event(event("F", "rename", new_name_vi="Phường Hoà Bình"), "lan", TODAY)
    assert get("F").name_vi == "Phường Hoà Bình" and get("F").name_en == "Unit F"
    stored = db.session.execute(db.select(UnitEvent)).scalar_one()
    assert (stored.old_name_vi, stored.new_name_vi) == ("Đơn vị F", "Phường Hoà Bình")
    assert stored.old_name_en == stored.new_name_en == "Unit F"


def test_a_district_is_abolished_once_its_communes_have_left(units):
    with pytest.raises(EventError) as refused:
        record_event(event("D1", "abolish"), "lan", TODAY)
    assert refused.value.field == "unit" and "A, B" in refused.value.message()
    record_event(event("A", "merge", successors=(("AB", 1),)), "lan", TODAY)
    record_event(event("B", "merge", successors=(("AB", 1),)), "lan", TODAY)
    record_event(event("D1", "abolish"), "lan", TODAY)
    assert get("D1").valid_to == REFORM


CASES = [
    ("unknown unit", dict(unit_code="ZZ"), "unit", "unknown unit 'ZZ'"),
    ("unknown kind", dict(kind="dissolve"), "kind", "'dissolve' is not one of"),
    ("no decision", dict(decision_number=" "), "decision_number", "required"),
    ("merge without successor", dict(successors=()), "successors", "needs its successor"),
    ("merge into two", dict(successors=(("AB", 0.5), ("E1", 0.5))), "successors",
     "exactly one successor"),
    ("merge share below 1", dict(successors=(("AB", 0.9),)), "successors",
     "exactly one successor"),
    ("unknown successor", dict(successors=(("QQ", 1),)), "successors", "unknown unit 'QQ'"),
    ("successor born later", dict(successors=(("AB", 1),), effective=DAY_BEFORE),
     "successors", "does not exist on 30/06/2025"),
    ("successor already ended", dict(successors=(("B", 1),), effective=date(2025, 8, 1)),
     "successors", "does not exist on 01/08/2025"),
    ("into itself", dict(successors=(("A", 1),)), "successors", "into itself"),
    ("split into one", dict(kind="split", successors=(("E1", 1),)), "successors",
     "at least two"),
    ("split shares", dict(kind="split", successors=(("E1", 0.5), ("E2", 0.4))), "successors",
     "add up to 0.9"),
    ("share of 0", dict(kind="split", successors=(("E1", 0), ("E2", 1))), "successors",
     "share of E1 is 0"),
    ("share over 1", dict(kind="split", successors=(("E1", 1.5), ("E2", -0.5))), "successors",
     "share of E1 is 1.5"),
    ("repeated successor", dict(kind="split", successors=(("E1", 0.5), ("E1", 0.5))),
     "successors", "E1 is named twice"),
    ("a rename with successors", dict(kind="rename", new_name_vi="X"), "successors",
     "has no successors"),
    ("move without parent", dict(kind="move", successors=()), "new_parent", "required"),
    ("parent for a merge", dict(new_parent_code="P"), "new_parent", "only a move"),
    ("names for a merge", dict(new_name_vi="X"), "new_name_vi", "only a rename"),
    ("carry_to not a successor", dict(kind="split", successors=(("E1", .5), ("E2", .5)),
                                      carry_to="AB"), "carry_to", "not one of the split's"),
    ("carry_to for a move", dict(kind="move", successors=(), new_parent_code="P",
                                 carry_to="AB"), "carry_to", "only a split or an abolition"),
]


@pytest.mark.parametrize("values, field, text", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_each_refusal_names_its_field_and_records_nothing(units, values, field, text):
    if values.get("effective") == date(2025, 8, 1):
        # B ended with the reform: it cannot take anything over a month later
        record_event(event("B", "merge", successors=(("AB", 1),)), "lan", TODAY)
    before = db.session.execute(db.select(db.func.count(UnitEvent.id))).scalar()
    data = replace(event("A", "merge", successors=(("AB", 1),)), **values)
    with pytest.raises(EventError) as refused:
        record_event(data, "lan", TODAY)
    assert refused.value.field == field
    assert text in refused.value.message("en")
    assert refused.value.message("vi") != refused.value.message("en")
    assert db.session.execute(db.select(db.func.count(UnitEvent.id))).scalar() == before
    assert get("A").valid_to is None


def test_a_move_is_refused_when_it_would_make_a_cycle_or_change_nothing(units):
    for parent, text in (("F1", "would make a cycle"), ("F", "would make a cycle"),
                         ("D2", "already under D2")):
        with pytest.raises(EventError) as refused:
            record_event(event("F", "move", new_parent_code=parent), "lan", TODAY)
        assert refused.value.field == "new_parent" and text in refused.value.message()
    assert get("F").path == "/P/D2/F/"


def test_no_event_on_a_unit_that_no_longer_exists_nor_twice_nor_out_of_order(units):
    record_event(event("A", "merge", successors=(("AB", 1),)), "lan", TODAY)
    with pytest.raises(EventError, match="no longer existed on 01/08/2025"):
        record_event(event("A", "rename", new_name_vi="X", effective=date(2025, 8, 1)),
                     "lan", TODAY)
    with pytest.raises(EventError, match="already has a merge on 01/07/2025"):
        record_event(event("A", "merge", successors=(("AB", 1),)), "lan", TODAY)
    with pytest.raises(EventError, match="has a later event"):
        record_event(event("A", "rename", new_name_vi="X", effective=date(2024, 1, 1)),
                     "lan", TODAY)
    with pytest.raises(EventError, match="did not exist yet on 01/01/2024"):
        record_event(event("AB", "rename", new_name_vi="X", effective=date(2024, 1, 1)),
                     "lan", TODAY)


def test_the_messages_read_in_vietnamese(units):
    with pytest.raises(EventError) as refused:
        record_event(event("A", "split", successors=(("E1", 0.5), ("E2", 0.4))), "lan", TODAY)
    assert refused.value.message("vi") == "tổng các tỷ lệ là 0.9, không phải 1"
    with pytest.raises(EventError) as refused:
        record_event(event("A", "rename", successors=(("AB", 1),)), "lan", TODAY)
    assert "đổi tên (rename)" in refused.value.message("vi")
