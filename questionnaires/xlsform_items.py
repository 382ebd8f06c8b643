"""The survey, choices and settings rows of an XLSForm turned into a plain definition dict."""

from __future__ import annotations

import re

from .model import MISSING_CODES
from .types import TYPES
from .xlsform_read import EN_COLS, VI_COLS, Reader, Sheet, _flag, _text
from .xlsform_relevant import RelevantError, from_relevant

SIMPLE_TYPES = {"integer": "number", "text": "text"}
SCALES = ("likert5", "rating3", "expectation4", "nps", "yes_no")
HINT_VI = ("hint::Vietnamese (vi)", "hint::vi", "hint")
HINT_EN = ("hint::English (en)", "hint::en")
NUMBER_BOUND = re.compile(r"^\.\s*(>=|<=)\s*(-?\d+)$")
TEXT_LENGTH = re.compile(r"^string-length\(\s*\.\s*\)\s*<=\s*(\d+)$")


def _lists(reader: Reader, choices: Sheet) -> dict[str, list[dict]]:
    lists: dict[str, list[dict]] = {}
    for _row, record in choices.rows:
        entry = {"code": record.get("name", ""), "label": _text(record, VI_COLS, EN_COLS)}
        lists.setdefault(record.get("list_name", ""), []).append(entry)
    return lists


def _settings(settings: Sheet | None) -> dict[str, str]:
    return settings.rows[0][1] if settings is not None and settings.rows else {}


def build_definition(reader: Reader, survey: Sheet, choices: Sheet, settings: Sheet | None
                     ) -> tuple[dict, dict[str, int]]:
    """(definition dict, survey row of each item code); problems go to ``reader``."""
    lists = _lists(reader, choices)
    head = _settings(settings)
    title = {"vi": head.get("form_title", ""), "en": head.get("hailong::form_title_en", "")}
    data: dict = {"code": head.get("form_id", ""), "kind": head.get("hailong::kind") or "survey",
                  "title": {k: v for k, v in title.items() if v or k == "vi"}}
    intro = {"vi": head.get("hailong::intro::Vietnamese (vi)", ""),
             "en": head.get("hailong::intro::English (en)", "")}
    if intro["vi"]:
        data["intro"] = {k: v for k, v in intro.items() if v}
    if head.get("hailong::service_areas"):
        data["service_areas"] = head["hailong::service_areas"].split()
    sections: list[dict] = []
    rows_by_item: dict[str, int] = {}
    types: dict[str, str] = {}
    current: dict | None = None
    for row, record in survey.rows:
        kind = "_".join(record.get("type", "").split())
        if kind == "begin_group":
            if current is not None and current.get("_group"):
                reader.add(survey, row, "type", "group")
            current = {"code": record.get("name", ""),
                       "title": _text(record, VI_COLS, EN_COLS), "items": [], "_group": True}
            sections.append(current)
            continue
        if kind == "end_group":
            if current is None or not current.get("_group"):
                reader.add(survey, row, "type", "group")
            current = None
            continue
        if current is None:  # items outside any group: one section titled like the form
            current = {"code": "main", "title": dict(data["title"]), "items": []}
            sections.append(current)
        item = _item(reader, survey, row, record, lists, types)
        if item is not None:
            rows_by_item[item["code"]] = row
            types[item["code"]] = item["type"]
            current["items"].append(item)
    for section in sections:
        section.pop("_group", None)
        if not section["items"]:
            del section["items"]
    data["sections"] = sections
    return data, rows_by_item


def _item(reader: Reader, sheet: Sheet, row: int, record: dict, lists: dict,
          types: dict[str, str]) -> dict | None:
    item: dict = {"code": record.get("name", "")}
    item["type"] = _type(reader, sheet, row, record, lists, item)
    if item["type"] is None:
        return None
    item["label"] = _text(record, VI_COLS, EN_COLS)
    help_text = _text(record, HINT_VI, HINT_EN)
    if help_text["vi"]:
        item["help"] = help_text
    for flag, column in (("required", "required"), ("overall", "hailong::overall"),
                         ("respondent_type", "hailong::respondent_type")):
        if _flag(reader, sheet, row, record, column):
            item[flag] = True
    if record.get("hailong::element"):
        item["element"] = record["hailong::element"]  # from_dict names a wrong letter
    if record.get("hailong::demographic"):
        item["demographic"] = record["hailong::demographic"]
    _no_answer(reader, sheet, row, record, item)
    _constraint(reader, sheet, row, record, item)
    if record.get("relevant"):
        def info(code: str) -> tuple[str, bool] | None:
            kind = TYPES.get(types.get(code, ""))
            return (kind.storage, kind.name == "multi_choice") if kind else None

        try:
            item["show_if"] = from_relevant(record["relevant"], info)
        except RelevantError as error:
            reader.add(sheet, row, "relevant", "relevant", detail=str(error))
    return item


def _type(reader: Reader, sheet: Sheet, row: int, record: dict, lists: dict,
          item: dict) -> str | None:
    words = record.get("type", "").split()
    if len(words) == 1 and words[0] in SIMPLE_TYPES:
        return SIMPLE_TYPES[words[0]]
    if len(words) == 2 and words[0] in ("select_one", "select_multiple"):
        name = words[1]
        if name not in lists:
            reader.add(sheet, row, "type", "unknown_list", value=name)
            return None
        if name in SCALES and words[0] == "select_one":
            return _scale(reader, name, lists[name])
        item["choices"] = lists[name]
        return "single_choice" if words[0] == "select_one" else "multi_choice"
    reader.add(sheet, row, "type", "unsupported_type", value=record.get("type", ""))
    return None


def _scale(reader: Reader, name: str, entries: list[dict]) -> str | None:
    expected = [str(v) for v, _ in TYPES[name].value_labels(None)]  # type: ignore[arg-type]
    if sorted(e["code"] for e in entries) != sorted(expected):
        reader.add("choices", None, "list_name", "scale_list", value=name,
                   codes=" ".join(expected))
        return None
    return name


def _no_answer(reader: Reader, sheet: Sheet, row: int, record: dict, item: dict) -> None:
    text = record.get("hailong::no_answer", "")
    if not text:
        return
    try:
        codes = sorted({int(c) for c in text.split()})
    except ValueError:
        codes = []
    if not codes or any(c not in MISSING_CODES for c in codes):
        reader.add(sheet, row, "hailong::no_answer", "no_answer", value=text)
        return
    item["no_answer"] = True if tuple(codes) == MISSING_CODES else codes


def _constraint(reader: Reader, sheet: Sheet, row: int, record: dict, item: dict) -> None:
    text = record.get("constraint", "")
    if not text:
        return
    if item["type"] == "text":
        match = TEXT_LENGTH.match(text)
        if match:
            item["max_length"] = int(match.group(1))
            return
    elif item["type"] == "number":
        bounds = [NUMBER_BOUND.match(part.strip()) for part in text.split(" and ")]
        if all(bounds) and len(bounds) <= 2:
            for match in bounds:
                key = "min" if match.group(1) == ">=" else "max"  # type: ignore[union-attr]
                item[key] = int(match.group(2))  # type: ignore[union-attr]
            return
    reader.add(sheet, row, "constraint", "constraint", value=text)
