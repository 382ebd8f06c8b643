"""show_if semantics: structured conditions, evaluated on cleaned answers."""

from __future__ import annotations

import pytest
from qn_helpers import HEAD, check, located

from questionnaires import Answer, Condition, Item, Text, is_visible

ANSWERS = {"n": Answer(value_int=3), "m": Answer(value_text="a c"), "s": "b",
           "gone": Answer(missing_code=97)}


def leaf(item: str, op: str, value: object) -> Condition:
    return Condition(op, item, value)


@pytest.mark.parametrize(("cond", "expected"), [
    (leaf("n", "equals", 3), True), (leaf("n", "not_equals", 3), False),
    (leaf("n", "less", 4), True), (leaf("n", "greater", 3), False),
    (leaf("n", "in", (1, 3)), True), (leaf("n", "not_in", (1, 3)), False),
    (leaf("m", "equals", "c"), True), (leaf("m", "in", ("b", "x")), False),
    (leaf("m", "not_in", ("b",)), True), (leaf("s", "equals", "b"), True),
    (leaf("s", "less", 2), False),
    (leaf("gone", "not_equals", 1), False), (leaf("gone", "answered", False), True),
    (leaf("absent", "not_in", (1,)), False), (leaf("absent", "answered", True), False),
    (Condition("all", conditions=(leaf("n", "equals", 3), leaf("s", "equals", "x"))), False),
    (Condition("any", conditions=(leaf("n", "equals", 3), leaf("s", "equals", "x"))), True),
])
def test_evaluate(cond: Condition, expected: bool) -> None:
    assert is_visible(Item("x", "text", Text("X"), show_if=cond), ANSWERS) is expected


@pytest.mark.parametrize(("show_if", "expected"), [
    ("{all: []}", ("WRONG_TYPE", 9, "q2")),
    ("{any: [{item: q1, equals: 1}], item: q1}", ("SHOW_IF_FORM", 9, "q2")),
    ("{item: q1, equals: 1, less: 2}", ("SHOW_IF_FORM", 9, "q2")),
    ("{item: q1, eqals: 1}", ("UNKNOWN_KEY", 9, "q2")),
    ("{item: q1, in: []}", ("WRONG_TYPE", 9, "q2")),
    ("{item: q1, less: '2'}", ("WRONG_TYPE", 9, "q2")),
    ("{item: Q1, equals: 1}", ("BAD_CODE", 9, "q2")),
    ("{all: [{item: q1, equals: 1}, {item: q1, greater: 5}]}",
     ("SHOW_IF_IMPOSSIBLE_VALUE", 9, "q2")),
])
def test_condition_errors(show_if: str, expected: tuple) -> None:
    report = check(HEAD + f"      - {{code: q2, type: text, label: Hai, show_if: {show_if}}}\n")
    assert expected in located(report), [str(p) for p in report.errors]


def test_nested_condition_in_block_style_names_its_own_line() -> None:
    text = HEAD + ("      - code: q2\n        type: text\n        label: Hai\n"
                   "        show_if:\n          any:\n            - {item: q1, equals: 2}\n"
                   "            - {item: q1, equals: 9}\n")
    assert located(check(text)) == [("SHOW_IF_IMPOSSIBLE_VALUE", 15, "q2")]
