"""Normalise and validate the located tree into typed objects (one pass, all problems).

Every builder returns None when its part has errors; the caller never sees a partial
questionnaire because ``build`` returns None as soon as any error was recorded.
"""

from __future__ import annotations

import re

from . import checks, conditions
from .fields import (
    Ctx,
    ItemRecord,
    check_keys,
    expect_map,
    expect_seq,
    get_bool,
    get_code,
    get_int,
    get_str,
    get_text,
    require,
    suggest,
)
from .messages import Message
from .model import ELEMENTS, KINDS, MISSING_CODES, Choice, Item, Questionnaire, Section
from .types import OPTION_KEYS, TYPES, ChoiceType
from .yamlread import Map, Node, Scalar, describe, plain

QUESTIONNAIRE_KEYS = ("code", "kind", "title", "intro", "service_areas", "sections")
SECTION_KEYS = ("code", "title", "items")
FRAGMENT_KEYS = ("description", "sections")
ITEM_KEYS = ("code", "type", "label", "help", "required", "element", "overall", "no_answer",
             "show_if", "demographic", "respondent_type", *sorted(OPTION_KEYS))
RESPONDENT_CODES = ("individual", "organisation")
# Choice codes as XLSForm allows them: numbers (1-5, -99, 2022: the SPSS/Kobo norm) or names
# in any script (">150", "père"); never a space (it separates the codes of a multi_choice
# answer) nor a quote (a condition quotes its value), nor a formula's first character.
CHOICE_CODE_RE = re.compile(r"-?[0-9]{1,18}|[^\s'\"=+@-][^\s'\"]{0,62}")


def build(root: Node | None, filename: str, ctx: Ctx) -> Questionnaire | None:
    if root is None:
        root = Scalar(checks.file_start(filename), None)
    node = expect_map(root, "questionnaire", ctx)
    if node is None:
        return None
    check_keys(node, QUESTIONNAIRE_KEYS, ctx)
    code = get_code(node, "code", ctx)
    kind = get_str(node, "kind", ctx, required=True)
    if kind is not None and kind not in KINDS:
        ctx.add(Message.UNKNOWN_KIND, node.entries["kind"].mark, value=kind,
                suggestion=suggest(kind, KINDS))
    title = get_text(node, "title", ctx, required=True)
    intro = get_text(node, "intro", ctx)
    areas = _code_list(node, "service_areas", ctx)
    sections_node = require(node, "sections", ctx)
    sections = _sections(sections_node, ctx) if sections_node is not None else []
    checks.run(sections, ctx, kind, node.mark)
    if ctx.errors:
        return None
    return Questionnaire(code, kind, title, tuple(sections), intro, areas,  # type: ignore[arg-type]
                         source=node.mark)


def _code_list(node: Map, key: str, ctx: Ctx) -> tuple[str, ...]:
    seq_node = node.entries.get(key)
    if seq_node is None:
        return ()
    seq = expect_seq(seq_node, key, ctx)
    if seq is None:
        return ()
    codes = []
    for entry in seq.items:
        wrapper = Map(entry.mark, {key: entry}, {key: entry.mark})
        value = get_code(wrapper, key, ctx)
        if value is not None:
            codes.append(value)
    return tuple(codes)


def _sections(node: Node, ctx: Ctx) -> list[Section]:
    seq = expect_seq(node, "sections", ctx)
    if seq is None:
        return []
    sections: list[Section] = []
    for entry in seq.items:
        if isinstance(entry, Map) and "include" in entry.entries:
            sections.extend(_include(entry, ctx))
        else:
            section = _section(entry, ctx)
            if section is not None:
                sections.append(section)
    return sections


def _include(node: Map, ctx: Ctx) -> list[Section]:
    check_keys(node, ("include",), ctx)
    path = get_str(node, "include", ctx)
    if path is None:
        return []
    found = ctx.include(path, node.entries["include"].mark)
    if found is None:
        return []
    name, root = found
    if name in ctx.include_stack:
        ctx.add(Message.INCLUDE_CYCLE, node.entries["include"].mark, path=path)
        return []
    fragment = expect_map(root, "fragment", ctx) if root is not None else None
    if fragment is None:
        return []
    check_keys(fragment, FRAGMENT_KEYS, ctx)
    ctx.include_stack.append(name)
    try:
        body = require(fragment, "sections", ctx)
        return _sections(body, ctx) if body is not None else []
    finally:
        ctx.include_stack.pop()


def _section(node: Node, ctx: Ctx) -> Section | None:
    section = expect_map(node, "section", ctx)
    if section is None:
        return None
    before = len(ctx.errors)
    check_keys(section, SECTION_KEYS + ("include",), ctx)
    code = get_code(section, "code", ctx)
    title = get_text(section, "title", ctx, required=True)
    items: list[Item] = []
    items_node = section.entries.get("items")
    seq = expect_seq(items_node, "items", ctx) if items_node is not None else None
    for entry in seq.items if seq is not None else []:
        item = _item(entry, ctx)
        if item is not None:
            items.append(item)
    if len(ctx.errors) > before:
        return None
    return Section(code, title, tuple(items), source=section.mark)  # type: ignore[arg-type]


def _item(node: Node, ctx: Ctx) -> Item | None:
    item = expect_map(node, "item", ctx)
    if item is None:
        return None
    before = len(ctx.errors)
    raw_code = item.entries.get("code")
    ref = raw_code.value if isinstance(raw_code, Scalar) and isinstance(raw_code.value, str) \
        else None
    check_keys(item, ITEM_KEYS, ctx, ref)
    code = get_code(item, "code", ctx, ref)
    type_name = _type(item, ctx, ref)
    fields = _options(item, type_name, ctx, ref)
    fields.update(_flags(item, type_name, fields.get("choices", ()), ctx, ref))
    show_if, leaves = None, []
    if "show_if" in item.entries:
        show_if, leaves = conditions.parse(item.entries["show_if"], ctx, ref)
    result = Item(
        code=code or "", type=type_name or "", show_if=show_if, source=item.mark,
        label=get_text(item, "label", ctx, ref, required=True),  # type: ignore[arg-type]
        help=get_text(item, "help", ctx, ref), required=get_bool(item, "required", ctx, ref),
        **fields)
    if len(ctx.errors) > before:
        result = None
    ctx.records.append(ItemRecord(ref, item.mark, result, leaves))
    return result


def _type(item: Map, ctx: Ctx, ref: str | None) -> str | None:
    name = get_str(item, "type", ctx, ref, required=True)
    if name is not None and name not in TYPES:
        ctx.add(Message.UNKNOWN_TYPE, item.entries["type"].mark, ref, value=name,
                suggestion=suggest(name, TYPES))
        return None
    return name


def _options(item: Map, type_name: str | None, ctx: Ctx, ref: str | None) -> dict:
    kind = TYPES.get(type_name or "")
    for key in OPTION_KEYS & item.entries.keys():
        if kind is not None and key not in kind.options:
            ctx.add(Message.OPTION_NOT_FOR_TYPE, item.key_mark(key), ref, key=key, type=type_name)
    fields: dict[str, object] = {"missing_codes": _missing_codes(item, ctx, ref)}
    if isinstance(kind, ChoiceType):
        choices_node = require(item, "choices", ctx, ref)
        fields["choices"] = _choices(choices_node, ctx, ref) if choices_node else ()
    if kind is not None and "min" in kind.options:
        low, high = get_int(item, "min", ctx, ref), get_int(item, "max", ctx, ref)
        if low is not None and high is not None and low > high:
            ctx.add(Message.MIN_GREATER_THAN_MAX, item.key_mark("min"), ref, min=low, max=high)
        fields.update(min=low, max=high)
    if kind is not None and "max_length" in kind.options:
        length = get_int(item, "max_length", ctx, ref)
        if length is not None and length <= 0:
            ctx.add(Message.NOT_POSITIVE, item.entries["max_length"].mark, ref, key="max_length")
        fields["max_length"] = length
    return fields


def _missing_codes(item: Map, ctx: Ctx, ref: str | None) -> tuple[int, ...]:
    """``no_answer: true`` allows 97, 98 and 99; a list allows just those codes."""
    node = item.entries.get("no_answer")
    if node is None:
        return ()
    value = plain(node)
    if isinstance(value, bool):
        return MISSING_CODES if value else ()
    if not isinstance(value, list) or not value or \
            not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        ctx.add(Message.WRONG_TYPE, node.mark, ref, key="no_answer",
                expected="true, false or a list of 97, 98, 99", got=describe(node))
        return ()
    for code in value:
        if code not in MISSING_CODES:
            ctx.add(Message.BAD_MISSING_CODE, node.mark, ref, value=code)
    return tuple(sorted(set(value)))


def _choices(node: Node, ctx: Ctx, ref: str | None) -> tuple[Choice, ...]:
    seq = expect_seq(node, "choices", ctx, ref)
    if seq is None:
        return ()
    choices: list[Choice] = []
    seen: set[str] = set()
    for entry in seq.items:
        choice = expect_map(entry, "choice", ctx, ref)
        if choice is None:
            continue
        check_keys(choice, ("code", "label"), ctx, ref)
        code = get_str(choice, "code", ctx, ref, required=True)
        if code is not None and not CHOICE_CODE_RE.fullmatch(code):
            ctx.add(Message.BAD_CHOICE_CODE, choice.entries["code"].mark, ref, value=code)
            code = None
        label = get_text(choice, "label", ctx, ref, required=True)
        if code is not None and code in seen:
            ctx.add(Message.DUPLICATE_CHOICE_CODE, choice.entries["code"].mark, ref, value=code)
        elif code is not None and label is not None:
            seen.add(code)
            choices.append(Choice(code, label))
    if len(seq.items) < 2:
        ctx.add(Message.TOO_FEW_CHOICES, seq.mark, ref)
    return tuple(choices)


def _flags(item: Map, type_name: str | None, choices: tuple[Choice, ...], ctx: Ctx,
           ref: str | None) -> dict:
    kind = TYPES.get(type_name or "")
    element = get_str(item, "element", ctx, ref)
    if element is not None and element not in ELEMENTS:
        ctx.add(Message.UNKNOWN_ELEMENT, item.entries["element"].mark, ref, value=element)
    overall = get_bool(item, "overall", ctx, ref)
    for key, on in (("element", element is not None), ("overall", overall)):
        if on and kind is not None and not kind.is_satisfaction:
            ctx.add(Message.NOT_A_SATISFACTION_ITEM, item.key_mark(key), ref, key=key)
    respondent = get_bool(item, "respondent_type", ctx, ref)
    if respondent and (type_name != "single_choice"
                       or sorted(c.code for c in choices) != sorted(RESPONDENT_CODES)):
        ctx.add(Message.RESPONDENT_TYPE_CHOICES, item.key_mark("respondent_type"), ref)
    return {"element": element, "overall": overall, "respondent_type": respondent,
            "demographic": get_code(item, "demographic", ctx, ref, required=False)}

