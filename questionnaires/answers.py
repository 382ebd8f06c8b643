"""Clean and check one respondent's raw answers against a questionnaire.

Raw values come from JSON (int, str, list) or an HTML form (strings, lists of strings).
"No answer" is the string ``no_answer`` (the item's default code, 98 when allowed), one of the
words ``not_applicable`` / ``dont_know`` / ``refused``, or the int 97/98/99 on types whose own
values can never be 97..99 (for ``number`` items those ints are values, not missing codes).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from .conditions import is_visible
from .messages import Message
from .model import MISSING_CODES, MISSING_WORDS, Answer, Item, Questionnaire
from .types import TYPES, AnswerError, unwrap

WORD_CODES = {word: code for code, word in MISSING_WORDS.items()}


def _is_empty(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple):
        return all(_is_empty(v) for v in raw)
    return False


_MISSING_CODE_TEXTS = frozenset(str(c) for c in MISSING_CODES)


def _missing_code(item: Item, raw: object) -> int | None:
    """The missing code ``raw`` stands for, or None when it is an ordinary value."""
    raw = unwrap(raw)
    if isinstance(raw, str):
        word = raw.strip()
        if word == "no_answer":
            return item.default_missing_code or MISSING_CODES[1]
        if word in WORD_CODES:
            return WORD_CODES[word]
        if item.type != "number" and word in _MISSING_CODE_TEXTS:
            return int(word)
        return None
    if isinstance(raw, int) and not isinstance(raw, bool) and item.type != "number" \
            and raw in MISSING_CODES:
        return raw
    return None


def clean_answer(item: Item, raw: object) -> Answer | None:
    """The stored form of ``raw`` for ``item``; None when unanswered; AnswerError if invalid."""
    if _is_empty(raw):
        return None
    code = _missing_code(item, raw)
    if code is not None:
        if code not in item.missing_codes:
            raise AnswerError(Message.ANSWER_NO_ANSWER_NOT_ALLOWED)
        return Answer(missing_code=code)
    kind = TYPES[item.type]
    value = kind.clean(item, raw)
    if kind.storage == "int":
        return Answer(value_int=value)  # type: ignore[arg-type]
    return Answer(value_text=value) if value else None  # type: ignore[arg-type]


def validate_answers(q: Questionnaire, raw: Mapping[str, object], lang: str = "vi",
                     asked: Collection[str] | None = None,
                     ) -> tuple[dict[str, Answer], dict[str, str]]:
    """Clean answers and per-item error messages in ``lang`` (Vietnamese by default).

    Items are taken in order so that ``show_if`` sees the cleaned earlier answers; an answer
    to a hidden item is refused, and a hidden item never counts as a missing answer.
    ``asked``, when given, holds the only items the citizen was asked (the first screen of a
    phone questionnaire they stopped after): the others are treated as hidden.
    """
    plan = answer_plan(q)
    clean: dict[str, Answer] = {}
    errors: dict[str, str] = {}
    known = plan.known
    for code in raw:
        if code not in known:
            errors[str(code)] = Message.ANSWER_UNKNOWN_ITEM.text(lang)
    for item, by_int, by_str in plan.steps:
        value = raw.get(item.code)
        if (asked is not None and item.code not in asked) or \
                (item.show_if is not None and not is_visible(item, clean)):
            if not _is_empty(value):
                errors[item.code] = Message.ANSWER_HIDDEN.text(lang)
            continue
        kind = type(value)
        answer = by_int.get(value) if kind is int else by_str.get(value) if kind is str \
            else None
        if answer is None:
            try:
                answer = clean_answer(item, value)
            except AnswerError as exc:
                errors[item.code] = exc.code.text(lang, **exc.params)
                continue
            if answer is None:
                if item.required:
                    errors[item.code] = Message.ANSWER_REQUIRED.text(lang)
                continue
        clean[item.code] = answer
    return clean, errors


@dataclass(frozen=True, slots=True)
class AnswerPlan:
    """What checking answers to one questionnaire needs, worked out once per definition.

    ``steps`` holds, per item in order, the cleaned answer of every raw value that is common
    and whose answer is known in advance (the item's own codes as int and text, the missing
    words and codes), each computed by :func:`clean_answer` itself: a look-up gives exactly
    what cleaning would, and anything else (blanks, padded text, lists, floats, bools, wrong
    values) is cleaned as before, with its message. Answers are frozen, so they are shared.
    """

    known: frozenset[str]
    steps: tuple[tuple[Item, dict[int, Answer], dict[str, Answer]], ...]


def answer_plan(q: Questionnaire) -> AnswerPlan:
    """The questionnaire's plan, made on first use and kept on the (immutable) definition."""
    plan = q.__dict__.get("_answer_plan")
    if plan is None:
        plan = AnswerPlan(frozenset(item.code for item in q.items),
                          tuple((item, *_known_answers(item)) for item in q.items))
        q.__dict__["_answer_plan"] = plan  # a frozen dataclass: set like a cached_property
    return plan


# A number item whose range is at most this wide has every value looked up in advance.
_KNOWN_RANGE = 1000


def _known_answers(item: Item) -> tuple[dict[int, Answer], dict[str, Answer]]:
    values = TYPES[item.type].values(item) or ()
    if item.type == "number" and item.min is not None and item.max is not None \
            and item.max - item.min <= _KNOWN_RANGE:
        values = range(item.min, item.max + 1)
    candidates = [*values, *(str(v) for v in values), "no_answer", *WORD_CODES,
                  *MISSING_CODES, *_MISSING_CODE_TEXTS]
    by_int: dict[int, Answer] = {}
    by_str: dict[str, Answer] = {}
    for raw in candidates:
        if type(raw) is not int and type(raw) is not str:
            continue
        try:
            answer = clean_answer(item, raw)
        except AnswerError:
            continue  # cleaned each time, so that the message is made as before
        if answer is not None:
            (by_int if type(raw) is int else by_str)[raw] = answer  # type: ignore[index]
    return by_int, by_str
