"""The item-type registry: one object per type knows its values, labels and how to clean input.

The web form, the SPSS export (value labels) and the analysis all ask the registry rather than
repeat the coding conventions: likert5 1..5 (5 = Rất hài lòng), rating3 1 = Không hài lòng ..
3 = Rất hài lòng, expectation4 1..4, nps 0..10, yes_no 1/0, number an integer; choices are
stored as text codes, multi_choice as the codes joined by spaces in the questionnaire's order.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property

from .messages import Message
from .model import OPERATORS, Item, Text

MISSING_LABELS = {
    97: Text("Không áp dụng", "Not applicable"),
    98: Text("Không biết", "Don't know"),
    99: Text("Từ chối trả lời", "Refused"),
}
NO_ANSWER_LABEL = Text("Không trả lời", "No answer")
TEXT_MAX_LENGTH = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # all but tab, newline, return


class AnswerError(ValueError):
    """A raw answer that cannot be cleaned; carries the catalogue message and its params."""

    def __init__(self, message: Message, **params: object) -> None:
        super().__init__(message.name)
        self.code = message
        self.params = params


def unwrap(raw: object) -> object:
    # an HTML form gives lists of strings even for single values
    if isinstance(raw, list | tuple) and len(raw) == 1:
        return raw[0]
    return raw


def _to_int(raw: object) -> int:
    raw = unwrap(raw)
    if isinstance(raw, bool):
        raise AnswerError(Message.ANSWER_WRONG_TYPE)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        text = raw.strip()
        if re.fullmatch(r"[+-]?[0-9]{1,18}", text):
            return int(text)
    raise AnswerError(Message.ANSWER_WRONG_TYPE)


@dataclass(frozen=True)
class ItemType(ABC):
    """Base of the registry; ``options`` are the type-specific keys an item may carry."""

    name: str
    storage: str = "int"
    options: frozenset[str] = frozenset()
    operators: frozenset[str] = frozenset(OPERATORS)
    threshold: int | None = None
    measures: str | None = None

    @property
    def is_rating(self) -> bool:
        """A scale with a "positive" top (satisfied, or expected for expectation4)."""
        return self.threshold is not None

    @property
    def is_satisfaction(self) -> bool:
        return self.measures == "satisfaction"

    def is_satisfied(self, value: int) -> bool:
        """Top-box rule: likert5 >= 4, rating3 >= 2, expectation4 >= 3."""
        if self.threshold is None:
            raise ValueError(f"{self.name} is not a rating type")
        return value >= self.threshold

    def values(self, item: Item) -> tuple[int | str, ...] | None:
        """All values the item can take, or None when they are not a short list."""
        return None

    def value_labels(self, item: Item) -> tuple[tuple[int | str, Text], ...]:
        return ()

    def can_take(self, item: Item, value: object) -> bool:
        allowed = self.values(item)
        return allowed is not None and value in allowed and not isinstance(value, bool)

    def can_be_less(self, item: Item, value: int) -> bool:
        allowed = self.values(item)
        return allowed is None or any(isinstance(v, int) and v < value for v in allowed)

    def can_be_greater(self, item: Item, value: int) -> bool:
        allowed = self.values(item)
        return allowed is None or any(isinstance(v, int) and v > value for v in allowed)

    @abstractmethod
    def clean(self, item: Item, raw: object) -> int | str:
        """The stored value of a raw answer; raises AnswerError when it cannot be one."""


@dataclass(frozen=True)
class ScaleType(ItemType):
    points: tuple[tuple[int, Text], ...] = ()

    def values(self, item: Item) -> tuple[int, ...]:
        return self._sorted_values

    @cached_property
    def _sorted_values(self) -> tuple[int, ...]:
        # Asked once per answer of every submission: sorted once per type, not each time.
        return tuple(sorted(v for v, _ in self.points))

    def value_labels(self, item: Item) -> tuple[tuple[int | str, Text], ...]:
        return self.points

    def can_take(self, item: Item, value: object) -> bool:
        if self.name == "yes_no" and isinstance(value, bool):
            value = int(value)  # YAML authors write `equals: true`
        return super().can_take(item, value)

    def clean(self, item: Item, raw: object) -> int:
        raw = unwrap(raw)
        if self.name == "yes_no":
            raw = _yes_no(raw)
        value = _to_int(raw)
        allowed = self.values(item)
        if value not in allowed:
            raise AnswerError(Message.ANSWER_OUT_OF_RANGE, min=allowed[0], max=allowed[-1])
        return value


def _yes_no(raw: object) -> object:
    if isinstance(raw, bool):
        return int(raw)
    words = {"yes": 1, "true": 1, "co": 1, "có": 1, "no": 0, "false": 0, "khong": 0, "không": 0}
    if isinstance(raw, str) and raw.strip().lower() in words:
        return words[raw.strip().lower()]
    return raw


@dataclass(frozen=True)
class NumberType(ItemType):
    def can_take(self, item: Item, value: object) -> bool:
        return (isinstance(value, int) and not isinstance(value, bool)
                and (item.min is None or value >= item.min)
                and (item.max is None or value <= item.max))

    def can_be_less(self, item: Item, value: int) -> bool:
        return item.min is None or item.min < value

    def can_be_greater(self, item: Item, value: int) -> bool:
        return item.max is None or item.max > value

    def clean(self, item: Item, raw: object) -> int:
        value = _to_int(raw)
        if not self.can_take(item, value):
            lo = item.min if item.min is not None else "-∞"
            hi = item.max if item.max is not None else "∞"
            raise AnswerError(Message.ANSWER_OUT_OF_RANGE, min=lo, max=hi)
        return value


@dataclass(frozen=True)
class ChoiceType(ItemType):
    multiple: bool = False

    def values(self, item: Item) -> tuple[str, ...]:
        return item.choice_codes

    def value_labels(self, item: Item) -> tuple[tuple[int | str, Text], ...]:
        return tuple((c.code, c.label) for c in item.choices)

    def clean(self, item: Item, raw: object) -> str:
        codes = self._codes(raw)
        for code in codes:
            if code not in item.choice_codes:
                raise AnswerError(Message.ANSWER_NOT_A_CHOICE, value=code)
        if not self.multiple:
            return codes[0]
        chosen = set(codes)
        # XLSForm convention: the questionnaire's choice order, single spaces
        return " ".join(c for c in item.choice_codes if c in chosen)

    def _codes(self, raw: object) -> list[str]:
        if isinstance(raw, str):
            codes = raw.split() if self.multiple else [raw.strip()]
        elif self.multiple and isinstance(raw, list | tuple):
            codes = list(raw)
        else:
            codes = [unwrap(raw)]
        if not all(isinstance(c, str) for c in codes) or (len(codes) > 1 and not self.multiple):
            raise AnswerError(Message.ANSWER_WRONG_TYPE)
        return [c.strip() for c in codes]


@dataclass(frozen=True)
class TextType(ItemType):
    def max_length(self, item: Item) -> int:
        return item.max_length or TEXT_MAX_LENGTH

    def can_take(self, item: Item, value: object) -> bool:
        return isinstance(value, str) and len(value) <= self.max_length(item)

    def clean(self, item: Item, raw: object) -> str:
        raw = unwrap(raw)
        if not isinstance(raw, str):
            raise AnswerError(Message.ANSWER_WRONG_TYPE)
        # Control characters (NUL above all, which PostgreSQL text cannot hold) are never
        # typed by a citizen: they are dropped, the rest of the text is kept.
        text = _CONTROL.sub("", raw).strip()
        if len(text) > self.max_length(item):
            raise AnswerError(Message.ANSWER_TOO_LONG, max=self.max_length(item))
        return text


def _points(*labels: tuple[str, str], start: int = 1) -> tuple[tuple[int, Text], ...]:
    return tuple((start + i, Text(vi, en)) for i, (vi, en) in enumerate(labels))


_CHOICE_OPS = frozenset({"equals", "not_equals", "in", "not_in", "answered"})
_NPS_ENDS = {0: ("Chắc chắn không giới thiệu", "Not at all likely"),
             10: ("Chắc chắn giới thiệu", "Extremely likely")}

TYPES: dict[str, ItemType] = {t.name: t for t in (
    ScaleType("likert5", threshold=4, measures="satisfaction", points=_points(
        ("Rất không hài lòng", "Very dissatisfied"), ("Không hài lòng", "Dissatisfied"),
        ("Bình thường", "Neither satisfied nor dissatisfied"), ("Hài lòng", "Satisfied"),
        ("Rất hài lòng", "Very satisfied"))),
    ScaleType("rating3", threshold=2, measures="satisfaction", points=_points(
        ("Không hài lòng", "Dissatisfied"), ("Hài lòng", "Satisfied"),
        ("Rất hài lòng", "Very satisfied"))),
    ScaleType("expectation4", threshold=3, measures="expectation", points=_points(
        ("Không mong muốn", "Not wanted"), ("Ít mong muốn", "Slightly wanted"),
        ("Mong muốn", "Wanted"), ("Rất mong muốn", "Strongly wanted"))),
    ScaleType("nps", points=tuple(
        (n, Text(*_NPS_ENDS.get(n, (str(n), str(n))))) for n in range(11))),
    ScaleType("yes_no", operators=_CHOICE_OPS,
              points=((1, Text("Có", "Yes")), (0, Text("Không", "No")))),
    NumberType("number", options=frozenset({"min", "max"})),
    ChoiceType("single_choice", storage="text", options=frozenset({"choices"}),
               operators=_CHOICE_OPS),
    ChoiceType("multi_choice", storage="text", options=frozenset({"choices"}),
               operators=_CHOICE_OPS, multiple=True),
    TextType("text", storage="text", options=frozenset({"max_length"}),
             operators=frozenset({"answered"})),
)}
OPTION_KEYS = frozenset().union(*(t.options for t in TYPES.values()))


def get_type(name: str) -> ItemType:
    """The registered type called ``name``; ``KeyError`` if unknown."""
    return TYPES[name]
