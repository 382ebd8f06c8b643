"""XLSForm export and import: round trips, the relevant mini-language, located errors."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

import questionnaires as qn
from questionnaires.xlsform_relevant import RelevantError, from_relevant, to_relevant

BUILTINS = qn.load_builtins()


@pytest.mark.parametrize("code", sorted(BUILTINS))
def test_every_builtin_round_trips(code):
    q = BUILTINS[code]
    back = qn.from_xlsform(qn.to_xlsform(q), f"{code}.xlsx")
    assert back == q
    assert qn.content_hash(back) == qn.content_hash(q)


def test_export_uses_the_standard_sheets_and_columns():
    book = load_workbook(BytesIO(qn.to_xlsform(BUILTINS["dossier_rating"])))
    assert book.sheetnames == ["survey", "choices", "settings"]
    header = [c.value for c in book["survey"][1]]
    assert "label::Vietnamese (vi)" in header and "label::English (en)" in header
    rows = [[c.value for c in row] for row in book["survey"].iter_rows(min_row=2)
            if not row[0].value.endswith("_group")]
    reason = next(r for r in rows if r[1] == "reason")
    assert reason[0] == "select_one reason"
    assert reason[header.index("relevant")] == "${rating} = 1"
    rating = next(r for r in rows if r[1] == "rating")
    assert rating[0] == "select_one rating3"
    assert rating[header.index("hailong::overall")] == "yes"
    choices = [[c.value for c in row] for row in book["choices"].iter_rows(min_row=2)]
    assert ["rating3", "3", "Rất hài lòng", "Very satisfied"] in choices


INFO = {"r": ("int", False), "c": ("text", False), "m": ("text", True), "n": ("int", False)}


@pytest.mark.parametrize(("text", "cond"), [
    ("${c} = 'x'", {"item": "c", "equals": "x"}),
    ("${c} != 'x'", {"item": "c", "not_equals": "x"}),
    ("${r} = '1'", {"item": "r", "equals": 1}),
    ("${n} > 3", {"item": "n", "greater": 3}),
    ("${n} >= 3", {"item": "n", "greater": 2}),
    ("${n} <= 3", {"item": "n", "less": 4}),
    ("selected(${m}, 'a')", {"item": "m", "equals": "a"}),
    ("not(selected(${m}, 'a'))", {"item": "m", "not_equals": "a"}),
    ("${c} != ''", {"item": "c", "answered": True}),
    ("${c} = 'a' or ${c} = 'b'", {"item": "c", "in": ["a", "b"]}),
    ("${r} = 1 and (${c} = 'a' or ${n} < 2)",
     {"all": [{"item": "r", "equals": 1},
              {"any": [{"item": "c", "equals": "a"}, {"item": "n", "less": 2}]}]}),
])
def test_simple_relevant_forms_are_read(text, cond):
    assert from_relevant(text, INFO.get) == cond


@pytest.mark.parametrize("cond", [
    {"item": "c", "not_in": ["a", "b"]},
    {"any": [{"item": "m", "equals": "a"}, {"all": [{"item": "n", "greater": 1},
                                                    {"item": "c", "answered": False}]}]},
])
def test_written_conditions_read_back(cond):
    assert from_relevant(to_relevant(cond, INFO.get), INFO.get) == cond


@pytest.mark.parametrize("text", ["${n} + 1 > 2", "count-selected(${m}) > 1", "${n} > 1.5",
                                  "${c} = 'a' and", "${c} < 'a'"])
def test_other_expressions_are_refused(text):
    with pytest.raises(RelevantError):
        from_relevant(text, INFO.get)


def _workbook(survey_rows, choices_rows=(), settings=("form_id", "form_title"),
              settings_row=("test_form", "Phiếu thử")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey_rows:
        sheet.append(list(row))
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Vietnamese (vi)", "label::English (en)"])
    for row in choices_rows:
        choices.append(list(row))
    meta = book.create_sheet("settings")
    meta.append(list(settings))
    meta.append(list(settings_row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ("type", "name", "label::Vietnamese (vi)", "label::English (en)", "relevant",
          "calculation")


def _problems(data: bytes) -> list[str]:
    with pytest.raises(qn.XlsformError) as caught:
        qn.from_xlsform(data, "bad.xlsx")
    return [str(p) for p in caught.value.problems]


def test_a_plain_kobo_form_is_imported():
    data = _workbook([HEADER, ("select_one yn", "q1", "Có con?", "Children?", "", ""),
                      ("integer", "q2", "Mấy con?", "", "${q1} = 'yes'", "")],
                     [("yn", "yes", "Có", "Yes"), ("yn", "no", "Không", "No")])
    q = qn.from_xlsform(data, "kobo.xlsx")
    assert q.code == "test_form" and [s.code for s in q.sections] == ["main"]
    assert q.item("q2").show_if == qn.Condition("equals", "q1", "yes")
    assert q.item("q1").choice_codes == ("yes", "no")


def test_unmappable_constructs_are_reported_by_sheet_row_and_column():
    data = _workbook([HEADER, ("geopoint", "where", "Ở đâu", "", "", ""),
                      ("integer", "age", "Tuổi", "", "${where} + 1 > 2", ""),
                      ("text", "calc", "Tính", "", "", "1 + 1"),
                      ("select_one nolist", "s", "Chọn", "", "", "")])
    assert _problems(data) == [
        "survey, row 4, column F (calculation): column 'calculation' cannot be imported",
        "survey, row 2, column A (type): type 'geopoint' is not supported",
        "survey, row 3, column E (relevant): cannot map the condition: cannot read '+ 1 > 2'",
        "survey, row 5, column A (type): choice list 'nolist' is not on the choices sheet",
    ]


def test_validation_problems_point_at_the_item_row():
    data = _workbook([HEADER[:5], ("integer", "Bad Code", "Mã sai", "", ""),
                      ("integer", "ok", "", "", "")])
    problems = _problems(data)
    assert problems[0].startswith("survey, row 2: Bad Code: ")
    assert any(p.startswith("survey, row 3: ok: the Vietnamese text of 'label'") for p in problems)


def test_a_missing_sheet_and_a_non_workbook_are_reported():
    book = Workbook()
    book.active.title = "survey"
    book.active.append(["type", "name"])
    out = BytesIO()
    book.save(out)
    assert _problems(out.getvalue()) == ["choices: the 'choices' sheet is missing"]
    assert _problems(b"not a zip") == ["bad.xlsx: not a readable .xlsx workbook"]


def test_a_scale_list_with_other_codes_is_refused():
    data = _workbook([HEADER[:5], ("select_one likert5", "q", "Hài lòng?", "", "")],
                     [("likert5", "a", "A", ""), ("likert5", "b", "B", "")])
    assert _problems(data) == [
        "choices, column list_name: list 'likert5' is our likert5 scale and must have the "
        "codes 1 2 3 4 5"]
