"""Service areas checked against the codes the caller knows (the pure library has no database):
refused at their place in YAML (line, column) and XLSForm (settings row, column)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

import questionnaires as qn

TEXT = """\
code: a
kind: survey
title: A
service_areas: [land, lnad, 7]
sections:
  - code: s
    title: S
    items:
      - {code: q1, type: likert5, label: Hài lòng, overall: true}
"""
KNOWN = frozenset({"land", "id_card"})


def test_unknown_yaml_areas_are_refused_at_line_and_column_with_a_suggestion() -> None:
    with pytest.raises(qn.DefinitionError) as error:
        qn.load_text(TEXT, "a.yaml", service_areas=KNOWN)
    problems = error.value.problems
    unknown = [p for p in problems if p.code is qn.Message.UNKNOWN_SERVICE_AREA]
    assert [(p.file, p.line, p.column) for p in unknown] == [("a.yaml", 4, 23)]
    assert unknown[0].message() == (
        "unknown service area 'lnad' (known: id_card, land); an administrator adds areas "
        "under Administration › Service areas (did you mean 'land'?)")
    assert unknown[0].message("vi").startswith("lĩnh vực dịch vụ không tồn tại 'lnad'")
    # the number is not a code at all: the builder's own message, at its own place
    assert [(p.code, p.column) for p in problems if p is not unknown[0]] == [
        (qn.Message.WRONG_TYPE, 29)]


def test_areas_are_not_checked_without_known_codes_and_pass_when_known() -> None:
    text = TEXT.replace(", lnad, 7", "")
    assert qn.load_text(text).service_areas == ("land",)
    assert qn.load_text(text, service_areas=KNOWN).service_areas == ("land",)
    assert qn.from_dict(qn.to_dict(qn.load_text(text)), service_areas=KNOWN).code == "a"
    with pytest.raises(qn.DefinitionError):
        qn.from_dict(qn.to_dict(qn.load_text(text)), service_areas=frozenset())


def test_unknown_xlsform_areas_are_refused_at_their_settings_cell() -> None:
    data = qn.to_xlsform(qn.load_text(TEXT.replace(", lnad, 7", ", id_card")))
    assert qn.from_xlsform(data, "f.xlsx", service_areas=KNOWN).service_areas == (
        "land", "id_card")
    book = load_workbook(io.BytesIO(data))
    header = [c.value for c in book["settings"][1]]
    book["settings"].cell(row=2, column=header.index("hailong::service_areas") + 1,
                          value="land cadastre")
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(qn.XlsformError) as error:
        qn.from_xlsform(out.getvalue(), "f.xlsx", service_areas=KNOWN)
    assert [str(p) for p in error.value.problems] == [
        "settings, row 2, column G (hailong::service_areas): unknown service area 'cadastre' "
        "(known: id_card, land); an administrator adds areas under Administration › Service "
        "areas"]
    assert qn.from_xlsform(out.getvalue(), "f.xlsx").service_areas == ("land", "cadastre")
