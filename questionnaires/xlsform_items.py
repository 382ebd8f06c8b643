"""The survey, choices and settings rows of an XLSForm turned into a plain definition dict.

Rows the product does not collect (device metadata, calculations, repeats, dates, media...)
are skipped with a warning at their row; a group's ``relevant`` applies to every item in it;
nested groups merge into their top-level group (the section); an item whose condition cannot
be mapped, or depends on an item not imported, is skipped rather than shown to everyone.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from .types import TYPES
from .xlsform_item import _Item, _Skipped
from .xlsform_read import Reader, Sheet
from .xlsform_relevant import RelevantError, from_relevant
from .xlsform_texts import TEXT_BASES, Texts, to_code

METADATA = {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
            "username", "email", "audit", "imei", "start-geopoint", "background-audio",
            "start_geopoint", "background_audio", "uri:deviceid", "uri:email", "uri:username",
            "uri:phonenumber", "uri:subscriberid", "uri:simserial"}
_REF = re.compile(r"\$\{\s*([^}]*?)\s*\}")
_ALIASES = {"select_all_that_apply": "select_multiple", "select_one_or_specify_other":
            "select_one", "begin_group": "begin_group", "begin_repeat": "begin_repeat",
            "begin_loop": "begin_repeat", "end_loop": "end_repeat"}


def _lists(reader: Reader, choices: Sheet | None, texts: Texts) -> dict[str, list[dict]]:
    lists: dict[str, list[dict]] = {}
    for row, record in choices.rows if choices is not None else ():
        if record.get("list_name"):
            entry = {"code": record.get("name", ""),
                     "label": texts.get(record, where=(reader, choices, row))}
            if not entry["label"]["vi"] and entry["code"]:  # an image-only choice
                entry["label"]["vi"] = entry["code"]
                reader.add(choices, row, "label", "xls_label_from_name", value=entry["code"])
            entries = lists.setdefault(record["list_name"], [])
            if entry in entries:  # same code, same label: lossless to keep once
                reader.add(choices, row, "name", "xls_choice_repeated", value=entry["code"],
                           list=record["list_name"])
                continue
            entries.append(entry)
    return lists


def _head(reader: Reader, settings: Sheet | None, filename: str, texts: Texts,
          head: dict[str, str]) -> dict:
    code = head.get("form_id", "")
    if code and to_code(code) != code:
        reader.add(settings or "settings", settings.rows[0][0] if settings else None,
                   "form_id", "xls_code_renamed", value=code, new=to_code(code))
        code = to_code(code)
    if not code:
        code = to_code(PurePath(filename).stem or head.get("form_title", "") or "form")
        reader.add(settings or "settings", settings.rows[0][0] if settings and settings.rows
                   else None, "form_id", "xls_form_id_derived", new=code)
    title_vi = head.get("form_title") or head.get("form_id") or PurePath(filename).stem
    title = {"vi": title_vi, "en": head.get("hailong::form_title_en", "")}
    data: dict = {"code": code, "kind": head.get("hailong::kind") or "survey",
                  "title": {k: v for k, v in title.items() if v or k == "vi"}}
    intro = {"vi": head.get("hailong::intro::vietnamese (vi)", ""),
             "en": head.get("hailong::intro::english (en)", "")}
    if intro["vi"]:
        data["intro"] = {k: v for k, v in intro.items() if v}
    if head.get("hailong::service_areas"):
        data["service_areas"] = head["hailong::service_areas"].split()
    return data


_OLD_SPELLINGS = ((re.compile(r"\s+or\s+specify\s+other\s*$", re.I), " or_other"),
                  (re.compile(r"^\s*select\s+all\s+that\s+apply(\s+from)?\s+", re.I),
                   "select_multiple "),
                  (re.compile(r"^\s*select\s+one(\s+from)?\s+", re.I), "select_one "),
                  (re.compile(r"^\s*select\s+multiple\s+", re.I), "select_multiple "))


def _spelled(text: str) -> str:
    """pyxform's older spellings (``select one from x or specify other``) as today's."""
    for pattern, new in _OLD_SPELLINGS:
        text = pattern.sub(new, text)
    return text


def _kind(text: str) -> list[str]:
    words = _spelled(text).split()
    if len(words) >= 2 and words[0].lower() in ("begin", "end"):
        words = ["_".join(words[:2]), *words[2:]]
    if words:
        words[0] = _ALIASES.get(words[0].lower(), words[0].lower())
    words[2:] = [w.lower() for w in words[2:]]
    return words


class _Build:
    """The walk over the survey rows: groups open and close, items collected or skipped."""

    def __init__(self, reader: Reader, survey: Sheet, lists: dict, texts: Texts, data: dict):
        self.reader, self.survey, self.lists, self.texts = reader, survey, lists, texts
        self.data = data
        self.sections: list[dict] = []
        self.current: dict | None = None
        self.stack: list[tuple[str, str, object, int]] = []  # kind, name, condition, row
        self.rows_by_item: dict[str, int] = {}
        self.types: dict[str, str] = {}
        self.skipped: set[str] = set()
        self.renamed: dict[str, str] = {}
        self.ambiguous: set[str] = set()  # names given to two items: a reference is unclear
        self.intro: list[dict] = []

    def warn(self, row: int, column: str | None, code: str, **params: object) -> None:
        self.reader.add(self.survey, row, column, code, **params)

    def code(self, row: int, name: str) -> str:
        code = to_code(name)
        if code != name:
            self.warn(row, "name", "xls_code_renamed", value=name, new=code)
        self.renamed[name] = code
        return code

    def section(self, code: str, title: dict) -> None:
        used = {s["code"] for s in self.sections}
        unique, n = code, 1
        while unique in used:
            n += 1
            unique = f"{code}_{n}"
        self.current = {"code": unique, "title": title, "items": []}
        self.sections.append(self.current)

    def condition(self, row: int, text: str) -> object:
        """The show_if dict of a relevant, or a RelevantError (the items under it skip)."""
        unclear = next((ref for ref in _REF.findall(text) if ref in self.ambiguous), None)
        if unclear is not None:
            return RelevantError(f"'{unclear}' names two items")
        text = _REF.sub(lambda m: "${" + self.renamed.get(m.group(1), m.group(1)) + "}", text)
        missing = next((ref for ref in _REF.findall(text) if ref in self.skipped), None)
        if missing is not None:
            return _Skipped(missing)

        def info(code: str) -> tuple[str, bool] | None:
            kind = TYPES.get(self.types.get(code, ""))
            return (kind.storage, kind.name == "multi_choice") if kind else None

        try:
            return from_relevant(text, info)
        except RelevantError as error:
            return error

    def run(self) -> None:
        for row, record in self.survey.rows:
            words = _kind(record.get("type", ""))
            if not words:
                continue
            head = words[0]
            if head in ("begin_group", "begin_repeat"):
                self.begin(row, record, head)
            elif head in ("end_group", "end_repeat"):
                self.end(row)
            else:
                self.row(row, record, words)
        for _type, name, _cond, row in reversed(self.stack):
            self.warn(row, "type", "xls_unclosed_group", value=name)

    def begin(self, row: int, record: dict, head: str) -> None:
        name = record.get("name", "")
        cond = self.condition(row, record["relevant"]) if record.get("relevant") else None
        if head == "begin_repeat":  # nothing inside is collected: its condition is moot
            self.stack.append(("repeat", name, cond, row))
            return
        if not self.stack:
            title = self.texts.get(record, where=(self.reader, self.survey, row))
            if not title["vi"]:
                title = {"vi": name or "group"}
                self.warn(row, "label", "xls_label_from_name", value=title["vi"])
            code = record.get("hailong::section") or (self.code(row, name) if name else "group")
            self.section(code, title)
            self.rows_by_item.setdefault(f"section:{self.current['code']}", row)  # type: ignore[index]
        else:
            self.warn(row, "type", "xls_group_merged", value=name)
        if isinstance(cond, RelevantError | _Skipped):  # said once; each item inside skipped
            detail = str(cond) if isinstance(cond, RelevantError) else \
                f"'{cond}' is not imported"
            self.warn(row, "relevant", "xls_group_condition_skipped", detail=detail)
        self.stack.append(("group", name, cond, row))

    def end(self, row: int) -> None:
        if not self.stack:
            self.reader.add(self.survey, row, "type", "group")
            return
        self.stack.pop()
        if not self.stack:
            self.current = None

    def row(self, row: int, record: dict, words: list[str]) -> None:
        name = record.get("name", "")
        repeat = next((n for kind, n, _c, _r in self.stack if kind == "repeat"), None)
        if words[0] == "note" and repeat is None:
            if not self.sections and not self.rows_by_item and not record.get("relevant"):
                self.intro.append(self.texts.get(record, where=(self.reader, self.survey, row)))
            else:
                self.warn(row, "type", "xls_note_skipped")
            return
        if words[0] in METADATA or words[0] in ("calculate", "hidden") or repeat is not None:
            self.skipped.add(to_code(name))
            if words[0] in METADATA:
                self.warn(row, "type", "xls_metadata_skipped", value=record["type"])
            elif repeat is not None:
                self.warn(row, "type", "xls_in_repeat", repeat=repeat)
            else:
                self.warn(row, "type", "xls_type_skipped", value=record["type"])
            return
        if not name:
            self.reader.add(self.survey, row, "name", "no_name")
            return
        code = self.code(row, name)
        if code in self.types:  # XLSForm allows it in another group; codes are one namespace
            first, n = self.rows_by_item[code], 2
            while f"{code}_{n}" in self.types:
                n += 1
            self.ambiguous.add(name)
            code = f"{code}_{n}"
            self.warn(row, "name", "xls_duplicate_renamed", value=name, new=code, other=first)
        item = _Item(self, row, record, code).build(words)
        if item is None:
            self.skipped.add(code)
            return
        if self.current is None:  # items outside any group: a section titled like the form
            self.section("main", dict(self.data["title"]))
        self.rows_by_item[code] = row
        self.types[code] = item["type"]
        self.current["items"].append(item)  # type: ignore[index]

    def finish(self) -> tuple[dict, dict[str, int]]:
        sections = []
        for section in self.sections:
            if section["items"]:
                sections.append(section)
            else:
                row = self.rows_by_item.get(f"section:{section['code']}")
                self.warn(row or 1, "type", "xls_empty_group", value=section["code"])
        if self.intro and "intro" not in self.data:
            vi = "\n\n".join(t["vi"] for t in self.intro if t["vi"])
            en = "\n\n".join(t.get("en", "") for t in self.intro if t.get("en"))
            if vi:
                self.data["intro"] = {"vi": vi, "en": en} if en else {"vi": vi}
        self.data["sections"] = sections
        return self.data, self.rows_by_item


def build_definition(reader: Reader, survey: Sheet, choices: Sheet | None,
                     settings: Sheet | None) -> tuple[dict, dict[str, int]]:
    """(definition dict, survey row of each item code); problems go to ``reader``."""
    from .xlsform_read import CHOICES_KNOWN, SETTINGS_KNOWN, SURVEY_KNOWN

    head = settings.rows[0][1] if settings is not None and settings.rows else {}
    sheets = [s for s in (survey, choices) if s is not None]
    texts = Texts(reader, sheets, head.get("default_language", ""))
    for sheet, known in ((survey, SURVEY_KNOWN), (choices, CHOICES_KNOWN),
                         (settings, SETTINGS_KNOWN)):
        if sheet is not None:
            reader.unused_columns(sheet, known, set(TEXT_BASES))
    data = _head(reader, settings, reader.filename, texts, head)
    walk = _Build(reader, survey, _lists(reader, choices, texts), texts, data)
    walk.run()
    return walk.finish()
