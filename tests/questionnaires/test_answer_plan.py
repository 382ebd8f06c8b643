"""The per-definition answer plan changes nothing: the same answers and the same messages."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaires import (
    MISSING_CODES,
    TYPES,
    AnswerError,
    Message,
    Questionnaire,
    clean_answer,
    is_visible,
    load_builtins,
    validate_answers,
)
from questionnaires.answers import _is_empty, answer_plan

BUILTINS = load_builtins()


def reference(q: Questionnaire, raw: Mapping[str, object], lang: str = "vi"):
    """validate_answers as it was before the plan: every value through clean_answer."""
    clean, errors = {}, {}
    known = {item.code for item in q.items}
    for code in raw:
        if code not in known:
            errors[str(code)] = Message.ANSWER_UNKNOWN_ITEM.text(lang)
    for item in q.items:
        value = raw.get(item.code)
        if not is_visible(item, clean):
            if not _is_empty(value):
                errors[item.code] = Message.ANSWER_HIDDEN.text(lang)
            continue
        try:
            answer = clean_answer(item, value)
        except AnswerError as exc:
            errors[item.code] = exc.code.text(lang, **exc.params)
            continue
        if answer is None:
            if item.required:
                errors[item.code] = Message.ANSWER_REQUIRED.text(lang)
            continue
        clean[item.code] = answer
    return clean, errors


def raw_values(item) -> st.SearchStrategy:
    """Values a client or a spreadsheet may send for the item: its own, near misses, junk."""
    own = list(TYPES[item.type].values(item) or [])
    if item.type == "number":
        own = [item.min or 0, item.max or 0, (item.max or 0) + 1, 97, 98, 99]
    atoms = [*own, *(str(v) for v in own), *(f" {v} " for v in own), *MISSING_CODES,
             "no_answer", "dont_know", "refused", "not_applicable", "", " ", "98", "0",
             "-1", "1.0", "04", "yes", "không", True, False, 1.0, 4.0, 2.5, None, 6, -3]
    return st.one_of(st.sampled_from(atoms), st.lists(st.sampled_from(atoms), max_size=3),
                     st.text(max_size=5), st.integers(-2, 120))


@st.composite
def submissions(draw, q: Questionnaire) -> dict:
    raw = {item.code: draw(raw_values(item)) for item in q.items if draw(st.booleans())}
    if draw(st.integers(0, 9)) == 0:
        raw["no_such_item"] = 1
    return raw


@pytest.mark.parametrize("code", sorted(BUILTINS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_plan_gives_what_cleaning_each_value_gives(code, data):
    q = BUILTINS[code]
    raw = data.draw(submissions(q))
    for lang in ("vi", "en"):
        assert validate_answers(q, raw, lang) == reference(q, raw, lang)


def test_every_value_known_in_advance_is_what_cleaning_gives():
    for q in BUILTINS.values():
        for item, by_int, by_str in answer_plan(q).steps:
            for raw, answer in [*by_int.items(), *by_str.items()]:
                assert clean_answer(item, raw) == answer, (q.code, item.code, raw)


def test_the_plan_is_made_once_per_definition():
    q = BUILTINS["land_survey"]
    assert answer_plan(q) is answer_plan(q)
