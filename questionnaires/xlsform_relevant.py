"""``show_if`` conditions as XLSForm ``relevant`` expressions, and back.

Only the simple forms reformers and KoboToolbox users write are understood: ``${q} = 'x'``,
``${q} != 'x'``, ``selected(${q}, 'x')``, ``not(selected(${q}, 'x'))``, comparisons with numbers
(``<``, ``>``, ``<=``, ``>=``), ``${q} != ''`` (answered), joined by ``and`` / ``or`` with
parentheses. Anything else is refused rather than guessed, because a wrongly mapped condition
would silently hide questions from citizens.

``in`` is written as an ``or`` of equalities on one item and ``not_in`` as an ``and`` of
inequalities; reading turns such chains back into ``in`` / ``not_in`` (same meaning).
"""

from __future__ import annotations

import re
from collections.abc import Callable

# target code -> "int" or "text" (storage) and whether it is a multi_choice
TargetInfo = Callable[[str], tuple[str, bool] | None]


class RelevantError(ValueError):
    """The expression is not one of the simple forms; the message says what was found."""


# --- writing --------------------------------------------------------------------------------


def _literal(value: object, storage: str) -> str:
    if storage == "int" and isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "") + "'"


def _leaf(item: str, op: str, value: object, info: TargetInfo) -> str:
    storage, multi = info(item) or ("text", False)
    ref = "${" + item + "}"
    if op == "answered":
        return f"{ref} != ''" if value else f"{ref} = ''"
    if op in ("less", "greater"):
        return f"{ref} {'<' if op == 'less' else '>'} {value}"
    if op in ("in", "not_in"):
        sub = "equals" if op == "in" else "not_equals"
        joiner = " or " if op == "in" else " and "
        return "(" + joiner.join(_leaf(item, sub, v, info) for v in value) + ")"  # type: ignore[attr-defined]
    if multi:
        text = f"selected({ref}, {_literal(value, 'text')})"
        return text if op == "equals" else f"not({text})"
    return f"{ref} {'=' if op == 'equals' else '!='} {_literal(value, storage)}"


def to_relevant(cond: dict, info: TargetInfo, nested: bool = False) -> str:
    """The XLSForm expression of a plain ``show_if`` dict (as ``to_dict`` writes it)."""
    for group, joiner in (("all", " and "), ("any", " or ")):
        if group in cond:
            text = joiner.join(to_relevant(c, info, nested=True) for c in cond[group])
            return f"({text})" if nested else text
    op = next(k for k in cond if k != "item")
    return _leaf(cond["item"], op, cond[op], info)


# --- reading --------------------------------------------------------------------------------

_TOKEN = re.compile(r"""\s*(?:(?P<ref>\$\{[A-Za-z_][A-Za-z0-9_.-]*\})|(?P<str>'[^']*'|"[^"]*")
    |(?P<num>-?\d+(?:\.\d+)?)|(?P<op>!=|<=|>=|=|<|>)|(?P<punct>[(),])
    |(?P<word>[A-Za-z_][A-Za-z0-9_-]*))""", re.VERBOSE)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text.rstrip()):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise RelevantError(f"cannot read '{text[pos:].strip()[:20]}'")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, info: TargetInfo):
        self.tokens = _tokens(text)
        self.pos = 0
        self.info = info

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            found = "the end" if token is None else f"'{token[1]}'"
            raise RelevantError(f"expected {value or kind}, found {found}")
        self.pos += 1
        return token[1]

    def word(self, value: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "word" and token[1] == value:
            self.pos += 1
            return True
        return False

    def parse(self) -> dict:
        cond = self.expr()
        if self.peek() is not None:
            raise RelevantError(f"unexpected '{self.peek()[1]}'")  # type: ignore[index]
        return cond

    def expr(self) -> dict:
        parts = [self.conjunction()]
        while self.word("or"):
            parts.append(self.conjunction())
        return _join("any", parts)

    def conjunction(self) -> dict:
        parts = [self.atom()]
        while self.word("and"):
            parts.append(self.atom())
        return _join("all", parts)

    def atom(self) -> dict:
        token = self.peek()
        if token == ("punct", "("):
            self.pos += 1
            cond = self.expr()
            self.take("punct", ")")
            return cond
        if self.word("not"):
            self.take("punct", "(")
            inner = self.selected()
            self.take("punct", ")")
            return {"item": inner["item"], "not_equals": inner["equals"]}
        if self.word("selected"):
            self.pos -= 1
            return self.selected()
        return self.comparison()

    def selected(self) -> dict:
        if not self.word("selected"):
            raise RelevantError("only not(selected(...)) can be negated")
        self.take("punct", "(")
        item = self.ref()
        self.take("punct", ",")
        value = self.value(item, text_only=True)
        self.take("punct", ")")
        return {"item": item, "equals": value}

    def ref(self) -> str:
        return self.take("ref")[2:-1]

    def comparison(self) -> dict:
        item = self.ref()
        op = self.take("op")
        token = self.peek()
        if token is not None and token[0] == "str" and token[1] in ("''", '""'):
            self.pos += 1
            if op not in ("=", "!="):
                raise RelevantError(f"'{op}' cannot compare with an empty text")
            return {"item": item, "answered": op == "!="}
        value = self.value(item)
        if op in ("=", "!="):
            return {"item": item, "equals" if op == "=" else "not_equals": value}
        if not isinstance(value, int):
            raise RelevantError(f"'{op}' needs a whole number")
        # integers: a <= n is a < n + 1, so the two stored operators are enough
        shifted = {"<": ("less", value), ">": ("greater", value),
                   "<=": ("less", value + 1), ">=": ("greater", value - 1)}[op]
        return {"item": item, shifted[0]: shifted[1]}

    def value(self, item: str, text_only: bool = False) -> int | str:
        kind, raw = self.peek() or ("", "")
        if kind not in ("str", "num"):
            raise RelevantError(f"expected a value, found '{raw}'" if raw else
                                "expected a value, found the end")
        self.pos += 1
        text = raw[1:-1] if kind == "str" else raw
        storage = (self.info(item) or ("text", False))[0]
        if storage == "int" and not text_only and re.fullmatch(r"-?\d+", text):
            return int(text)
        if kind == "num" and "." in text:
            raise RelevantError(f"decimal number {text} is not supported")
        return text


def _join(group: str, parts: list[dict]) -> dict:
    if len(parts) == 1:
        return parts[0]
    flat: list[dict] = []
    for part in parts:  # a and (b and c) is one group of three
        flat.extend(part[group] if group in part else [part])
    leaf_op = "equals" if group == "any" else "not_equals"
    items = {p.get("item") for p in flat}
    if len(items) == 1 and None not in items and all(leaf_op in p for p in flat):
        return {"item": items.pop(), ("in" if group == "any" else "not_in"):
                [p[leaf_op] for p in flat]}
    return {group: flat}


def from_relevant(text: str, info: TargetInfo) -> dict:
    """The plain ``show_if`` dict of a simple ``relevant`` expression; RelevantError if not."""
    return _Parser(text, info).parse()
