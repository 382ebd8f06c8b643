"""XLSForm import of forms as Kobo and ODK authors write them: each case stated inline."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
import xlrd
from openpyxl import Workbook

import questionnaires as qn

CORPUS = Path(__file__).parent / "corpus"


def book(survey, choices=None, settings=None, names=("survey", "choices", "settings")) -> bytes:
    """A workbook of the given sheets (lists of rows, the header first); None: no sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in zip(names, (survey, choices, settings), strict=True):
        if rows is not None:
            sheet = workbook.create_sheet(name)
            for row in rows:
                sheet.append(list(row))
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def imported(data: bytes, filename: str = "form.xlsx") -> qn.XlsImport:
    return qn.import_xlsform(data, filename)


def warned(result: qn.XlsImport) -> list[str]:
    return [str(w) for w in result.warnings]


def errors(data: bytes, filename: str = "form.xlsx") -> list[str]:
    with pytest.raises(qn.XlsformError) as caught:
        qn.import_xlsform(data, filename)
    return [str(p) for p in caught.value.problems]


SETTINGS = [("form_id", "form_title"), ("kobo_form", "Kobo form")]
YN = [("list_name", "name", "label::English (en)"), ("yn", "yes", "Yes"), ("yn", "no", "No")]


@pytest.mark.parametrize("header", ["label::English (en)", "label::English", "Label::english",
                                    "label:english", "LABEL::English (EN)"])
def test_every_spelling_of_an_english_label_column_is_english(header):
    result = imported(book([("type", "name", header), ("text", "q", "Your name?")],
                           None, SETTINGS))
    item = result.questionnaire.item("q")
    assert item.label == qn.Text("Your name?", "Your name?")
    assert warned(result) == [
        f"survey, row 1, column C ({header}): no Vietnamese texts: the "
        f"{header.split(':')[-1].split(' (')[0]} texts of this column are used for them"]


def test_vietnamese_and_english_columns_fill_both_languages():
    q = imported(book([("TYPE", "Name", "label::Vietnamese (vi)", "label::English (en)",
                        "hint::English (en)", "hint::Vietnamese (vi)"),
                       ("text", "q", "Tên?", "Name?", "In full", "Đầy đủ")],
                      None, SETTINGS, names=("SURVEY", "Choices", "Settings"))).questionnaire
    assert q.item("q").label == qn.Text("Tên?", "Name?")
    assert q.item("q").help == qn.Text("Đầy đủ", "In full")


def test_a_plain_label_is_the_default_language_not_silently_vietnamese():
    settings = [("form_id", "form_title", "default_language"), ("f", "F", "English (en)")]
    result = imported(book([("type", "name", "label", "label::Vietnamese (vi)"),
                            ("text", "q", "Name?", "Tên?")], None, settings))
    assert result.questionnaire.item("q").label == qn.Text("Tên?", "Name?")
    assert warned(result) == []
    result = imported(book([("type", "name", "label"), ("text", "q", "Name?")], None, SETTINGS))
    assert warned(result) == ["survey, row 1, column C (label): no Vietnamese texts: the "
                              "(no language) texts of this column are used for them"]


def test_other_languages_are_dropped_with_a_warning_naming_the_column():
    result = imported(book([("type", "name", "label::English (en)", "label::Swahili (sw)",
                             "constraint_message::English (en)"),
                            ("integer", "q", "Age?", "Umri?", "Too old")], None, SETTINGS))
    assert result.questionnaire.item("q").label.en == "Age?"
    assert warned(result) == [
        "survey, row 1, column C (label::English (en)): no Vietnamese texts: the English texts "
        "of this column are used for them",
        "survey, row 1, column D (label::Swahili (sw)): the Swahili texts are not kept: "
        "questionnaires hold Vietnamese and English",
        "survey, row 2, column E (constraint_message::English (en)): column 'E "
        "(constraint_message::English (en))' is not imported (no equivalent here)"]


KOBO = [("type", "name", "label::English (en)", "relevant", "appearance", "kobo--locking-profile"),
        ("start", "start", "", "", "", ""), ("end", "end", "", "", "", ""),
        ("today", "today", "", "", "", ""), ("deviceid", "deviceid", "", "", "", ""),
        ("username", "username", "", "", "", ""), ("audit", "audit", "", "", "", ""),
        ("note", "welcome", "Welcome!", "", "", ""),
        ("select_one yn", "consent", "Do you agree?", "", "", ""),
        ("begin_group", "main", "Main", "${consent} = 'yes'", "field-list", ""),
        ("integer", "age", "Age?", "", "", "lock"),
        ("date", "born", "Born?", "", "", ""),
        ("decimal", "income", "Income?", "", "", ""),
        ("calculate", "double", "", "", "", ""),
        ("note", "thanks", "Thanks", "", "", ""),
        ("begin_repeat", "kids", "Kids", "", "", ""),
        ("text", "kid", "Name?", "", "", ""),
        ("end_repeat", "", "", "", "", ""),
        ("range", "score", "Score?", "", "", ""),
        ("end_group", "", "", "", "", ""),
        ("text", "after", "After?", "", "", "")]


def test_a_kobo_form_imports_with_a_located_warning_for_each_thing_not_carried_over():
    result = imported(book(KOBO, YN, SETTINGS))
    q = result.questionnaire
    assert [i.code for i in q.items] == ["consent", "age", "score", "after"]
    assert q.intro == qn.Text("Welcome!", "Welcome!")
    gate = qn.Condition("equals", "consent", "yes")
    assert q.item("age").show_if == gate and q.item("score").show_if == gate  # group relevant
    assert q.item("after").show_if is None
    assert (q.item("score").min, q.item("score").max) == (0, 10)  # pyxform's range defaults
    # items outside a group get a section of their own; codes stay unique
    assert [s.code for s in q.sections] == ["main", "main_2", "main_3"]
    codes = [(w.sheet, w.row, w.code) for w in result.warnings]
    assert [c for c in codes if c[2] == "xls_metadata_skipped"] == [
        ("survey", row, "xls_metadata_skipped") for row in range(2, 8)]
    assert ("survey", 12, "xls_type_skipped") in codes  # date
    assert ("survey", 13, "xls_type_skipped") in codes  # decimal
    assert ("survey", 14, "xls_type_skipped") in codes  # calculate
    assert ("survey", 15, "xls_note_skipped") in codes
    assert ("survey", 17, "xls_in_repeat") in codes
    assert ("survey", 10, "xls_column_not_kept") in codes  # appearance
    assert ("survey", 11, "xls_column_not_kept") in codes  # kobo--locking-profile
    with pytest.raises(qn.XlsformError) as caught:
        qn.import_xlsform(book(KOBO, YN, SETTINGS), "form.xlsx", strict=True)
    assert caught.value.problems == result.warnings


def test_an_item_depending_on_a_skipped_one_is_skipped_not_always_shown():
    result = imported(book([("type", "name", "label", "relevant"),
                            ("calculate", "total", "", ""),
                            ("integer", "a", "A", "${total} > 3"),
                            ("integer", "b", "B", "")], None, SETTINGS))
    assert [i.code for i in result.questionnaire.items] == ["b"]
    assert "survey, row 3, column D (relevant): shown only depending on 'total', which is " \
        "not imported: skipped" in warned(result)


def test_numeric_choice_codes_are_accepted():
    choices = [("list_name", "name", "label"), ("agree", "1", "Disagree"), ("agree", "2", "Agree"),
               ("agree", "-99", "Refused"), ("year", "2022", "2022"), ("year", "2023", "2023")]
    q = imported(book([("type", "name", "label"), ("select_one agree", "a", "A?"),
                       ("select_multiple year", "y", "Y?")], choices, SETTINGS)).questionnaire
    assert q.item("a").choice_codes == ("1", "2", "-99")
    assert q.item("y").choice_codes == ("2022", "2023")


def test_a_kobo_yes_no_list_does_not_clash_with_our_scale():
    choices = [("list_name", "name", "label"), ("yes_no", "yes", "Yes"), ("yes_no", "no", "No")]
    result = imported(book([("type", "name", "label"), ("select_one yes_no", "q", "Q?")],
                           choices, SETTINGS))
    item = result.questionnaire.item("q")
    assert (item.type, item.choice_codes) == ("single_choice", ("yes", "no"))
    assert "survey, row 2, column A (type): list 'yes_no' is not our yes_no scale (codes or " \
        "labels differ): kept as its own choices" in warned(result)


def test_a_legacy_xls_is_read():
    path = CORPUS / "text_and_integer.xls"
    sheet = xlrd.open_workbook(str(path)).sheet_by_name("survey")  # the independent reader
    names = [sheet.cell_value(r, 1) for r in range(1, sheet.nrows) if sheet.cell_value(r, 1)]
    q = imported(path.read_bytes(), path.name).questionnaire
    assert [i.code for i in q.items] == names


def test_a_form_without_a_choices_sheet_or_form_id():
    result = imported(book([("type", "name", "label"), ("text", "q", "Q?")]), "My Form 2.xlsx")
    assert result.questionnaire.code == "my_form_2"
    assert "settings, column form_id: no form_id: the code 'my_form_2' is used" in \
        warned(result)
    assert errors(book([("type", "name", "label"), ("select_one x", "q", "Q?")])) == [
        "survey, row 2, column A (type): choice list 'x' is not on the choices sheet"]


def test_an_item_after_end_group_is_blamed_on_its_row():
    data = book([("type", "name", "label", "relevant"), ("begin_group", "g", "G", ""),
                 ("text", "a", "A", ""), ("end_group", "", "", ""),
                 ("text", "b", "B", "${a} != '' and ${nope} = 'y'")], None, SETTINGS)
    assert errors(data) == ["survey, row 5: b: show_if refers to unknown item 'nope'"]
    data = book([("type", "name", "label"), ("begin_group", "g", "G"), ("end_group", "", ""),
                 ("end_group", "", ""), ("text", "b", "B")], None, SETTINGS)
    assert errors(data) == [
        "survey, row 4, column A (type): groups must be opened and closed in order, "
        "without nesting"]


def test_names_that_are_not_codes_are_renamed_and_references_follow():
    result = imported(book([("type", "name", "label", "relevant"),
                            ("integer", "Q1-Age", "Age?", ""),
                            ("text", "Q2", "Why?", "${Q1-Age} > 17")], None, SETTINGS))
    q = result.questionnaire
    assert [i.code for i in q.items] == ["q1_age", "q2"]
    assert q.item("q2").show_if == qn.Condition("greater", "q1_age", 17)
    assert "survey, row 2, column B (name): name 'Q1-Age' becomes the code 'q1_age'" in \
        warned(result)


def test_a_required_expression_is_warned_and_constraints_read():
    result = imported(book([("type", "name", "label", "required", "constraint"),
                            ("integer", "n", "N?", "${x} = 1", ". > 0 and . < 120")],
                           None, SETTINGS))
    item = result.questionnaire.item("n")
    assert (item.required, item.min, item.max) == (False, 1, 119)
    assert warned(result) == [
        "survey, row 1, column C (label): no Vietnamese texts: the (no language) texts of "
        "this column are used for them",
        "survey, row 2, column D (required): required '${x} = 1' is not yes or no: the item "
        "is optional"]


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.xls*"))[:3], ids=lambda p: p.name)
def test_validate_command_reads_xlsform_files(runner, path):
    result = runner.invoke(args=["questionnaire", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "ok (" in result.output and "FILE_NOT_UTF8" not in result.output


def test_validate_command_reads_the_products_own_export(runner, tmp_path):
    path = tmp_path / "dossier.xlsx"
    path.write_bytes(qn.to_xlsform(qn.load_builtins()["dossier_rating"]))
    result = runner.invoke(args=["questionnaire", "validate", str(path)])
    assert result.exit_code == 0 and f"{path}: ok (" in result.output
    bad = tmp_path / "bad.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0 not really")
    result = runner.invoke(args=["questionnaire", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: bad.xls: not a readable .xlsx or .xls workbook" in result.output


def test_validate_strict_refuses_a_form_with_warnings(runner):
    path = CORPUS / "yes_or_no_question.xlsx"
    assert runner.invoke(args=["questionnaire", "validate", str(path)]).exit_code == 0
    result = runner.invoke(args=["questionnaire", "validate", "--strict", str(path)])
    assert result.exit_code == 1
    assert "no Vietnamese texts" in result.output


def test_a_cascading_list_repeating_a_choice_keeps_it_once_and_or_other_keeps_other():
    choices = [("list_name", "name", "label", "state"), ("county", "king", "King", "wa"),
               ("county", "pierce", "Pierce", "wa"), ("county", "king", "King", "tx"),
               ("county", "cameron", "Cameron", "tx")]
    result = imported(book([("type", "name", "label", "choice_filter"),
                            ("select_one county or_other", "c", "County?", "state=${s}")],
                           choices, SETTINGS))
    assert result.questionnaire.item("c").choice_codes == ("king", "pierce", "cameron", "other")
    assert [str(w) for w in result.warnings if w.code in (
        "xls_choice_repeated", "xls_or_other")] == [
        "choices, row 4, column B (name): choice 'king' of list 'county' is listed again with "
        "the same label (a cascading list): kept once",
        "survey, row 2, column A (type): 'or_other': the choice 'other' is kept, its text box "
        "is not collected"]
    choices[3] = ("county", "king", "King County", "tx")  # same code, another meaning
    assert errors(book([("type", "name", "label"), ("select_one county", "c", "County?")],
                       choices, SETTINGS)) == [
        "survey, row 2: c: choice code 'king' used twice"]


def test_settings_and_sheets_not_carried_over_are_warned():
    settings = [("form_id", "form_title", "version", "instance_name"),
                ("f", "F", "2024-01", "concat('x', ${q})")]
    data = book([("type", "name", "label::Vietnamese (vi)"), ("text", "q", "Q?")],
                [("list_name", "name")], settings, names=("survey", "external_choices", "Settings"))
    assert warned(imported(data)) == [
        "external_choices: the sheet 'external_choices' is not imported",
        "Settings, row 2, column C (version): column 'C (version)' is not imported "
        "(no equivalent here)",
        "Settings, row 2, column D (instance_name): column 'D (instance_name)' is not imported "
        "(no equivalent here)"]


def test_a_one_choice_select_is_skipped_and_a_lone_sheet_is_the_survey():
    data = book([("type", "name", "label"), ("select_one ok", "agree", "I agree"),
                 ("text", "q", "Q?", )], [("list_name", "name", "label"), ("ok", "yes", "Yes")],
                SETTINGS)
    result = imported(data)
    assert [i.code for i in result.questionnaire.items] == ["q"]
    assert "survey, row 2, column A (type): list 'ok' has fewer than two choices: the row is " \
        "skipped" in warned(result)
    lone = book([("type", "name", "label"), ("text", "q", "Q?")], names=("Sheet1", "x", "y"))
    assert warned(imported(lone))[0] == \
        "Sheet1: no 'survey' sheet: the only sheet, 'Sheet1', is read as the survey"


def test_an_xls_is_read_within_the_same_limits_as_an_xlsx(monkeypatch):
    from dataclasses import replace

    from questionnaires import spreadsheet_limits as limits

    monkeypatch.setattr(limits, "FORM_LIMITS", replace(limits.FORM_LIMITS, rows=5))
    assert errors((CORPUS / "widgets.xls").read_bytes(), "widgets.xls") == [
        "survey, row 6: more than 5 rows"]


def test_a_group_whose_condition_cannot_be_mapped_skips_its_items_never_shows_them():
    result = imported(book([("type", "name", "label", "relevant"),
                            ("integer", "age", "Age?", ""),
                            ("begin_group", "adult", "Adults", "${age} + 1 > 18"),
                            ("text", "job", "Job?", ""),
                            ("end_group", "", "", ""),
                            ("text", "end", "Anything else?", "")], None, SETTINGS))
    assert [i.code for i in result.questionnaire.items] == ["age", "end"]
    assert warned(result)[1:] == [
        "survey, row 3, column D (relevant): cannot carry over the group's condition (cannot "
        "read '+ 1 > 18'): its items are skipped rather than always shown",
        "survey, row 4: inside group 'adult' (row 3), whose condition is not carried over: "
        "skipped",
        "survey, row 3, column A (type): group 'adult' has no item that can be imported: "
        "dropped"]


def test_cli_import_lists_what_was_not_carried_over(runner):
    path = CORPUS / "yes_or_no_question.xlsx"
    result = runner.invoke(args=["questionnaire", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "yes_or_no_question.xlsx: warning: settings, column form_id: no form_id: the code " \
        "'yes_or_no_question' is used" in result.output


def test_a_text_showing_an_earlier_answer_is_warned_and_shown_with_an_ellipsis():
    result = imported(book([("type", "name", "label::Vietnamese (vi)"),
                            ("text", "name", "Tên?"), ("integer", "age", "${name} mấy tuổi?")],
                           None, SETTINGS))
    assert result.questionnaire.item("age").label == qn.Text("… mấy tuổi?")
    assert warned(result) == [
        "survey, row 3, column C (label::Vietnamese (vi)): the text shows the answer to 'name', "
        "which is not filled in here: '…' is shown"]


def test_a_row_without_its_vietnamese_text_uses_its_english_one():
    result = imported(book([("type", "name", "label::Vietnamese (vi)", "label::English (en)"),
                            ("text", "a", "Tên?", "Name?"), ("text", "b", "", "Job?")],
                           None, SETTINGS))
    assert result.questionnaire.item("b").label == qn.Text("Job?", "Job?")
    assert warned(result) == ["survey, row 3, column C (label::Vietnamese (vi)): no Vietnamese "
                              "text in this row: the English text is used"]


def test_a_name_used_in_two_groups_is_renamed_and_a_reference_to_it_is_unclear():
    result = imported(book([("type", "name", "label", "relevant"),
                            ("begin_group", "mother", "Mother", ""), ("integer", "age", "Age?", ""),
                            ("end_group", "", "", ""),
                            ("begin_group", "father", "Father", ""), ("integer", "age", "Age?", ""),
                            ("end_group", "", "", ""),
                            ("text", "why", "Why?", "${age} > 60")], None, SETTINGS))
    assert [i.code for i in result.questionnaire.items] == ["age", "age_2"]
    assert warned(result)[1:] == [
        "survey, row 6, column B (name): name 'age' is already used on row 3: this item "
        "becomes 'age_2'",
        "survey, row 8, column D (relevant): cannot map the condition ('age' names two items):"
        " skipped rather than always shown"]


def test_choice_codes_in_any_script_but_never_a_space_or_quote():
    choices = [("list_name", "name", "label"), ("h", ">150", "Over 150"), ("h", "père", "Père"),
               ("h", "ChưR'căm", "x")]
    assert errors(book([("type", "name", "label"), ("select_one h", "q", "Q?")], choices,
                       SETTINGS)) == [
        "survey, row 2: q: 'ChưR'căm' is not a valid choice code (a number, or a name without "
        "spaces or quotes)"]
    q = imported(book([("type", "name", "label"), ("select_one h", "q", "Q?")], choices[:3],
                      SETTINGS)).questionnaire
    assert q.item("q").choice_codes == (">150", "père")


def test_a_damaged_xls_whose_sectors_loop_is_refused_at_once():
    import time

    data = (Path(__file__).parent / "damaged" / "sector_loop.xls").read_bytes()
    started = time.monotonic()
    assert errors(data, "loop.xls") == ["loop.xls: not a readable .xlsx or .xls workbook"]
    assert time.monotonic() - started < 5  # xlrd alone never returns


@pytest.mark.parametrize("offset", [0x1E, 0x2C, 0x30, 0x44])
def test_a_damaged_xlsx_zip_header_is_refused_not_a_crash(offset):
    data = bytearray((CORPUS / "yes_or_no_question.xlsx").read_bytes())
    end = data.rfind(b"PK\x05\x06")  # the zip's central directory: its version, offsets...
    start = data.find(b"PK\x01\x02")
    for place in (start + 4, start + 6, end + 16, start + offset):
        data[place] = 0xE7
    with pytest.raises(qn.XlsformError):
        qn.import_xlsform(bytes(data), "bad.xlsx")
