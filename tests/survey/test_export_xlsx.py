"""XLSX export read back with openpyxl: rating columns are numbers (their no-answers the codes
97/98/99, documented on the method sheet), labels in the chosen language, and the file
imports back as the same answers (tests/dashboard/test_export_roundtrip.py)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from survey.services import exports
from survey.services.reporting import Scope
from tests.survey import export_data as data

RATINGS = ("a1_seating", "e1_gave_feedback", "x1_information")
NUMBERS = ("land_supplements", "land_trips")
WORDS = {97: "not_applicable", 98: "dont_know", 99: "refused"}


def write(tmp_path, lang="vi", stream="survey"):
    table = exports.export_table(Scope(stream=stream))
    out = tmp_path / f"out-{lang}.xlsx"
    exports.write("xlsx", table.columns, table.rows, out, lang, table.about)
    return out


def sheet_rows(sheet) -> list[list]:
    return [list(line) for line in sheet.iter_rows()]


@pytest.fixture
def built(ctx):
    data.build()
    yield


def test_rating_columns_are_numbers_and_equal_the_database(built, tmp_path):
    book = load_workbook(write(tmp_path))
    sheet = book.worksheets[0]
    lines = sheet_rows(sheet)
    header = [c.value for c in lines[0]]
    expected = data.stored()
    checked = 0
    for line in lines[1:]:
        cells = dict(zip(header, line, strict=True))
        answers = expected[cells["response_id"].value.replace("-", "")]
        for item in RATINGS:
            kind, value = answers[item]
            cell = cells[item]
            assert cell.data_type == "n" and isinstance(cell.value, int), (item, cell.value)
            assert cell.value == value  # the rating, or its no-answer code 97/98/99
            checked += 1
        for item in NUMBERS:  # 97 may be a real number: their no-answers stay words
            kind, value = answers[item]
            assert cells[item].value == (WORDS[value] if kind == "missing" else value)
        assert cells["version"].data_type == "n"
    assert checked == 36
    seating = header.index("a1_seating")
    assert {line[seating].value for line in lines[1:]} >= {97, 98, 99}


def test_the_method_sheet_documents_the_codes_and_the_stream(built, tmp_path):
    book = load_workbook(write(tmp_path))
    assert book.sheetnames == ["Phiếu trả lời", "Từ điển biến", "Phương pháp"]
    method = [[c for c in line if c is not None]
              for line in book["Phương pháp"].iter_rows(values_only=True)]
    assert [97, "Không áp dụng", "not_applicable"] in method
    assert [98, "Không biết", "dont_know"] in method
    assert [99, "Từ chối trả lời", "refused"] in method
    assert ["Dòng dữ liệu", "Khảo sát mẫu", "survey"] in method
    assert ["Số phiếu", 12] in method
    assert ["Năm", "mọi năm"] in method  # no year filter
    codebook = list(book["Từ điển biến"].iter_rows(values_only=True))
    assert codebook[0][:3] == ("Biến", "Nhãn", "Kiểu")
    sex = next(line for line in codebook if line[0] == "sex")
    assert sex[1] == "Giới tính" and sex[6] == "male = 1; female = 2; other = 3"


def test_labels_follow_the_chosen_language(built, tmp_path):
    vi = load_workbook(write(tmp_path, "vi"))
    en = load_workbook(write(tmp_path, "en"))
    assert en.sheetnames == ["Responses", "Codebook", "Method"]
    header_vi = {c.value: c.comment.text for c in vi.worksheets[0][1]}
    header_en = {c.value: c.comment.text for c in en.worksheets[0][1]}
    assert header_vi["sex"] == "Giới tính" and header_en["sex"] == "Sex"
    assert header_en["submitted_at"] == "Submitted at (UTC)"
    method = [line for line in en["Method"].iter_rows(values_only=True)]
    assert any(line[:3] == (98, "Don't know", "dont_know") for line in method)
    codebook = list(en["Codebook"].iter_rows(values_only=True))
    assert codebook[0][:3] == ("Variable", "Label", "Type")
