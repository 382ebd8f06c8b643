"""The survey, choices and settings rows of an XLSForm turned into a plain definition dict.

Rows the product does not collect (device metadata, calculations, repeats, dates, media...)
are skipped with a warning at their row; a group's ``relevant`` applies to every item in it;
nested groups merge into their top-level group (the section); an item whose condition cannot
be mapped, or depends on an item not imported, is skipped rather than shown to everyone.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from .model import MISSING_CODES
from .types import TYPES
from .xlsform_read import Reader, Sheet, _flag
from .xlsform_relevant import RelevantError, from_relevant
from .xlsform_texts import Texts, to_code

SIMPLE_TYPES = {"integer": "number", "int": "number", "text": "text", "string": "text"}
SCALES = ("likert5", "rating3", "expectation4", "nps", "yes_no")
METADATA = {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
            "username", "email", "audit", "imei", "start-geopoint", "background-audio",
            "start_geopoint", "background_audio", "uri:deviceid", "uri:email", "uri:username",
            "uri:phonenumber", "uri:subscriberid", "uri:simserial"}
NUMBER_BOUND = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+)$")
OTHER = {"code": "other", "label": {"vi": "Khác", "en": "Other"}}
OUR_LIST = re.compile(r"(likert5|rating3|expectation4|nps|yes_no)(?:_9[789])+")
WITH_MISSING = re.compile(r"\((.*)\)((?:\s+or\s+\.\s*=\s*9[789])+)")
TEXT_LENGTH = re.compile(r"^string-length\(\s*\.\s*\)\s*<=\s*(\d+)$")
_REF = re.compile(r"\$\{\s*([^}]*?)\s*\}")
_ALIASES = {"select_all_that_apply": "select_multiple", "select_one_or_specify_other":
            "select_one", "begin_group": "begin_group", "begin_repeat": "begin_repeat",
            "begin_loop": "begin_repeat", "end_loop": "end_repeat"}


def _lists(reader: Reader, choices: Sheet | None, texts: Texts) -> dict[str, list[dict]]:
    lists: dict[str, list[dict]] = {}
    for row, record in choices.rows if choices is not None else ():
        if record.get("list_name"):
            entry = {"code": record.get("name", ""), "label": texts.get(record)}
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
            title = self.texts.get(record)
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
                self.intro.append(self.texts.get(record))
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
        if code in self.types:
            self.reader.add(self.survey, row, "name", "duplicate_name", value=code,
                            other=self.rows_by_item[code])
            return
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


class _Skipped(str):
    """A condition on an item that is not imported: what depends on it is skipped too."""


class _Item:
    def __init__(self, build: _Build, row: int, record: dict, code: str):
        self.b, self.row, self.record = build, row, record
        self.item: dict = {"code": code}

    def warn(self, column: str | None, code: str, **params: object) -> None:
        self.b.warn(self.row, column, code, **params)

    def build(self, words: list[str]) -> dict | None:
        item, record = self.item, self.record
        kind = self.type(words)
        if kind is None:
            return None
        item["type"] = kind
        for _kind, group, cond, row in self.b.stack:
            if isinstance(cond, RelevantError | _Skipped):
                self.warn(None, "xls_in_lost_group", group=group, group_row=row)
                return None
        conditions = [c for _k, _n, c, _r in self.b.stack if c is not None]
        if record.get("relevant"):
            conditions.append(self.b.condition(self.row, record["relevant"]))
        for cond in conditions:
            if isinstance(cond, RelevantError):
                self.warn("relevant", "xls_condition_skipped", detail=str(cond))
                return None
            if isinstance(cond, _Skipped):
                self.warn("relevant", "xls_depends_on_skipped", target=str(cond))
                return None
        if conditions:
            item["show_if"] = conditions[0] if len(conditions) == 1 else {"all": conditions}
        item["label"] = self.b.texts.get(record)
        if not item["label"]["vi"]:
            item["label"]["vi"] = record.get("name", "")
            self.warn("label", "xls_label_from_name", value=item["label"]["vi"])
        help_text = self.b.texts.get(record, "hint")
        if help_text["vi"]:
            item["help"] = help_text
        reader, sheet = self.b.reader, self.b.survey
        if _flag(reader, sheet, self.row, record, "required", lenient=True):
            item["required"] = True
        for flag, column in (("overall", "hailong::overall"),
                             ("respondent_type", "hailong::respondent_type")):
            if _flag(reader, sheet, self.row, record, column):
                item[flag] = True
        if record.get("hailong::element"):
            item["element"] = record["hailong::element"]  # from_dict names a wrong letter
        if record.get("hailong::demographic"):
            item["demographic"] = record["hailong::demographic"]
        self.no_answer()
        self.constraint()
        return item

    def type(self, words: list[str]) -> str | None:
        head = words[0]
        if len(words) == 1 and head in SIMPLE_TYPES:
            return SIMPLE_TYPES[head]
        if head == "range":
            return self.range()
        if head in ("select_one", "select_multiple") and len(words) in (2, 3):
            if len(words) == 3:
                if words[2] != "or_other":
                    return self.unsupported()
                self.warn("type", "xls_or_other")
            name = words[1]
            if name not in self.b.lists:
                self.b.reader.add(self.b.survey, self.row, "type", "unknown_list", value=name)
                return None
            # our export adds the item's no-answer codes to its list: they are not choices
            missing = set(self.record.get("hailong::no_answer", "").split())
            entries = [e for e in self.b.lists[name] if e["code"] not in missing]
            scale = OUR_LIST.fullmatch(name) if missing else None
            base = scale.group(1) if scale else name
            if base in SCALES and head == "select_one":
                if self.is_our_scale(base, entries):
                    return base
                self.warn("type", "xls_scale_own_list", value=name)
            if len(entries) < 2 and len(words) == 2:  # a lone "I agree": nothing to choose
                self.warn("type", "xls_one_choice", value=name)
                return None
            if len(words) == 3 and "other" not in {e["code"] for e in entries}:
                entries = [*entries, OTHER]  # the choice pyxform adds for or_other
            self.item["choices"] = entries
            return "single_choice" if head == "select_one" else "multi_choice"
        return self.unsupported()

    def unsupported(self) -> None:
        self.warn("type", "xls_type_skipped", value=self.record["type"])
        return None

    def is_our_scale(self, name: str, entries: list[dict]) -> bool:
        """Our own scale only when codes and Vietnamese labels are ours: never by name alone,
        or a list whose labels run the other way would have its answers' meaning inverted."""
        ours = {str(v): label.vi for v, label in TYPES[name].value_labels(None)}  # type: ignore[arg-type]
        theirs = {e["code"]: e["label"].get("vi", "") for e in entries}
        return ours == theirs

    def range(self) -> str | None:
        """``range`` with whole-number start, end and step 1 is a number between them."""
        params = dict(p.split("=", 1) for p in self.record.get("parameters", "").split()
                      if "=" in p)
        try:
            low, high = int(params.get("start", 0)), int(params.get("end", 10))
            step = int(params.get("step", 1))
        except ValueError:
            return self.unsupported()
        if step != 1 or low > high:
            return self.unsupported()
        self.item.update(min=low, max=high)
        return "number"

    def no_answer(self) -> None:
        text = self.record.get("hailong::no_answer", "")
        if not text:
            return
        try:
            codes = sorted({int(c) for c in text.split()})
        except ValueError:
            codes = []
        if not codes or any(c not in MISSING_CODES for c in codes):
            self.b.reader.add(self.b.survey, self.row, "hailong::no_answer", "no_answer",
                              value=text)
            return
        self.item["no_answer"] = True if tuple(codes) == MISSING_CODES else codes

    def constraint(self) -> None:
        text, item = self.record.get("constraint", ""), self.item
        if not text:
            return
        if item["type"] == "text":
            match = TEXT_LENGTH.match(text)
            if match:
                item["max_length"] = int(match.group(1))
                return
        elif item["type"] == "number":
            allowed = WITH_MISSING.fullmatch(text)
            if allowed and sorted(re.findall(r"9[789]", allowed.group(2))) == \
                    sorted(self.record.get("hailong::no_answer", "").split()):
                text = allowed.group(1)  # our export's "or . = 98": the no-answer codes
            bounds = [NUMBER_BOUND.match(part.strip()) for part in text.split(" and ")]
            if all(bounds) and len(bounds) <= 2:
                for match in bounds:
                    op, value = match.group(1), int(match.group(2))  # type: ignore[union-attr]
                    key = "min" if op[0] == ">" else "max"
                    item[key] = value + {">": 1, "<": -1}.get(op, 0)
                return
        self.warn("constraint", "xls_constraint_dropped", value=text)


def build_definition(reader: Reader, survey: Sheet, choices: Sheet | None,
                     settings: Sheet | None) -> tuple[dict, dict[str, int]]:
    """(definition dict, survey row of each item code); problems go to ``reader``."""
    from .xlsform_read import CHOICES_KNOWN, SETTINGS_KNOWN, SURVEY_KNOWN
    from .xlsform_texts import TEXT_BASES

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
