"""XLSForm (ODK / KoboToolbox): export a questionnaire, and import forms as people write them.

``to_xlsform(q) -> bytes`` writes the ``survey``, ``choices`` and ``settings`` sheets with
``label::Vietnamese (vi)`` / ``label::English (en)`` columns; sections become groups (renamed
when an item has the same name, pyxform needing unique names, the code kept in
``hailong::section``), our rating scales become ``select_one`` lists named after the type
(``likert5``, ``rating3``, ``expectation4``, ``nps``, ``yes_no``; ``likert5_97_98_99`` when the
item allows "no answer", those codes then being choices) with our codes, and what XLSForm has
no column for (SIPAS element, overall item, demographic, the allowed missing codes) goes in
``hailong::*`` columns.

``import_xlsform(data, filename) -> XlsImport`` reads such a file or any Kobo/ODK form, .xlsx
or .xls (``xlsform_read``, ``xlsform_items``): what the product cannot collect is skipped with
a warning at its sheet, row and column; errors (``XlsformError``) refuse the whole file.
Nothing is returned partly. ``from_xlsform(to_xlsform(q)) == q``.
"""

from __future__ import annotations

from collections.abc import Collection
from io import BytesIO

from openpyxl import Workbook

from .export import to_dict
from .model import MISSING_CODES, Questionnaire
from .types import MISSING_LABELS, TYPES
from .xlsform_read import XlsformError, XlsImport, XlsProblem, read_workbook
from .xlsform_relevant import to_relevant

__all__ = ["SCALE_LISTS", "XlsImport", "XlsProblem", "XlsformError", "from_xlsform",
           "import_xlsform", "to_xlsform"]

VI, EN = "Vietnamese (vi)", "English (en)"
SCALE_LISTS = ("likert5", "rating3", "expectation4", "nps", "yes_no")
SURVEY_COLUMNS = ("type", "name", f"label::{VI}", f"label::{EN}", f"hint::{VI}", f"hint::{EN}",
                  "required", "relevant", "constraint", "hailong::element", "hailong::overall",
                  "hailong::demographic", "hailong::respondent_type", "hailong::no_answer",
                  "hailong::section")
CHOICE_COLUMNS = ("list_name", "name", f"label::{VI}", f"label::{EN}")
SETTINGS_COLUMNS = ("form_id", "form_title", "hailong::form_title_en", "hailong::kind",
                    f"hailong::intro::{VI}", f"hailong::intro::{EN}", "hailong::service_areas",
                    "default_language")


def _texts(text: dict | None) -> tuple[str, str]:
    return ((text or {}).get("vi", ""), (text or {}).get("en", "")) if text else ("", "")


def _missing(item: dict) -> tuple[int, ...]:
    value = item.get("no_answer")
    return MISSING_CODES if value is True else tuple(value or ())


def _scale_list(item: dict) -> str:
    """Our scale's list, with the item's no-answer codes as choices (``likert5_97_98_99``):
    an ODK/Kobo respondent of a required item can then still answer "no answer"."""
    return item["type"] + "".join(f"_{code}" for code in _missing(item))


def _xls_type(item: dict) -> str:
    kind = item["type"]
    if kind in SCALE_LISTS:
        return f"select_one {_scale_list(item)}"
    if kind in ("single_choice", "multi_choice"):
        verb = "select_one" if kind == "single_choice" else "select_multiple"
        return f"{verb} {item['code']}"
    return {"number": "integer", "text": "text"}[kind]


def _constraint(item: dict) -> str:
    if item["type"] == "text" and "max_length" in item:
        return f"string-length(.) <= {item['max_length']}"
    parts = []
    if "min" in item:
        parts.append(f". >= {item['min']}")
    if "max" in item:
        parts.append(f". <= {item['max']}")
    codes = _missing(item) if item["type"] == "number" else ()
    if parts and codes:  # the no-answer codes lie outside the range: allow them too
        return f"({' and '.join(parts)})" + "".join(f" or . = {code}" for code in codes)
    return " and ".join(parts)


def _no_answer(value: object) -> str:
    codes = MISSING_CODES if value is True else (value or ())
    return " ".join(str(c) for c in codes)  # type: ignore[union-attr]


def _survey_row(item: dict, info) -> list[object]:
    return [
        _xls_type(item), item["code"], *_texts(item["label"]), *_texts(item.get("help")),
        "yes" if item.get("required") else "",
        to_relevant(item["show_if"], info) if "show_if" in item else "",
        _constraint(item), item.get("element", ""), "yes" if item.get("overall") else "",
        item.get("demographic", ""), "yes" if item.get("respondent_type") else "",
        _no_answer(item.get("no_answer")),
    ]


def _free(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    return candidate


def _missing_choices(sheet, list_name: str, codes: tuple[int, ...]) -> None:
    for code in codes:
        label = MISSING_LABELS[code]
        sheet.append([list_name, str(code), label.vi, label.en or ""])


def to_xlsform(q: Questionnaire) -> bytes:
    """The questionnaire as an XLSForm workbook (bytes of an .xlsx file)."""
    data = to_dict(q)

    def info(code: str) -> tuple[str, bool] | None:
        item = q.item(code) if code in {i.code for i in q.items} else None
        if item is None:
            return None
        return TYPES[item.type].storage, item.type == "multi_choice"

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(SURVEY_COLUMNS)
    choices = book.create_sheet("choices")
    choices.append(CHOICE_COLUMNS)
    used_scales: dict[str, dict] = {}
    item_codes = {item.code for item in q.items}
    for section in data["sections"]:  # type: ignore[union-attr]
        # XLSForm names are unique across groups and questions (pyxform refuses otherwise)
        name = section["code"] if section["code"] not in item_codes else \
            _free(f"{section['code']}_section", item_codes)
        survey.append(["begin_group", name, *_texts(section["title"]),
                       *[""] * (len(SURVEY_COLUMNS) - 5),
                       section["code"] if name != section["code"] else ""])
        for item in section.get("items", []):
            survey.append(_survey_row(item, info))
            if item["type"] in SCALE_LISTS:
                used_scales.setdefault(_scale_list(item), item)
            for choice in item.get("choices", []):
                choices.append([item["code"], choice["code"], *_texts(choice["label"])])
            if item["type"] in ("single_choice", "multi_choice"):
                _missing_choices(choices, item["code"], _missing(item))
        survey.append(["end_group", name])
    for list_name, item in used_scales.items():
        for value, label in TYPES[item["type"]].value_labels(None):  # type: ignore[arg-type]
            choices.append([list_name, str(value), label.vi, label.en or ""])
        _missing_choices(choices, list_name, _missing(item))
    settings = book.create_sheet("settings")
    settings.append(SETTINGS_COLUMNS)
    settings.append([q.code, q.title.vi, q.title.en or "", q.kind,
                     *_texts(data.get("intro")),  # type: ignore[arg-type]
                     " ".join(q.service_areas), VI])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def import_xlsform(data: bytes, filename: str = "form.xlsx",
                   service_areas: Collection[str] | None = None,
                   strict: bool = False) -> XlsImport:
    """The questionnaire in an XLSForm (.xlsx or .xls) and the warnings of what was not
    carried over (each at its sheet, row and column); XlsformError lists every error.

    ``strict`` (for CI): a warning refuses the file too. ``service_areas``: the area codes
    the caller knows; others are refused at their cell.
    """
    return read_workbook(data, filename, service_areas, strict)


def from_xlsform(data: bytes, filename: str = "form.xlsx",
                 service_areas: Collection[str] | None = None) -> Questionnaire:
    """The questionnaire in an XLSForm workbook (lenient); XlsformError lists every error."""
    return import_xlsform(data, filename, service_areas).questionnaire
