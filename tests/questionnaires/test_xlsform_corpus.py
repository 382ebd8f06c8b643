"""Real XLSForms written by other people (corpus/README.md) import, counted against pyxform.

Each file imports, possibly with warnings, or is refused for the reason named here. The items
imported are checked against pyxform's own reading: the questions it finds that the product
collects (integer, text, select one / all that apply, range; outside repeats; not
from a file), less those the
importer skipped with a warning saying why (a condition it cannot map or that depends on an
item not imported), less the text box pyxform adds for each ``or_other``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import questionnaires as qn

pyxform = pytest.importorskip("pyxform.xls2json")

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".xls", ".xlsx"))
COLLECTED = {"integer", "int", "text", "string", "select one", "select all that apply", "range"}
GENERATED = "reserved_name_for_field_list_labels"  # pyxform's own row for a table-list header
SKIPPED = {"xls_condition_skipped", "xls_depends_on_skipped", "xls_in_lost_group"}  # items
# genuinely outside what the product collects: refused, with the exact reason
REFUSED = {
    "tutorial.xls": ["survey: the questionnaire has no items"],  # all inside a repeat
    "gps.xls": ["survey: the questionnaire has no items"],  # one geopoint
}


def _from_file(question: dict) -> bool:
    """select_one_from_file: its choices live in a CSV/XML file the form does not carry."""
    return str(question.get("itemset", "")).endswith((".csv", ".xml", ".geojson"))


def _pyxform_count(path: Path) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's notes on extensions it drops
        form = pyxform.parse_file_to_json(str(path))

    def count(node: dict, in_repeat: bool) -> int:
        total = 0
        for child in node.get("children", []):
            kind = child.get("type")
            if kind in ("group", "repeat"):
                total += count(child, in_repeat or kind == "repeat")
            elif kind in COLLECTED and not in_repeat and not _from_file(child) \
                    and not child.get("name", "").startswith(GENERATED):
                total += 1
        return total

    return count(form, False)


def _import(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qn.import_xlsform(path.read_bytes(), path.name)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_corpus_form_imports_or_is_refused_for_its_named_reason(path):
    if path.name in REFUSED:
        with pytest.raises(qn.XlsformError) as caught:
            _import(path)
        assert [str(p) for p in caught.value.problems] == REFUSED[path.name]
        return
    result = _import(path)
    skipped = sum(w.code in SKIPPED for w in result.warnings)
    or_other = sum(w.code == "xls_or_other" for w in result.warnings)
    assert len(result.questionnaire.items) == _pyxform_count(path) - skipped - or_other
    for warning in result.warnings:  # every warning is located (a whole sheet by its name)
        assert warning.sheet and (warning.row is not None or warning.column
                                  or warning.code in ("xls_sheet_not_kept", "xls_lone_sheet"))


def test_share_of_the_corpus_that_imports(capsys):
    imported = 0
    for path in FILES:
        try:
            _import(path)
            imported += 1
        except qn.XlsformError:
            pass
    with capsys.disabled():
        print(f"\nXLSForm corpus: {imported} of {len(FILES)} real forms import")
    assert imported == len(FILES) - len(REFUSED)


@pytest.mark.parametrize("path", [p for p in FILES if p.name not in REFUSED],
                         ids=lambda p: p.name)
def test_every_imported_form_exports_for_pyxform_and_reimports_equal(path, tmp_path):
    from pyxform.xls2xform import convert

    q = _import(path).questionnaire
    exported = tmp_path / "export.xlsx"
    exported.write_bytes(qn.to_xlsform(q))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        convert(xlsform=str(exported), validate=False)  # raises on any error
    assert qn.from_xlsform(exported.read_bytes(), path.name) == q
