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


def test_unmappable_constructs_are_warnings_and_a_missing_list_an_error():
    rows = [HEADER, ("geopoint", "where", "Ở đâu", "", "", ""),
            ("integer", "age", "Tuổi", "", "${where} + 1 > 2", ""),
            ("text", "calc", "Tính", "", "", "1 + 1"),
            ("select_one nolist", "s", "Chọn", "", "", "")]
    assert _problems(_workbook(rows)) == [
        "survey, row 5, column A (type): choice list 'nolist' is not on the choices sheet"]
    result = qn.import_xlsform(_workbook(rows[:4]), "ok.xlsx")
    assert [i.code for i in result.questionnaire.items] == ["calc"]
    assert [str(w) for w in result.warnings] == [
        "survey, row 4, column F (calculation): column 'F (calculation)' is not imported "
        "(no equivalent here)",
        "survey, row 2, column A (type): type 'geopoint' has no equivalent here: the row is "
        "skipped",
        "survey, row 3, column E (relevant): shown only depending on 'where', which is not "
        "imported: skipped",
    ]
    with pytest.raises(qn.XlsformError) as caught:
        qn.import_xlsform(_workbook(rows[:4]), "ok.xlsx", strict=True)
    assert caught.value.problems == result.warnings


def test_validation_problems_point_at_the_item_row():
    data = _workbook([HEADER[:5], ("integer", "a", "Mã", "", ""),
                      ("integer", "ok", "", "", ""), ("integer", "b", "Lại", "", "${nope} = 1")])
    assert _problems(data) == ["survey, row 4: b: show_if refers to unknown item 'nope'"]
    result = qn.import_xlsform(_workbook([HEADER[:5], ("integer", "ok", "", "", "")]), "a.xlsx")
    assert result.questionnaire.item("ok").label == qn.Text("ok")
    assert [str(w) for w in result.warnings if w.code == "xls_label_from_name"] == [
        "survey, row 2, column label: no label: the name 'ok' is shown instead"]


def test_a_missing_survey_sheet_and_a_non_workbook_are_reported():
    book = Workbook()
    book.active.title = "choices"
    book.active.append(["list_name", "name"])
    out = BytesIO()
    book.save(out)
    assert _problems(out.getvalue()) == ["survey: the 'survey' sheet is missing"]
    assert _problems(b"not a zip") == ["bad.xlsx: not a readable .xlsx or .xls workbook"]


def test_a_list_named_like_our_scale_keeps_its_own_codes_and_labels():
    reversed_labels = [("likert5", str(n), label, "") for n, label in
                       zip(range(1, 6), ["Rất hài lòng", "Hài lòng", "Bình thường",
                                         "Không hài lòng", "Rất không hài lòng"], strict=True)]
    data = _workbook([HEADER[:5], ("select_one likert5", "q", "Hài lòng?", "", "")],
                     reversed_labels)
    result = qn.import_xlsform(data, "kobo.xlsx")
    item = result.questionnaire.item("q")
    assert item.type == "single_choice"  # never read as our scale, whose 5 is very satisfied
    assert [(c.code, c.label.vi) for c in item.choices] == [r[1:3] for r in reversed_labels]
    assert [w.code for w in result.warnings] == ["xls_scale_own_list"]
