"""The public scoreboard's cache: a news-site spike is answered without reaching the database.

Two things are kept: the scoreboard (every figure the public pages show, built once from the
reporting services) and each rendered page or download. Both are keyed by the data version
(survey/services/reporting/cache.py: the largest response and audit ids), but that version is
read from the database at most once per PUBLIC_CACHE_SECONDS, and by one worker only (`add`
is atomic): every other request in between costs no query at all. When the version has moved,
the worker that read it rebuilds the scoreboard while the others keep serving the previous one.

The store is shared by every gunicorn worker when it is Redis (or a directory on the same
machine); "simple" keeps it in the process, for development and tests. Values are bytes
(JSON or rendered pages), never pickles: nothing read back from a shared store can run code.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time

from flask import current_app

log = logging.getLogger(__name__)

class SimpleStore:
    """One process's dictionary with expiry times."""

    MAX_ENTRIES = 2000

    def __init__(self):
        self._values: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._values.get(key)
            if found is None or found[0] < time.monotonic():
                self._values.pop(key, None)
                return None
            return found[1]

    def set(self, key: str, value: bytes, ttl: int) -> None:
        with self._lock:
            self._values[key] = (time.monotonic() + ttl, value)
            if len(self._values) > self.MAX_ENTRIES:  # pages of every version: bounded
                now = time.monotonic()
                for k in [k for k, (expiry, _) in self._values.items() if expiry < now]:
                    del self._values[k]
                by_expiry = sorted(self._values, key=lambda k: self._values[k][0])
                for k in by_expiry[:len(self._values) - self.MAX_ENTRIES]:
                    del self._values[k]

    def add(self, key: str, value: bytes, ttl: int) -> bool:
        with self._lock:
            found = self._values.get(key)
            if found is not None and found[0] >= time.monotonic():
                return False
            self._values[key] = (time.monotonic() + ttl, value)
            return True

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


class FileStore:
    """Files in a directory (the workers of one machine share it); written atomically."""

    SWEEP_EVERY = 200  # writes between two sweeps of expired files

    def __init__(self, directory: str):
        self.directory = directory
        self._writes = 0
        os.makedirs(directory, exist_ok=True)

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, hashlib.sha256(key.encode()).hexdigest())

    def get(self, key: str) -> bytes | None:
        try:
            with open(self._path(key), "rb") as file:
                expiry, _, value = file.read().partition(b"\n")
        except FileNotFoundError:
            return None
        return value if float(expiry or 0) >= time.time() else None

    def set(self, key: str, value: bytes, ttl: int) -> None:
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp")
        with os.fdopen(handle, "wb") as file:
            file.write(f"{time.time() + ttl}\n".encode() + value)
        os.replace(temporary, self._path(key))
        self._writes += 1
        if self._writes % self.SWEEP_EVERY == 0:
            self.sweep()

    def sweep(self) -> None:
        """Remove expired entries (pages of old data versions)."""
        now = time.time()
        for name in os.listdir(self.directory):
            path = os.path.join(self.directory, name)
            try:
                with open(path, "rb") as file:
                    expiry = float(file.readline() or 0)
                if expiry < now and not name.startswith(".tmp"):
                    os.remove(path)
            except (OSError, ValueError):
                continue  # another worker replaced or removed it meanwhile

    def add(self, key: str, value: bytes, ttl: int) -> bool:
        path = self._path(key)
        if self.get(key) is None and os.path.exists(path):
            try:  # expired: whoever removes it first may create it
                os.remove(path)
            except FileNotFoundError:
                pass
        try:
            handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return False
        with os.fdopen(handle, "wb") as file:
            file.write(f"{time.time() + ttl}\n".encode() + value)
        return True

    def clear(self) -> None:
        for name in os.listdir(self.directory):
            os.remove(os.path.join(self.directory, name))


class RedisStore:
    """Shared by every worker. While Redis does not answer, each worker keeps its own copy
    (a SimpleStore), so an outage costs one build per worker, not one per request."""

    PREFIX = "hailong:public:"

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.errors = redis.RedisError
        self.fallback = SimpleStore()

    def _try(self, name: str, *args):
        try:
            return getattr(self, "_" + name)(*args)
        except self.errors as error:
            log.warning("public cache: Redis unavailable (%s); this worker keeps its own",
                        error)
            return getattr(self.fallback, name)(*args)

    def get(self, key: str) -> bytes | None:
        return self._try("get", key)

    def set(self, key: str, value: bytes, ttl: int) -> None:
        self._try("set", key, value, ttl)

    def add(self, key: str, value: bytes, ttl: int) -> bool:
        return self._try("add", key, value, ttl)

    def _get(self, key: str) -> bytes | None:
        return self.client.get(self.PREFIX + key)

    def _set(self, key: str, value: bytes, ttl: int) -> None:
        self.client.set(self.PREFIX + key, value, ex=max(ttl, 1))

    def _add(self, key: str, value: bytes, ttl: int) -> bool:
        return bool(self.client.set(self.PREFIX + key, value, ex=max(ttl, 1), nx=True))

    def clear(self) -> None:
        self.fallback.clear()
        keys = list(self.client.scan_iter(self.PREFIX + "*"))
        if keys:
            self.client.delete(*keys)


def store_url(config) -> str:
    """The configured store, or the default of the environment (see config.py)."""
    url = config.get("PUBLIC_CACHE_URL") or ""
    if url:
        return url
    if config.get("HAILONG_ENV") == "production":
        limiter = str(config.get("RATELIMIT_STORAGE_URI", ""))
        if limiter.startswith(("redis://", "rediss://")):
            return limiter
        return os.path.join(current_app.instance_path, "public-cache")
    return "simple"


def make_store(url: str):
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(url)
    if url == "simple":
        return SimpleStore()
    return FileStore(url[len("file://"):] if url.startswith("file://") else url)


def store():
    """The app's store, made on first use (a Redis client per process, after the fork)."""
    app = current_app._get_current_object()
    found = app.extensions.get("public_cache")
    if found is None:
        found = app.extensions["public_cache"] = make_store(store_url(app.config))
    return found


def fresh_for() -> int:
    return int(current_app.config.get("PUBLIC_CACHE_SECONDS", 60))
