"""Typed, immutable questionnaire objects: what the loaders return and the exporters take."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

KINDS = ("survey", "dossier_rating")
ELEMENTS = ("A", "B", "C", "D", "E")
MISSING_CODES = (97, 98, 99)  # not applicable, don't know, refused (docs/METHODOLOGY.md §1)
# The same codes as words, as the exports write them and the imports and the API read them.
MISSING_WORDS = {97: "not_applicable", 98: "dont_know", 99: "refused"}
DEFAULT_MISSING = 98  # the kiosk's single "Không trả lời / No answer" button
OPERATORS = ("equals", "not_equals", "in", "not_in", "less", "greater", "answered")


@dataclass(frozen=True)
class Source:
    """Where an object was defined; never part of equality (an export moves lines)."""

    file: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class Text:
    """A text in Vietnamese (always) and English (optional)."""

    vi: str
    en: str | None = None

    def get(self, lang: str = "vi") -> str:
        return self.en if lang == "en" and self.en else self.vi


@dataclass(frozen=True)
class Choice:
    code: str
    label: Text


@dataclass(frozen=True)
class Condition:
    """A ``show_if`` condition: a leaf (item, op, value) or a group (op all/any, conditions).

    ``value`` is an int or str for equals/not_equals/less/greater, a tuple for in/not_in and a
    bool for answered.
    """

    op: str
    item: str | None = None
    value: object = None
    conditions: tuple[Condition, ...] = ()

    def targets(self) -> tuple[str, ...]:
        if self.item is not None:
            return (self.item,)
        return tuple(code for c in self.conditions for code in c.targets())


@dataclass(frozen=True)
class Item:
    code: str
    type: str
    label: Text
    help: Text | None = None
    required: bool = False
    element: str | None = None
    overall: bool = False
    missing_codes: tuple[int, ...] = ()
    choices: tuple[Choice, ...] = ()
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    show_if: Condition | None = None
    demographic: str | None = None
    respondent_type: bool = False
    source: Source | None = field(default=None, compare=False, repr=False)

    @property
    def choice_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)

    @property
    def allows_no_answer(self) -> bool:
        return bool(self.missing_codes)

    @property
    def default_missing_code(self) -> int | None:
        """The code a single "no answer" button stores: 98 when allowed, else the first one."""
        if not self.missing_codes:
            return None
        return DEFAULT_MISSING if DEFAULT_MISSING in self.missing_codes else self.missing_codes[0]


@dataclass(frozen=True)
class Section:
    code: str
    title: Text
    items: tuple[Item, ...] = ()
    source: Source | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Questionnaire:
    code: str
    kind: str
    title: Text
    sections: tuple[Section, ...]
    intro: Text | None = None
    service_areas: tuple[str, ...] = ()
    source: Source | None = field(default=None, compare=False, repr=False)

    @cached_property
    def items(self) -> tuple[Item, ...]:
        """All items, flat, in questionnaire order."""
        return tuple(item for section in self.sections for item in section.items)

    @cached_property
    def _by_code(self) -> dict[str, Item]:
        return {item.code: item for item in self.items}

    def item(self, code: str) -> Item:
        """The item with this code; ``KeyError`` if there is none."""
        return self._by_code[code]

    @cached_property
    def overall_item(self) -> Item | None:
        return next((i for i in self.items if i.overall), None)

    @cached_property
    def first_screen(self) -> tuple[Item, ...]:
        """What a citizen answers first, and may stop after: the overall item, the items that
        only follow up on it, and the first optional open question (its reason, in their own
        words). Empty when the questionnaire has one section or no overall item: then the
        questionnaire is short and answered whole."""
        overall = self.overall_item
        if overall is None or len(self.sections) < 2:
            return ()
        lead = [overall] + [i for i in self.items
                            if i.show_if is not None and set(i.show_if.targets()) == {overall.code}]
        reason = next((i for i in self.items if i.type == "text" and not i.required
                       and i.show_if is None and i not in lead), None)
        return (*lead, reason) if reason is not None else tuple(lead)

    @cached_property
    def respondent_type_item(self) -> Item | None:
        return next((i for i in self.items if i.respondent_type), None)

    def element_items(self, element: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.element == element)


@dataclass(frozen=True)
class Answer:
    """A cleaned answer as stored: exactly one of the three fields is set."""

    value_int: int | None = None
    value_text: str | None = None
    missing_code: int | None = None

    @property
    def value(self) -> int | str | None:
        return self.value_int if self.value_int is not None else self.value_text
