"""The public read side: text, files and plain dicts in; a Questionnaire or a Report out."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from . import checks
from .build import build
from .fields import Ctx
from .messages import DefinitionError, Message, Problem, Report
from .model import Questionnaire, Source
from .yamlread import Node, from_plain, parse

LIBRARY_DIR = Path(__file__).parent / "library"
SUFFIXES = (".yaml", ".yml", ".json")


def builtin_paths() -> list[Path]:
    """The built-in questionnaire files (the shared fragments in ``library/core`` excluded)."""
    return sorted(p for p in LIBRARY_DIR.iterdir() if p.suffix in SUFFIXES and p.is_file())


def load_builtins() -> dict[str, Questionnaire]:
    """Every built-in questionnaire by its code."""
    loaded = (load_file(path) for path in builtin_paths())
    return {q.code: q for q in loaded}


def _read(path: Path, name: str) -> tuple[str | None, list[Problem]]:
    try:
        data = path.read_bytes()
    except OSError:
        return None, [Problem(Message.FILE_NOT_FOUND, name)]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(Message.FILE_NOT_UTF8, name, line)]


def _includer(ctx: Ctx):
    """Resolve an include relative to the including file, then to the built-in library."""

    def include(rel: str, mark: Source) -> tuple[str, Node | None] | None:
        base = Path(mark.file).parent if not mark.file.startswith("<") else None
        candidates = [base / rel] if base is not None else []
        candidates.append(LIBRARY_DIR / rel)
        path = next((p for p in candidates if p.is_file()), None)
        if os.path.isabs(rel) or path is None or path.suffix not in SUFFIXES:
            ctx.add(Message.INCLUDE_NOT_FOUND, mark, path=rel)
            return None
        name = os.path.normpath(path)
        if name in ctx.include_stack:
            return name, None
        text, problems = _read(path, name)
        ctx.extend(problems)
        if text is None:
            return None
        root, problems = parse(text, name)
        ctx.extend(problems)
        return name, root

    return include


# ``service_areas``: the area codes the caller knows (None: not checked, as in the pure
# library's own tests and the built-in files); the web app and CLI pass its database's.
Areas = Collection[str] | None


def _run(root: Node | None, problems: list[Problem], filename: str, service_areas: Areas = None,
         ) -> tuple[Questionnaire | None, Report]:
    ctx = Ctx(include=lambda rel, mark: None)
    ctx.include = _includer(ctx)
    ctx.include_stack.append(os.path.normpath(filename))
    ctx.extend(problems)
    questionnaire = None
    if not ctx.errors:  # a file that did not parse has no tree to check
        if service_areas is not None:
            checks.service_areas(root, service_areas, ctx)
        questionnaire = build(root, filename, ctx)
    report = Report(tuple(ctx.errors), tuple(ctx.warnings))
    return (questionnaire if report.ok else None), report


def check_text(text: str, filename: str = "<text>", service_areas: Areas = None,
               ) -> tuple[Questionnaire | None, Report]:
    """Read, normalise and validate ``text``; never raises for bad content."""
    root, problems = parse(text, filename)
    return _run(root, problems, filename, service_areas)


def check_file(path: str | os.PathLike[str], service_areas: Areas = None) -> Report:
    """The errors and warnings of the file at ``path``; never raises for bad content."""
    return _check_path(path, service_areas)[1]


def _check_path(path: str | os.PathLike[str], service_areas: Areas = None,
                ) -> tuple[Questionnaire | None, Report]:
    name = os.fspath(path)
    text, problems = _read(Path(name), name)
    if text is None:
        return None, Report(tuple(problems))
    return check_text(text, name, service_areas)


def load_text(text: str, filename: str = "<text>", service_areas: Areas = None,
              ) -> Questionnaire:
    """The questionnaire in ``text``; ``DefinitionError`` if it has any error."""
    return _loaded(*check_text(text, filename, service_areas))


def load_file(path: str | os.PathLike[str], service_areas: Areas = None) -> Questionnaire:
    """The questionnaire in the file at ``path``; ``DefinitionError`` if it has any error."""
    return _loaded(*_check_path(path, service_areas))


def from_dict(data: object, filename: str = "<dict>", service_areas: Areas = None,
              ) -> Questionnaire:
    """A questionnaire from plain data (as ``to_dict`` gives), validated like a file."""
    try:
        root = from_plain(data, filename)
    except ValueError:
        raise DefinitionError([Problem(Message.TOO_LARGE, filename)]) from None
    return _loaded(*_run(root, [], filename, service_areas))


def _loaded(questionnaire: Questionnaire | None, report: Report) -> Questionnaire:
    if questionnaire is None:
        raise DefinitionError(report.errors)
    return questionnaire
