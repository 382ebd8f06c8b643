"""The build context and small typed getters over the located tree.

Each getter records a located problem and returns None instead of raising, so one pass over a
definition reports every problem in it rather than the first one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .messages import Message, Problem, Severity
from .model import Item, Source, Text
from .yamlread import Map, Node, Scalar, Seq, describe

CODE_RE = re.compile(r"[a-z][a-z0-9_]{0,62}")
TEXT_KEYS = ("vi", "en")

# (path as written, where) -> (resolved name, fragment tree) or None when not found
IncludeFn = Callable[[str, Source], "tuple[str, Node | None] | None"]


@dataclass
class ItemRecord:
    code: str | None  # as written, when it is a text
    mark: Source
    item: Item | None  # None when the item has errors of its own
    leaves: list = field(default_factory=list)  # show_if leaves with their locations


class Ctx:
    """Collects problems; knows how to fetch an included file."""

    def __init__(self, include: IncludeFn) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.include = include
        self.include_stack: list[str] = []
        # every item in order, built or not, so cross-item checks see the whole definition
        self.records: list[ItemRecord] = []

    def add(self, code: Message, mark: Source, item: str | None = None, **params: object) -> None:
        problem = Problem(code, mark.file, mark.line, mark.column, item, params)
        (self.errors if code.severity is Severity.ERROR else self.warnings).append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            (self.errors if p.severity is Severity.ERROR else self.warnings).append(p)


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest known word for a "did you mean" hint (difflib), or None."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return close[0] if close else None


def expect_map(node: Node, key: str, ctx: Ctx, item: str | None = None) -> Map | None:
    if isinstance(node, Map):
        return node
    ctx.add(Message.WRONG_TYPE, node.mark, item, key=key, expected="a mapping", got=describe(node))
    return None


def expect_seq(node: Node, key: str, ctx: Ctx, item: str | None = None) -> Seq | None:
    if isinstance(node, Seq):
        return node
    ctx.add(Message.WRONG_TYPE, node.mark, item, key=key, expected="a list", got=describe(node))
    return None


def check_keys(node: Map, allowed: Iterable[str], ctx: Ctx, item: str | None = None) -> None:
    allowed = tuple(allowed)
    for key in node.entries:
        if key not in allowed:
            ctx.add(Message.UNKNOWN_KEY, node.key_mark(key), item, key=key,
                    suggestion=suggest(key, allowed))


def require(node: Map, key: str, ctx: Ctx, item: str | None = None) -> Node | None:
    if key not in node.entries:
        ctx.add(Message.MISSING_KEY, node.mark, item, key=key)
        return None
    return node.entries[key]


def scalar_of(node: Map, key: str, kinds: tuple[type, ...], expected: str, ctx: Ctx,
              item: str | None = None, required: bool = False) -> object:
    """The value of ``key`` if it is a scalar of one of ``kinds`` (bool never counts as int)."""
    value_node = require(node, key, ctx, item) if required else node.entries.get(key)
    if value_node is None:
        return None
    value = value_node.value if isinstance(value_node, Scalar) else value_node
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        ctx.add(Message.WRONG_TYPE, value_node.mark, item, key=key, expected=expected,
                got=describe(value_node))
        return None
    return value


def get_str(node: Map, key: str, ctx: Ctx, item: str | None = None,
            required: bool = False) -> str | None:
    return scalar_of(node, key, (str,), "a text", ctx, item, required)  # type: ignore[return-value]


def get_bool(node: Map, key: str, ctx: Ctx, item: str | None = None) -> bool:
    return bool(scalar_of(node, key, (bool,), "true or false", ctx, item))


def get_int(node: Map, key: str, ctx: Ctx, item: str | None = None) -> int | None:
    return scalar_of(node, key, (int,), "a whole number", ctx, item)  # type: ignore[return-value]


def get_code(node: Map, key: str, ctx: Ctx, item: str | None = None,
             required: bool = True) -> str | None:
    value = get_str(node, key, ctx, item, required)
    if value is not None and not CODE_RE.fullmatch(value):
        ctx.add(Message.BAD_CODE, node.entries[key].mark, item, value=value)
        return None
    return value


def get_text(node: Map, key: str, ctx: Ctx, item: str | None = None,
             required: bool = False) -> Text | None:
    """A bilingual text: ``{vi: ..., en: ...}``, or a plain string meaning Vietnamese only."""
    value_node = require(node, key, ctx, item) if required else node.entries.get(key)
    if value_node is None:
        return None
    if isinstance(value_node, Scalar) and isinstance(value_node.value, str):
        return _text(value_node.value, None, value_node.mark, key, ctx, item)
    text_map = expect_map(value_node, key, ctx, item)
    if text_map is None:
        return None
    check_keys(text_map, TEXT_KEYS, ctx, item)
    vi = get_str(text_map, "vi", ctx, item)
    en = get_str(text_map, "en", ctx, item)
    return _text(vi, en, text_map.mark, key, ctx, item)


def _text(vi: str | None, en: str | None, mark: Source, key: str, ctx: Ctx,
          item: str | None) -> Text | None:
    if not (vi or "").strip():
        ctx.add(Message.MISSING_VI_LABEL, mark, item, key=key)
        return None
    return Text(vi.strip(), en.strip() if en and en.strip() else None)  # type: ignore[union-attr]
