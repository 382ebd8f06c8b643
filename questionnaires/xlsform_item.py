"""One survey row of an XLSForm turned into a plain item dict (``xlsform_items`` walks them).

Its type is mapped to ours (``integer``, ``text``, ``range`` with whole steps, selects; our
scales only when codes and labels are ours), its group and own conditions combined, its
``required``, constraint and no-answer codes read; anything not carried over is warned at the
row, and an item whose condition cannot be carried over is skipped, never shown to everyone.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .model import MISSING_CODES
from .types import TYPES
from .xlsform_read import _flag
from .xlsform_relevant import RelevantError

if TYPE_CHECKING:
    from .xlsform_items import _Build

SIMPLE_TYPES = {"integer": "number", "int": "number", "text": "text", "string": "text"}
SCALES = ("likert5", "rating3", "expectation4", "nps", "yes_no")
NUMBER_BOUND = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+)$")
OTHER = {"code": "other", "label": {"vi": "Khác", "en": "Other"}}
OUR_LIST = re.compile(r"(likert5|rating3|expectation4|nps|yes_no)(?:_9[789])+")
WITH_MISSING = re.compile(r"\((.*)\)((?:\s+or\s+\.\s*=\s*9[789])+)")
TEXT_LENGTH = re.compile(r"^string-length\(\s*\.\s*\)\s*<=\s*(\d+)$")


class _Skipped(str):
    """A condition on an item that is not imported: what depends on it is skipped too."""


class _Item:
    """The item of one survey row, or None (skipped, with a warning saying why)."""

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
        where = (self.b.reader, self.b.survey, self.row)
        item["label"] = self.b.texts.get(record, where=where)
        if not item["label"]["vi"]:
            item["label"]["vi"] = record.get("name", "")
            self.warn("label", "xls_label_from_name", value=item["label"]["vi"])
        help_text = self.b.texts.get(record, "hint", where)
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
