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
from datetime import datetime

from flask import current_app

from survey.public import cache
from survey.public.scoreboard import build
from survey.services.periods import LOCAL_TZ, last_complete_year
from survey.services.reporting.cache import data_version

SNAPSHOT_SECONDS = 7 * 24 * 3600  # one key, replaced by each new version
# Pages are keyed by version, so those of old versions must leave the store on their own;
# a page of the current version that expired is rendered again from the snapshot (no query).
PAGE_SECONDS = 3600
_building = threading.Lock()  # one build per process at a time


def _version() -> str:
    """The data version, the benchmark, the last complete year (on 1 January the pages move
    on a year without any new data) and the day (a feedback case past its deadline counts as
    late from the next day: survey/public/cases.py), hashed: the raw version holds the
    database URL."""
    raw = repr((data_version(), current_app.config["SATISFACTION_BENCHMARK"],
                last_complete_year(), datetime.now(LOCAL_TZ).date()))
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def _space() -> str:
    """Two installs may share one Redis: each keeps its own keys (by its database)."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    return hashlib.sha256(uri.encode()).hexdigest()[:12] + ":"


def scoreboard() -> tuple[str, dict]:
    """(version, scoreboard). The store holds the scoreboard under one key and its version
    under a small one beside it; each process keeps the parsed scoreboard of the version it
    last saw, so a request reads a few bytes from the store, not the whole scoreboard."""
    store, space = cache.store(), _space()
    version_key, checked_key = space + "version", space + "checked"
    current = store.get(version_key)
    if current is not None and not store.add(checked_key, b"1", cache.fresh_for()):
        data = _load(store, space, current.decode())  # checked recently, here or elsewhere
        if data is not None:
            return current.decode(), data
    version = _version()  # read before building: a change during the build is seen next
    if current is not None and current.decode() == version:
        data = _load(store, space, version)
        if data is not None:
            return version, data
    with _building:
        current = store.get(version_key)  # another thread may have built it meanwhile
        data = _load(store, space, version) if current == version.encode() else None
        if data is None:
            data = build(current_app.config["SATISFACTION_BENCHMARK"])
            store.set(space + "snapshot", json.dumps({"version": version, "data": data})
                      .encode(), SNAPSHOT_SECONDS)
            store.set(version_key, version.encode(), SNAPSHOT_SECONDS)
            _parsed[space] = (version, data)
    store.set(checked_key, b"1", cache.fresh_for())
    return version, data


_parsed: dict[str, tuple[str, dict]] = {}  # per install: the version parsed last, and its data


def _load(store, space: str, version: str) -> dict | None:
    """The scoreboard of `version`: parsed already, or from the store (None if not there)."""
    found = _parsed.get(space)
    if found is not None and found[0] == version:
        return found[1]
    raw = store.get(space + "snapshot")
    if raw is None:
        return None
    snapshot = json.loads(raw)
    _parsed[space] = (snapshot["version"], snapshot["data"])
    return snapshot["data"] if snapshot["version"] == version else None


def cached(version: str, key: str, make: Callable[[], bytes]) -> bytes:
    """A page or file of one scoreboard version, made once."""
    store = cache.store()
    full = f"{_space()}page:{version}:{key}"
    body = store.get(full)
    if body is None:
        body = make()
        store.set(full, body, PAGE_SECONDS)
    return body
