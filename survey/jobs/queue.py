"""The queue behind background jobs: huey, on SQLite by default and on Redis in production.

Why huey (pinned in pyproject.toml): one small, long-maintained library with both storages a
deployment needs: `SqliteHuey` needs no server (the default, embedded in the web processes)
and `RedisHuey` is for production with several workers or hosts; RQ would need Redis even on
a laptop. Both keep the job state (`store`) where any gunicorn worker can read it.

"embedded" (the default consumer) runs jobs in a daemon thread of each web process that
queued one; "external" leaves them to `hailong jobs worker` (huey's own consumer).
"""

from __future__ import annotations

import logging
import os
import threading

from huey import RedisHuey, SqliteHuey

TASK_NAME = "hailong.run_job"
log = logging.getLogger(__name__)


def make_huey(config) -> object:
    backend = config.get("JOBS_BACKEND", "sqlite")
    name = config.get("JOBS_QUEUE_NAME", "hailong")
    if backend == "redis":
        return RedisHuey(name, url=config["REDIS_URL"], results=False)
    if backend == "sqlite":
        os.makedirs(config["JOBS_DIR"], exist_ok=True)
        return SqliteHuey(name, filename=os.path.join(config["JOBS_DIR"], "queue.sqlite"),
                          results=False)
    raise ValueError(f"JOBS_BACKEND must be sqlite or redis, not {backend!r}")


class EmbeddedConsumer:
    """One daemon thread per process that takes queued jobs and runs them, one at a time."""

    def __init__(self, huey) -> None:
        self.huey = huey
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = None
        self._lock = threading.Lock()
        self._stop = False

    def ensure_running(self) -> None:
        # a process forked by gunicorn --preload has no thread of its parent's: start again
        with self._lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._loop, name="hailong-jobs",
                                                daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop:
            try:
                task = self.huey.dequeue()
            except Exception:  # pragma: no cover - a broker hiccup must not kill the thread
                log.exception("the job queue could not be read")
                task = None
            if task is None:
                self._wake.wait(1.0)  # SQLite does not block; Redis blocks up to a second
                self._wake.clear()
                continue
            self.huey.execute(task)
