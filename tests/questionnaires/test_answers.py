"""Cleaning respondents' answers: JSON and HTML-form shapes, missing codes, show_if."""

from __future__ import annotations

import pytest

from questionnaires import Answer, AnswerError, Message, clean_answer, is_visible, load_text
from questionnaires import validate_answers as check

Q = load_text("""\
code: a
kind: survey
title: A
sections:
  - code: s
    title: S
    items:
      - {code: sat, type: likert5, label: Hài lòng, required: true, no_answer: true,
         overall: true}
      - {code: why, type: text, label: Vì sao, max_length: 10,
         show_if: {item: sat, less: 3}}
      - {code: used, type: multi_choice, label: Kênh, choices: [{code: web, label: Web},
         {code: desk, label: Quầy}, {code: post, label: Bưu điện}]}
      - {code: post_ok, type: yes_no, label: Bưu điện tốt, required: true,
         show_if: {all: [{item: used, equals: post}, {item: sat, answered: true}]}}
      - {code: age, type: number, label: Tuổi, min: 15, max: 120, no_answer: [99]}
      - {code: who, type: single_choice, label: Ai, required: true, respondent_type: true,
         choices: [{code: individual, label: Cá nhân}, {code: organisation, label: Tổ chức}]}
      - {code: nps, type: nps, label: Giới thiệu}
      - {code: want, type: expectation4, label: Mong muốn}
""")
BASE = {"sat": 4, "who": "individual"}


def test_json_and_form_values_clean_to_the_same_answers() -> None:
    json_clean, errors = check(Q, {**BASE, "used": ["post", "web"], "post_ok": True, "age": 40})
    assert errors == {}
    form_clean, errors = check(Q, {"sat": ["4"], "who": ["individual"], "used": ["web", "post"],
                                   "post_ok": "1", "age": " 40 "})
    assert errors == {} and form_clean == json_clean
    assert json_clean["used"] == Answer(value_text="web post")  # choice order
    assert json_clean["post_ok"] == Answer(value_int=1)


@pytest.mark.parametrize(("raw", "code", "vi"), [
    ({"who": "individual"}, "sat", "Vui lòng trả lời câu hỏi này."),
    ({**BASE, "sat": 6}, "sat", "Câu trả lời phải từ 1 đến 5."),
    ({**BASE, "sat": "good"}, "sat", "Câu trả lời không đúng dạng."),
    ({**BASE, "who": "robot"}, "who", "'robot' không phải là một lựa chọn."),
    ({**BASE, "sat": 2, "why": "x" * 11}, "why", "Nội dung dài quá 10 ký tự."),
    ({**BASE, "why": "hidden"}, "why", "Câu hỏi này không áp dụng theo các câu trả lời trước."),
    ({**BASE, "zzz": 1}, "zzz", "Không có câu hỏi này."),
    ({**BASE, "who": "no_answer"}, "who", "Câu hỏi này không thể bỏ qua."),
    ({**BASE, "age": 130}, "age", "Câu trả lời phải từ 15 đến 120."),
    ({**BASE, "used": "post"}, "post_ok", "Vui lòng trả lời câu hỏi này."),
])
def test_answer_errors(raw: dict, code: str, vi: str) -> None:
    clean, errors = check(Q, raw)
    assert errors == {code: vi}
    assert code not in clean


def test_messages_in_english_on_request() -> None:
    assert check(Q, {"who": "individual"}, lang="en")[1] == {
        "sat": "This question needs an answer."}


@pytest.mark.parametrize(("raw", "missing"), [
    ("no_answer", 98), (97, 97), ("99", 99), ("dont_know", 98), (["no_answer"], 98)])
def test_no_answer_forms(raw: object, missing: int) -> None:
    clean, errors = check(Q, {**BASE, "sat": raw})
    assert errors == {} and clean["sat"] == Answer(missing_code=missing)


def test_missing_code_on_number_item_only_by_word() -> None:
    clean, errors = check(Q, {**BASE, "age": "no_answer"})
    assert errors == {} and clean["age"] == Answer(missing_code=99)


def test_missing_code_does_not_satisfy_a_condition() -> None:
    assert not is_visible(Q.item("why"), {"sat": Answer(missing_code=98)})
    assert is_visible(Q.item("why"), {"sat": 2})
    assert not is_visible(Q.item("why"), {})


def test_hidden_answers_are_not_missing_answers() -> None:
    clean, errors = check(Q, {**BASE, "used": "web"})
    assert errors == {} and "post_ok" not in clean


def test_scale_types_and_empty_values() -> None:
    assert clean_answer(Q.item("nps"), 0) == Answer(value_int=0)
    assert clean_answer(Q.item("want"), "4") == Answer(value_int=4)
    assert clean_answer(Q.item("want"), "") is None
    assert clean_answer(Q.item("used"), []) is None
    with pytest.raises(AnswerError) as info:
        clean_answer(Q.item("nps"), 11)
    assert info.value.code is Message.ANSWER_OUT_OF_RANGE
    with pytest.raises(AnswerError):
        clean_answer(Q.item("want"), True)
