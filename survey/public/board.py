"""The scoreboard and the rendered pages, from the cache (see survey/public/cache.py).

Per request, in the common case: two reads from the store and no database query. Once per
PUBLIC_CACHE_SECONDS one worker reads the data version (two index look-ups); only when it has
moved does that worker rebuild the scoreboard, while the others keep serving the last one.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable

from flask import current_app

from survey.public import cache
from survey.public.scoreboard import build
from survey.services.reporting.cache import data_version

KEEP_SECONDS = 7 * 24 * 3600  # a snapshot or page outlives quiet weeks; versions replace it
_building = threading.Lock()  # one build per process at a time


def _version() -> str:
    """The data version and the benchmark, hashed: the raw version holds the database URL."""
    raw = repr((data_version(), current_app.config["SATISFACTION_BENCHMARK"]))
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def _space() -> str:
    """Two installs may share one Redis: each keeps its own keys (by its database)."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    return hashlib.sha256(uri.encode()).hexdigest()[:12] + ":"


def scoreboard() -> tuple[str, dict]:
    """(version, scoreboard)."""
    store = cache.store()
    snapshot_key, checked_key = _space() + "snapshot", _space() + "checked"
    raw = store.get(snapshot_key)
    if raw is not None and not store.add(checked_key, b"1", cache.fresh_for()):
        snapshot = json.loads(raw)  # checked recently, by this worker or another
        return snapshot["version"], snapshot["data"]
    version = _version()  # read before building: a change during the build is seen next
    if raw is not None:
        snapshot = json.loads(raw)
        if snapshot["version"] == version:
            return version, snapshot["data"]
    with _building:
        data = build(current_app.config["SATISFACTION_BENCHMARK"])
    store.set(snapshot_key, json.dumps({"version": version, "data": data}).encode(), KEEP_SECONDS)
    store.set(checked_key, b"1", cache.fresh_for())
    return version, data


def cached(version: str, key: str, make: Callable[[], bytes]) -> bytes:
    """A page or file of one scoreboard version, made once."""
    store = cache.store()
    full = f"{_space()}page:{version}:{key}"
    body = store.get(full)
    if body is None:
        body = make()
        store.set(full, body, KEEP_SECONDS)
    return body
