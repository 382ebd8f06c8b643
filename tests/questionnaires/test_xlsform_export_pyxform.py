"""Every exported questionnaire converts with pyxform (the reference XLSForm converter) and a
required item allowing "no answer" offers its no-answer codes to an ODK/Kobo respondent."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET

import pytest

import questionnaires as qn

xls2xform = pytest.importorskip("pyxform.xls2xform")

BUILTINS = qn.load_builtins()
XF = "{http://www.w3.org/2002/xforms}"


def _xform(q: qn.Questionnaire, tmp_path) -> ET.Element:
    path = tmp_path / f"{q.code}.xlsx"
    path.write_bytes(qn.to_xlsform(q))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's notes while pyxform reads
        result = xls2xform.convert(xlsform=str(path), validate=False)
    assert result.warnings == []
    return ET.fromstring(result.xform)


def _choice_values(root: ET.Element, code: str) -> list[str]:
    """The values a respondent can pick for question ``code``: inline items or its itemset."""
    control = next(e for e in root.iter() if e.get("ref", "").endswith(f"/{code}"))
    inline = [v.text for v in control.findall(f"{XF}item/{XF}value")]
    if inline:
        return inline
    nodeset = control.find(f"{XF}itemset").get("nodeset")  # instance('name')/root/item[...]
    name = nodeset.split("'")[1]
    instance = next(e for e in root.iter(f"{XF}instance") if e.get("id") == name)
    return [item.find(f"{XF}name").text for item in instance.iter(f"{XF}item")]


@pytest.mark.parametrize("code", sorted(BUILTINS))
def test_every_builtin_export_converts_with_pyxform(code, tmp_path):
    q = BUILTINS[code]
    root = _xform(q, tmp_path)
    for item in q.items:
        if item.type in ("likert5", "rating3", "expectation4", "nps", "yes_no",
                         "single_choice", "multi_choice"):
            values = _choice_values(root, item.code)
            expected = [str(v) for v, _ in qn.get_type(item.type).value_labels(item)]
            assert values == expected + [str(c) for c in item.missing_codes
                                         if str(c) not in expected]
    assert qn.from_xlsform(qn.to_xlsform(q), f"{code}.xlsx") == q


def test_a_section_named_like_an_item_gets_a_distinct_group_name(tmp_path):
    q = BUILTINS["dossier_rating"]
    assert "rating" in {s.code for s in q.sections} and "rating" in {i.code for i in q.items}
    _xform(q, tmp_path)  # pyxform: "the name 'rating' appears more than once" before
    assert [s.code for s in qn.from_xlsform(qn.to_xlsform(q)).sections] == \
        [s.code for s in q.sections]
