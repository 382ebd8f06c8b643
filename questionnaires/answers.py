"""Clean and check one respondent's raw answers against a questionnaire.

Raw values come from JSON (int, str, list) or an HTML form (strings, lists of strings).
"No answer" is the string ``no_answer`` (the item's default code, 98 when allowed), one of the
words ``not_applicable`` / ``dont_know`` / ``refused``, or the int 97/98/99 on types whose own
values can never be 97..99 (for ``number`` items those ints are values, not missing codes).
"""

from __future__ import annotations

from collections.abc import Mapping

from .conditions import is_visible
from .messages import Message
from .model import MISSING_CODES, Answer, Item, Questionnaire
from .types import TYPES, AnswerError, unwrap

MISSING_WORDS = {"not_applicable": 97, "dont_know": 98, "refused": 99}


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
        if word in MISSING_WORDS:
            return MISSING_WORDS[word]
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
                     ) -> tuple[dict[str, Answer], dict[str, str]]:
    """Clean answers and per-item error messages in ``lang`` (Vietnamese by default).

    Items are taken in order so that ``show_if`` sees the cleaned earlier answers; an answer
    to a hidden item is refused, and a hidden item never counts as a missing answer.
    """
    clean: dict[str, Answer] = {}
    errors: dict[str, str] = {}
    known = {item.code for item in q.items}
    for code in raw:
        if code not in known:
            errors[str(code)] = Message.ANSWER_UNKNOWN_ITEM.text(lang)
    for item in q.items:
        value = raw.get(item.code)
        if not is_visible(item, clean):
            if not _is_empty(value):
                errors[item.code] = Message.ANSWER_HIDDEN.text(lang)
            continue
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
