"""A job's state (who started it, how far it is, its result or problems) in the queue's store.

The state lives beside the queue (huey's key-value store: the SQLite file or Redis), so every
gunicorn worker reads the same progress whichever process runs the job. Only the job itself
writes after it is queued, so a read-modify-write needs no lock.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field, replace

STATES = ("queued", "running", "done", "rejected", "failed")
FINISHED = frozenset({"done", "rejected", "failed"})


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    kind: str
    owner: str  # the username who started it: the only one (with admins) who may read it
    params: dict
    state: str = "queued"
    done: int = 0
    total: int = 0
    result: dict = field(default_factory=dict)  # the kind's summary; "file": a download
    problems: list = field(default_factory=list)  # [row, column, message] of a rejected file
    error: str = ""
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)  # the last write: a running job's pulse

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def public(self) -> dict:
        """What the status endpoint answers: no parameters (they hold server paths)."""
        return {"id": self.id, "kind": self.kind, "state": self.state, "done": self.done,
                "total": self.total, "percent": self.percent, "result": self.result,
                "problems": self.problems, "error": self.error}


class JobRefused(Exception):
    """A job that cannot give its result for a reason its user can act on (str: the reason)."""


def new_id() -> str:
    return uuid.uuid4().hex


def _key(job_id: str) -> str:
    return f"hailong:job:{job_id}"


class JobStore:
    def __init__(self, huey) -> None:
        self.huey = huey

    def save(self, job: Job) -> Job:
        self.huey.put(_key(job.id), asdict(job))
        return job

    def get(self, job_id: str) -> Job | None:
        data = self.huey.get(_key(job_id), peek=True)
        return Job(**data) if isinstance(data, dict) else None

    def update(self, job_id: str, **changes) -> Job:
        job = self.get(job_id)
        if job is None:  # pragma: no cover - a job is saved before it is queued
            raise LookupError(job_id)
        return self.save(replace(job, updated=time.time(), **changes))
