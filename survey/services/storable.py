"""Text that a JSON or form decoder accepts but no database can store.

JSON may spell a lone surrogate ("\\ud800") and NUL ("\\u0000"): Python decodes both into a
`str`, but neither encodes to UTF-8 for SQLite nor is accepted in PostgreSQL text. Such input
must be refused as invalid (422, naming the field) before it reaches a query, never found by
the driver as a server error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
MESSAGE = "holds characters that cannot be stored (a NUL or a lone surrogate)"


def unstorable(text: object, *, answer: bool = False) -> bool:
    # In an answer a NUL does no harm: a text answer drops control characters and keeps the
    # rest of what the citizen wrote (questionnaires/types.py, TextType.clean), and any other
    # answer holding one is refused by its own check. A lone surrogate survives both.
    pattern = _SURROGATE if answer else _UNSTORABLE
    return isinstance(text, str) and pattern.search(text) is not None


def unstorable_fields(value: object, path: str = "") -> list[str]:
    """The dotted paths of every key or string in `value` that cannot be stored."""
    found: list[str] = []
    if isinstance(value, str):
        if unstorable(value, answer=path.startswith("answers.")):
            found.append(path or "body")
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            name = f"{path}.{key}" if path else str(key)
            if unstorable(key):
                found.append(path or "body")
            else:
                found.extend(unstorable_fields(inner, name))
    elif isinstance(value, list | tuple):
        for inner in value:
            found.extend(unstorable_fields(inner, path))
    return found
