"""Read YAML (or JSON, which YAML reads too) into a tree that remembers every line and column.

PyYAML's composer gives nodes with start marks; we keep them on our own small node classes so
every later check can name the line of the key or value it complains about. Plain Python data
(``from_dict``) goes through the same tree with unknown lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .messages import Message, Problem
from .model import Source

MAX_NODES = 200_000  # aliases can expand a small file into a huge tree ("billion laughs")
MAX_DEPTH = 100


@dataclass
class Node:
    mark: Source


@dataclass
class Scalar(Node):
    value: object = None


@dataclass
class Seq(Node):
    items: list[Node] = field(default_factory=list)


@dataclass
class Map(Node):
    entries: dict[str, Node] = field(default_factory=dict)
    key_marks: dict[str, Source] = field(default_factory=dict)

    def key_mark(self, key: str) -> Source:
        return self.key_marks.get(key, self.mark)


class _TooLarge(Exception):
    pass


def _source(filename: str, mark: yaml.Mark | None) -> Source:
    if mark is None:
        return Source(filename)
    return Source(filename, mark.line + 1, mark.column + 1)


def _yaml_problem(filename: str, text: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = _source(filename, mark)
    if mark is None:
        # the reader (bad characters) gives only an offset into the text
        position = getattr(exc, "position", 0) or 0
        line = text.count("\n", 0, position) + 1
        where = Source(filename, line, position - (text.rfind("\n", 0, position) + 1) + 1)
    detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return Problem(Message.YAML_SYNTAX, filename, where.line, where.column,
                   params={"detail": detail})


def parse(text: str, filename: str) -> tuple[Node | None, list[Problem]]:
    """Compose ``text``; return the located tree (None for an empty file) and its problems."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:  # a character YAML refuses, found before parsing
        return None, [_yaml_problem(filename, text, exc)]
    try:
        root = loader.get_single_node()
        if root is None:
            return None, []
        problems: list[Problem] = []
        tree = _Converter(loader, filename, problems).convert(root, 0, ())
        return tree, problems
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(filename, text, exc)]
    except (_TooLarge, RecursionError):
        return None, [Problem(Message.TOO_LARGE, filename, 1, 1)]
    finally:
        loader.dispose()


class _Converter:
    def __init__(self, loader: yaml.SafeLoader, filename: str, problems: list[Problem]) -> None:
        self.loader = loader
        self.filename = filename
        self.problems = problems
        self.count = 0

    def convert(self, node: yaml.Node, depth: int, path: tuple[int, ...]) -> Node:
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH or id(node) in path:
            raise _TooLarge
        mark = _source(self.filename, node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            return Scalar(mark, self.loader.construct_object(node))
        path = (*path, id(node))
        if isinstance(node, yaml.SequenceNode):
            return Seq(mark, [self.convert(n, depth + 1, path) for n in node.value])
        result = Map(mark)
        for key_node, value_node in node.value:
            key = self.convert(key_node, depth + 1, path)
            key_mark = key.mark
            if not isinstance(key, Scalar) or not isinstance(key.value, str):
                self._problem(Message.WRONG_TYPE, key_mark, key="key", expected="a text",
                              got=_describe(key))
                continue
            if key.value in result.entries:
                self._problem(Message.DUPLICATE_KEY, key_mark, key=key.value)
                continue
            result.entries[key.value] = self.convert(value_node, depth + 1, path)
            result.key_marks[key.value] = key_mark
        return result

    def _problem(self, code: Message, mark: Source, **params: object) -> None:
        self.problems.append(Problem(code, mark.file, mark.line, mark.column, params=params))


def from_plain(data: object, filename: str) -> Node:
    """Wrap plain Python data (e.g. JSON from the database) as a tree without line numbers."""
    return _plain(data, Source(filename), 0)


def _plain(data: object, mark: Source, depth: int) -> Node:
    if depth > MAX_DEPTH:
        raise ValueError("data nested too deeply")
    if isinstance(data, dict):
        entries = {str(k): _plain(v, mark, depth + 1) for k, v in data.items()}
        return Map(mark, entries, {})
    if isinstance(data, list | tuple):
        return Seq(mark, [_plain(v, mark, depth + 1) for v in data])
    return Scalar(mark, data)


def _describe(node: Node) -> str:
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    return describe_value(node.value)


def describe_value(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "a text",
             type(None): "empty"}
    return names.get(type(value), type(value).__name__)


def describe(node: Node) -> str:
    return _describe(node)


def plain(node: Node) -> object:
    """The plain Python value of a located tree."""
    if isinstance(node, Map):
        return {k: plain(v) for k, v in node.entries.items()}
    if isinstance(node, Seq):
        return [plain(v) for v in node.items]
    return node.value  # type: ignore[attr-defined]
