"""Each broken definition is stated inline with the exact error code, line and item."""

from __future__ import annotations

import pytest
from qn_helpers import HEAD, check, located

from questionnaires import DefinitionError, Message, check_file, load_text

CASES = {
    "unknown type": ("      - {code: q2, type: likert7, label: Hai}\n",
                     ("UNKNOWN_TYPE", 9, "q2")),
    "duplicate item code": ("      - {code: q1, type: text, label: Hai}\n",
                            ("DUPLICATE_ITEM_CODE", 9, "q1")),
    "choice code twice": (
        "      - code: q2\n"
        "        type: single_choice\n"
        "        label: Hai\n"
        "        choices:\n"
        "          - {code: a, label: A}\n"
        "          - {code: a, label: B}\n",
        ("DUPLICATE_CHOICE_CODE", 14, "q2")),
    "show_if unknown item": (
        "      - {code: q2, type: text, label: Hai, show_if: {item: q9, equals: 1}}\n",
        ("SHOW_IF_UNKNOWN_ITEM", 9, "q2")),
    "show_if later item": (
        "      - {code: q2, type: text, label: Hai, show_if: {item: q3, answered: true}}\n"
        "      - {code: q3, type: text, label: Ba}\n",
        ("SHOW_IF_LATER_ITEM", 9, "q2")),
    "show_if itself": (
        "      - {code: q2, type: text, label: Hai, show_if: {item: q2, answered: true}}\n",
        ("SHOW_IF_LATER_ITEM", 9, "q2")),
    "impossible value": (
        "      - {code: q2, type: text, label: Hai, show_if: {item: q1, equals: 6}}\n",
        ("SHOW_IF_IMPOSSIBLE_VALUE", 9, "q2")),
    "impossible choice": (
        "      - {code: q2, type: single_choice, label: Hai, choices: [{code: a, label: A},"
        " {code: b, label: B}]}\n"
        "      - {code: q3, type: text, label: Ba, show_if: {item: q2, in: [a, c]}}\n",
        ("SHOW_IF_IMPOSSIBLE_VALUE", 10, "q3")),
    "impossible less": (
        "      - {code: q2, type: text, label: Hai, show_if: {item: q1, less: 1}}\n",
        ("SHOW_IF_IMPOSSIBLE_VALUE", 9, "q2")),
    "operator not for type": (
        "      - {code: q2, type: text, label: Hai}\n"
        "      - {code: q3, type: text, label: Ba, show_if: {item: q2, equals: x}}\n",
        ("SHOW_IF_OPERATOR", 10, "q3")),
    "missing vi label": ("      - {code: q2, type: text, label: {en: Two}}\n",
                         ("MISSING_VI_LABEL", 9, "q2")),
    "empty vi label": ("      - {code: q2, type: text, label: ''}\n",
                       ("MISSING_VI_LABEL", 9, "q2")),
    "no label": ("      - {code: q2, type: text}\n", ("MISSING_KEY", 9, "q2")),
    "min > max": ("      - {code: q2, type: number, label: Hai, min: 5, max: 1}\n",
                  ("MIN_GREATER_THAN_MAX", 9, "q2")),
    "unknown key": ("      - {code: q2, type: text, lable: Hai, label: Hai}\n",
                    ("UNKNOWN_KEY", 9, "q2")),
    "wrong value type": ("      - {code: q2, type: text, label: Hai, required: 'yes'}\n",
                         ("WRONG_TYPE", 9, "q2")),
    "wrong type for min": ("      - {code: q2, type: number, label: Hai, min: low}\n",
                           ("WRONG_TYPE", 9, "q2")),
    "bad code": ("      - {code: Q-2, type: text, label: Hai}\n", ("BAD_CODE", 9, "Q-2")),
    "option not for type": ("      - {code: q2, type: likert5, label: Hai, max_length: 3}\n",
                            ("OPTION_NOT_FOR_TYPE", 9, "q2")),
    "too few choices": (
        "      - {code: q2, type: multi_choice, label: Hai, choices: [{code: a, label: A}]}\n",
        ("TOO_FEW_CHOICES", 9, "q2")),
    "element on text": ("      - {code: q2, type: text, label: Hai, element: B}\n",
                        ("NOT_A_SATISFACTION_ITEM", 9, "q2")),
    "unknown element": ("      - {code: q2, type: likert5, label: Hai, element: F}\n",
                        ("UNKNOWN_ELEMENT", 9, "q2")),
    "second overall": ("      - {code: q2, type: rating3, label: Hai, overall: true}\n",
                       ("SEVERAL_FLAGGED", 9, "q2")),
    "bad missing code": ("      - {code: q2, type: likert5, label: Hai, no_answer: [96]}\n",
                         ("BAD_MISSING_CODE", 9, "q2")),
    "max_length zero": ("      - {code: q2, type: text, label: Hai, max_length: 0}\n",
                        ("NOT_POSITIVE", 9, "q2")),
    "respondent type": (
        "      - {code: q2, type: single_choice, label: Hai, respondent_type: true,"
        " choices: [{code: a, label: A}, {code: b, label: B}]}\n",
        ("RESPONDENT_TYPE_CHOICES", 9, "q2")),
    "condition form": ("      - {code: q2, type: text, label: Hai, show_if: {item: q1}}\n",
                       ("SHOW_IF_FORM", 9, "q2")),
    "condition is a string": (
        "      - {code: q2, type: text, label: Hai, show_if: 'q1 == 1'}\n",
        ("SHOW_IF_FORM", 9, "q2")),
    "duplicate key": ("      - {code: q2, type: text, label: Hai, label: Ba}\n",
                      ("DUPLICATE_KEY", 9, None)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_definition_reports_code_line_and_item(name: str) -> None:
    extra, expected = CASES[name]
    report = check(HEAD + extra)
    assert expected in located(report), [str(p) for p in report.errors]


def test_each_error_names_file_line_column_and_has_both_languages() -> None:
    report = check(HEAD + "      - {code: q2, type: likert7, label: Hai}\n")
    [problem] = report.errors
    assert str(problem) == ("t.yaml:9:26: UNKNOWN_TYPE q2: unknown item type 'likert7'"
                            " (did you mean 'likert5'?)")
    assert problem.message("vi").startswith("kiểu câu hỏi không hợp lệ 'likert7'")


def test_unknown_key_suggests_the_closest_key() -> None:
    [problem] = check(HEAD + "      - {code: q2, type: text, label: Hai, requird: true}\n").errors
    assert (problem.code, problem.column) == (Message.UNKNOWN_KEY, 44)
    assert problem.message().endswith("(did you mean 'required'?)")


def test_questionnaire_level_errors() -> None:
    text = HEAD.replace("kind: survey", "kind: surveys").replace("code: t\n", "cod: t\n")
    assert located(check(text)) == [("UNKNOWN_KEY", 1, None), ("MISSING_KEY", 1, None),
                                    ("UNKNOWN_KIND", 2, None)]


def test_invalid_yaml_reports_yaml_line() -> None:
    report = check(HEAD + "      - {code: q2, type: text, label: [Hai}\n")
    [problem] = report.errors
    assert (problem.code, problem.line) == (Message.YAML_SYNTAX, 9)


def test_empty_and_non_mapping_files() -> None:
    assert located(check("")) == [("WRONG_TYPE", 1, None)]
    assert located(check("- a\n- b\n")) == [("WRONG_TYPE", 1, None)]


def test_definition_with_errors_is_never_loaded() -> None:
    text = HEAD + "      - {code: q2, type: likert7, label: Hai}\n"
    with pytest.raises(DefinitionError) as info:
        load_text(text, "t.yaml")
    assert [p.code for p in info.value.problems] == [Message.UNKNOWN_TYPE]
    assert "t.yaml:9:26" in str(info.value)


def test_warnings_are_apart_from_errors() -> None:
    text = HEAD + "      - {code: q2, type: text, label: Hai}\n  - {code: s2, title: Trống}\n"
    report = check(text)
    assert report.ok
    assert [(p.code.name, p.line, p.item) for p in report.warnings] == [
        ("EMPTY_SECTION", 10, None), ("MISSING_EN_LABEL", 9, "q2")]
    assert load_text(text).item("q2").label.en is None


def test_survey_without_overall_item_warns() -> None:
    report = check(HEAD.replace(", overall: true", ""))
    assert [p.code for p in report.warnings] == [Message.NO_OVERALL_ITEM]


def test_several_problems_are_reported_in_one_run() -> None:
    text = HEAD + ("      - {code: q2, type: likert7, label: Hai, show_if: {item: q9, equals: 1}}\n"
                   "      - {code: q1, type: number, min: 3, max: 2, label: Ba}\n")
    codes = {(p.code.name, p.item) for p in check(text).errors}
    assert codes == {("UNKNOWN_TYPE", "q2"), ("SHOW_IF_UNKNOWN_ITEM", "q2"),
                     ("MIN_GREATER_THAN_MAX", "q1"), ("DUPLICATE_ITEM_CODE", "q1")}


def test_missing_file_and_bad_encoding(tmp_path) -> None:
    assert [p.code for p in check_file(tmp_path / "none.yaml").errors] == [
        Message.FILE_NOT_FOUND]
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"code: t\ntitle: Th\xe9\n")
    [problem] = check_file(path).errors
    assert (problem.code, problem.line) == (Message.FILE_NOT_UTF8, 2)


def test_json_is_accepted() -> None:
    text = ('{"code": "j", "kind": "dossier_rating", "title": {"vi": "Đánh giá"},\n'
            ' "sections": [{"code": "s", "title": "Phần", "items": [\n'
            '   {"code": "r", "type": "rating3", "label": {"vi": "Mức độ", "en": "Level"}}]}]}\n')
    assert load_text(text, "j.json").item("r").type == "rating3"
