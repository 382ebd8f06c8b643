"""Questionnaire definitions for hailong: read → normalise → validate → typed objects.

A pure library (no Flask, no database). A questionnaire is a YAML (or JSON) file; the loaders
return frozen dataclasses or report every problem with its file, line, column and item code,
from one catalogue of messages (:class:`Message`) in English and Vietnamese.

Reading
    ``load_file(path) -> Questionnaire`` and ``load_text(text, filename="<text>")`` raise
    :class:`DefinitionError` (``.problems``: a tuple of :class:`Problem`) when there is any
    error; nothing is ever loaded partly. ``check_file(path) -> Report(errors, warnings)`` and
    ``check_text(text, filename) -> (Questionnaire | None, Report)`` never raise for bad content.
    ``{include: path}`` in ``sections`` is resolved relative to the including file, then to the
    built-in library (``library/core/*.yaml`` hold the shared SIPAS core).
    ``builtin_paths() -> list[Path]`` and ``load_builtins() -> dict[code, Questionnaire]``.

Objects
    ``Questionnaire(code, kind, title, sections, intro, service_areas)`` with ``.items`` (flat,
    in order), ``.item(code)``, ``.overall_item``, ``.respondent_type_item``,
    ``.element_items(element)``; ``Section(code, title, items)``; ``Item(code, type, label,
    help, required, element, overall, missing_codes, choices, min, max, max_length, show_if,
    demographic, respondent_type)``; ``Choice(code, label)``; ``Condition(op, item, value,
    conditions)``; ``Text(vi, en).get(lang)``; ``Answer(value_int, value_text, missing_code)``.

Export and versions
    ``to_dict(q)`` (JSON-safe, self-contained), ``from_dict(data)`` (validated),
    ``dump_yaml(q) -> str`` (loads back equal), ``content_hash(q) -> str`` (sha256 hex of the
    canonical JSON); ``diff(old, new) -> Diff(added, removed, changed, meta)`` with each
    changed field's old and new text (``FieldChange``); ``wording_revisions(old, new)`` (kept
    codes whose text changed but not their scale: comparable, docs/METHODOLOGY.md §8);
    ``incompatible_changes(old, new) -> list[Problem]`` (a kept code whose type or choice
    codes changed: publishing must be refused, the item needs a new code).
    The loaders take ``service_areas=`` (the known area codes) to refuse unknown ones.

Answers
    ``is_visible(item, answers) -> bool`` evaluates ``show_if`` on cleaned answers;
    ``validate_answers(q, raw, lang="vi") -> (dict[code, Answer], dict[code, message])``;
    ``clean_answer(item, raw) -> Answer | None`` (raises ``AnswerError``).

XLSForm
    ``to_xlsform(q) -> bytes`` (an .xlsx with survey, choices and settings sheets; pyxform
    converts it) and ``import_xlsform(data, filename, strict=False) -> XlsImport(questionnaire,
    warnings)`` for .xlsx and .xls forms as Kobo/ODK write them, raising :class:`XlsformError`
    whose ``.problems`` (:class:`XlsProblem`) each name the sheet, row and column; the
    warnings list what is not carried over (``strict``: they refuse too).
    ``from_xlsform(data, filename) -> Questionnaire`` (lenient);
    ``from_xlsform(to_xlsform(q)) == q``.

Types
    ``TYPES`` / ``get_type(name)``: each :class:`ItemType` knows ``values(item)``,
    ``value_labels(item)``, ``clean(item, raw)``, ``storage`` ("int" or "text"),
    ``is_rating``, ``is_satisfaction``, ``threshold`` and ``is_satisfied(value)`` (likert5 >= 4,
    rating3 >= 2, expectation4 >= 3). ``MISSING_LABELS`` names 97/98/99.
"""

from .answers import clean_answer, validate_answers
from .conditions import is_visible
from .export import content_hash, dump_yaml, to_dict
from .loader import (
    LIBRARY_DIR,
    builtin_paths,
    check_file,
    check_text,
    from_dict,
    load_builtins,
    load_file,
    load_text,
)
from .messages import DefinitionError, Message, Problem, Report, Severity
from .model import (
    ELEMENTS,
    KINDS,
    MISSING_CODES,
    MISSING_WORDS,
    OPERATORS,
    Answer,
    Choice,
    Condition,
    Item,
    Questionnaire,
    Section,
    Source,
    Text,
)
from .types import MISSING_LABELS, NO_ANSWER_LABEL, TYPES, AnswerError, ItemType, get_type
from .versions import (
    Diff,
    FieldChange,
    ItemChange,
    diff,
    incompatible_changes,
    unconfirmed_rewordings,
    wording_revisions,
)
from .xlsform import XlsformError, XlsImport, XlsProblem, from_xlsform, import_xlsform, to_xlsform

__all__ = [
    "ELEMENTS", "KINDS", "LIBRARY_DIR", "MISSING_CODES", "MISSING_LABELS", "MISSING_WORDS",
    "NO_ANSWER_LABEL", "OPERATORS", "TYPES", "Answer", "AnswerError", "Choice", "Condition",
    "DefinitionError", "Diff", "FieldChange", "Item", "ItemChange", "ItemType", "Message",
    "Problem", "Questionnaire", "Report", "Section", "Severity", "Source", "Text",
    "builtin_paths",
    "check_file", "check_text", "clean_answer", "content_hash", "diff", "dump_yaml",
    "from_dict", "get_type", "incompatible_changes", "is_visible", "load_builtins", "load_file",
    "load_text", "to_dict", "unconfirmed_rewordings", "validate_answers",
    "wording_revisions", "XlsImport", "XlsProblem", "XlsformError", "from_xlsform",
    "import_xlsform", "to_xlsform",
]
