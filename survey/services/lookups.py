"""Per-process memory of the small look-ups every submission makes.

A response names its questionnaire, unit and service area by code; turning those codes into
ids is three queries, a sixth of the cost of storing the response. The answers hardly ever
change: a published version never does, units and service areas are reference data. So each
worker keeps what it read for a short time (`LOOKUP_SECONDS`), per database.

What staleness can do, and why it is harmless:
- "the latest version" may lag a new publication by up to that time in other workers (the
  worker that publishes forgets at once): the response is stored under, and checked against,
  the previous published version, which is still a valid version;
- a unit whose code changed keeps its id, so its responses still land on the right unit;
- a deleted unit or version makes the insert fail its foreign key: `submit` then calls
  `forget()` and checks again, so the citizen gets a clear "unknown unit".
Codes that are not found are never remembered, so a new unit is usable at once.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import Flask, current_app

from survey.extensions import db

LOOKUP_SECONDS = 30.0
T = TypeVar("T")

_MEMORY: dict[tuple[str, Hashable], tuple[float, object]] = {}
_GUARD = threading.Lock()
_MAX_ENTRIES = 10_000


def remembered(key: Hashable, read: Callable[[], T | None]) -> T | None:
    """`read()` once per LOOKUP_SECONDS for this database and key; None is never kept."""
    where = _database()
    now = time.monotonic()
    found = _MEMORY.get((where, key))
    if found is not None and now - found[0] < LOOKUP_SECONDS:
        return found[1]  # type: ignore[return-value]
    value = read()
    if value is not None:
        with _GUARD:
            if len(_MEMORY) >= _MAX_ENTRIES:  # a long-lived worker that saw many codes
                _MEMORY.clear()
            _MEMORY[(where, key)] = (now, value)
    return value


def forget() -> None:
    """Drop everything remembered for the current database (after a change or a failure)."""
    where = _database()
    with _GUARD:
        for key in [k for k in _MEMORY if k[0] == where]:
            del _MEMORY[key]


_URLS: weakref.WeakKeyDictionary[Flask, str] = weakref.WeakKeyDictionary()


def _database() -> str:
    # Several apps (tests, the CLI) may live in one process, each with its own database.
    # Rendering the URL costs more than the look-up it keys, so it is kept per app (an app's
    # engine, hence its URL, never changes).
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    where = _URLS.get(app)
    if where is None:
        where = _URLS[app] = db.engine.url.render_as_string()
    return where
