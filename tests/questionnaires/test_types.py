"""The type registry answers the questions the form, the SPSS export and the analysis ask."""

from __future__ import annotations

import pytest

from questionnaires import MISSING_CODES, MISSING_LABELS, TYPES, Item, Text, get_type

ITEM = Item("x", "likert5", Text("X"))


@pytest.mark.parametrize(("name", "values", "satisfied"), [
    ("likert5", (1, 2, 3, 4, 5), (4, 5)),
    ("rating3", (1, 2, 3), (2, 3)),
    ("expectation4", (1, 2, 3, 4), (3, 4)),
])
def test_rating_scales(name: str, values: tuple, satisfied: tuple) -> None:
    kind = get_type(name)
    assert kind.is_rating and kind.values(ITEM) == values
    assert tuple(v for v in values if kind.is_satisfied(v)) == satisfied


def test_scale_labels_follow_the_project_coding() -> None:
    labels = {name: {v: t.vi for v, t in TYPES[name].value_labels(ITEM)}
              for name in ("likert5", "rating3", "expectation4", "yes_no")}
    assert labels["likert5"][1] == "Rất không hài lòng" and labels["likert5"][5] == "Rất hài lòng"
    assert labels["rating3"] == {1: "Không hài lòng", 2: "Hài lòng", 3: "Rất hài lòng"}
    assert labels["expectation4"][2] == "Ít mong muốn"
    assert labels["yes_no"] == {1: "Có", 0: "Không"}
    assert get_type("nps").values(ITEM) == tuple(range(11))
    assert MISSING_LABELS[98].en == "Don't know"


def test_storage_and_non_ratings() -> None:
    assert {n for n, t in TYPES.items() if t.storage == "text"} == {
        "single_choice", "multi_choice", "text"}
    assert not get_type("nps").is_rating and not get_type("expectation4").is_satisfaction
    with pytest.raises(ValueError):
        get_type("number").is_satisfied(3)


def test_the_satisfied_threshold_of_each_type_is_its_scales_positive_codes():
    """The questionnaire format and the statistics define "satisfied" each in their own pure
    package; this is the test that keeps the two one vocabulary (issue #22)."""
    from analysis.scales import MISSING_CODES as STATISTICS_MISSING
    from analysis.scales import SCALES

    rated = {name: t for name, t in TYPES.items() if t.is_rating}
    assert set(rated) == set(SCALES)  # every rating type has its scale, and no scale is spare
    for name, item_type in rated.items():
        codes = [code for code, _ in item_type.points]
        satisfied = tuple(code for code in codes if item_type.is_satisfied(code))
        assert satisfied == SCALES[name].positive, name
        assert len(codes) == SCALES[name].points, name
    assert tuple(MISSING_CODES) == STATISTICS_MISSING == tuple(MISSING_LABELS)
