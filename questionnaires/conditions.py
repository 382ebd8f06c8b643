"""``show_if`` conditions: structured data, parsed, checked against the items and evaluated.

A leaf is ``{item: CODE, OPERATOR: VALUE}`` with one operator of ``OPERATORS``; a group is
``{all: [...]}`` or ``{any: [...]}``. Nothing is ever evaluated as a string.

Semantics (documented for authors): a comparison on an item that is unanswered, hidden or
answered with a missing code (97/98/99) is false, ``not_equals`` and ``not_in`` included, so a
follow-up question only appears after a real answer. On a multi_choice item ``equals: x``
means "x is among the chosen codes" and ``in: [x, y]`` "any of them is chosen".
``answered: true`` holds when the item has a real value (not a missing code).
"""

from __future__ import annotations

from collections.abc import Mapping

from .fields import CODE_RE, Ctx, check_keys, suggest
from .messages import Message
from .model import OPERATORS, Answer, Condition, Item, Source
from .types import TYPES
from .yamlread import Map, Node, Scalar, Seq, describe, plain

GROUPS = ("all", "any")
Leaf = tuple[Condition, Source]


def parse(node: Node, ctx: Ctx, item: str | None) -> tuple[Condition | None, list[Leaf]]:
    """The condition in ``node`` and its leaves with their locations, or None on errors."""
    leaves: list[Leaf] = []
    before = len(ctx.errors)
    cond = _parse(node, ctx, item, leaves, 0)
    return (cond if len(ctx.errors) == before else None), leaves


def _parse(node: Node, ctx: Ctx, item: str | None, leaves: list[Leaf],
           depth: int) -> Condition | None:
    form = {"operators": ", ".join(OPERATORS + GROUPS)}
    if not isinstance(node, Map) or depth > 20:
        ctx.add(Message.SHOW_IF_FORM, node.mark, item, **form)
        return None
    groups = [k for k in GROUPS if k in node.entries]
    if groups:
        if len(node.entries) != 1:
            ctx.add(Message.SHOW_IF_FORM, node.mark, item, **form)
            return None
        body = node.entries[groups[0]]
        if not isinstance(body, Seq) or not body.items:
            ctx.add(Message.WRONG_TYPE, body.mark, item, key=groups[0],
                    expected="a non-empty list of conditions", got=describe(body))
            return None
        parts = [_parse(n, ctx, item, leaves, depth + 1) for n in body.items]
        if any(p is None for p in parts):
            return None
        return Condition(groups[0], conditions=tuple(parts))  # type: ignore[arg-type]
    return _leaf(node, ctx, item, leaves)


def _leaf(node: Map, ctx: Ctx, item: str | None, leaves: list[Leaf]) -> Condition | None:
    check_keys(node, ("item", *OPERATORS), ctx, item)
    ops = [k for k in OPERATORS if k in node.entries]
    target = node.entries.get("item")
    if len(ops) != 1 or target is None:
        ctx.add(Message.SHOW_IF_FORM, node.mark, item, operators=", ".join(OPERATORS + GROUPS))
        return None
    if not (isinstance(target, Scalar) and isinstance(target.value, str)
            and CODE_RE.fullmatch(target.value)):
        ctx.add(Message.BAD_CODE, target.mark, item, value=plain(target))
        return None
    op = ops[0]
    value = _value(op, node.entries[op], ctx, item)
    if value is None:
        return None
    cond = Condition(op, target.value, value)
    leaves.append((cond, node.mark))
    return cond


def _value(op: str, node: Node, ctx: Ctx, item: str | None) -> object:
    raw = plain(node)
    if op == "answered":
        ok = isinstance(raw, bool)
        expected = "true or false"
    elif op in ("less", "greater"):
        ok = isinstance(raw, int) and not isinstance(raw, bool)
        expected = "a whole number"
    elif op in ("in", "not_in"):
        ok = isinstance(raw, list) and bool(raw) and all(_atom(v) for v in raw)
        raw = tuple(_bool_to_int(v) for v in raw) if ok else raw  # type: ignore[union-attr]
        expected = "a non-empty list of numbers or codes"
    else:
        ok = _atom(raw)
        raw = _bool_to_int(raw)
        expected = "a number or a code"
    if not ok:
        ctx.add(Message.WRONG_TYPE, node.mark, item, key=op, expected=expected,
                got=describe(node))
        return None
    return raw


def _atom(value: object) -> bool:
    return isinstance(value, int | str)


def _bool_to_int(value: object) -> object:
    # `equals: true` on a yes_no item means the stored 1
    return int(value) if isinstance(value, bool) else value


def check(leaves: list[Leaf], item: Item, earlier: Mapping[str, Item], known: set[str],
          ctx: Ctx) -> None:
    """Each leaf must name an earlier item, use an operator its type has, and a value it takes."""
    for cond, mark in leaves:
        code = cond.item or ""  # leaves always name an item
        if code not in known:
            ctx.add(Message.SHOW_IF_UNKNOWN_ITEM, mark, item.code, target=code,
                    suggestion=suggest(code, known))
        elif code not in earlier:
            ctx.add(Message.SHOW_IF_LATER_ITEM, mark, item.code, target=code)
        else:
            _check_target(cond, earlier[code], mark, item, ctx)


def _check_target(cond: Condition, target: Item, mark: Source, item: Item, ctx: Ctx) -> None:
    kind = TYPES[target.type]
    if cond.op not in kind.operators:
        ctx.add(Message.SHOW_IF_OPERATOR, mark, item.code, operator=cond.op,
                target=target.code, type=target.type)
        return
    values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    for value in values:
        if cond.op == "less":
            possible = kind.can_be_less(target, value)  # type: ignore[arg-type]
        elif cond.op == "greater":
            possible = kind.can_be_greater(target, value)  # type: ignore[arg-type]
        else:
            possible = cond.op == "answered" or kind.can_take(target, value)
        if not possible:
            ctx.add(Message.SHOW_IF_IMPOSSIBLE_VALUE, mark, item.code, target=target.code,
                    value=value)


def evaluate(cond: Condition, answers: Mapping[str, object]) -> bool:
    """Whether ``cond`` holds for the cleaned answers (Answer objects, or plain int/str)."""
    if cond.op == "all":
        return all(evaluate(c, answers) for c in cond.conditions)
    if cond.op == "any":
        return any(evaluate(c, answers) for c in cond.conditions)
    answer = _as_answer(answers.get(cond.item))  # type: ignore[arg-type]
    has_value = answer is not None and answer.value is not None
    if cond.op == "answered":
        return has_value == cond.value
    if not has_value:
        return False
    if answer.value_int is not None:  # type: ignore[union-attr]
        return _compare(cond, {answer.value_int}, answer.value_int)  # type: ignore[union-attr]
    # choice answers are space-separated codes: one for single_choice, several for multi
    return _compare(cond, set(answer.value_text.split()), None)  # type: ignore[union-attr]


def _compare(cond: Condition, chosen: set[object], number: int | None) -> bool:
    if cond.op == "equals":
        return cond.value in chosen
    if cond.op == "not_equals":
        return cond.value not in chosen
    if cond.op == "in":
        return bool(chosen & set(cond.value))  # type: ignore[arg-type]
    if cond.op == "not_in":
        return not chosen & set(cond.value)  # type: ignore[arg-type]
    if number is None:
        return False
    return number < cond.value if cond.op == "less" else number > cond.value  # type: ignore[operator]


def _as_answer(value: object) -> Answer | None:
    if value is None or isinstance(value, Answer):
        return value
    if isinstance(value, bool):
        return Answer(value_int=int(value))
    if isinstance(value, int):
        return Answer(value_int=value)
    return Answer(value_text=str(value))


def is_visible(item: Item, answers: Mapping[str, object]) -> bool:
    """Whether ``item`` is shown given the cleaned answers so far (hidden items are absent)."""
    return item.show_if is None or evaluate(item.show_if, answers)


def to_plain(cond: Condition) -> dict[str, object]:
    """The YAML/JSON form of a condition."""
    if cond.op in GROUPS:
        return {cond.op: [to_plain(c) for c in cond.conditions]}
    value = list(cond.value) if isinstance(cond.value, tuple) else cond.value
    return {"item": cond.item, cond.op: value}
