"""Background jobs: long imports (and exports) run off the request, with their progress.

A view saves what the job needs (an uploaded file under JOBS_DIR), calls `submit`, and sends
the user to a page that polls `/jobs/<id>` (JSON) until the job is finished; a finished job's
file is downloaded from `/jobs/<id>/file`, by its owner or an admin only. Small files are
run at once in the request (`run_inline`) through the same code, so both give the same result.

Job kinds are plain functions `(job, progress) -> result dict` in `survey.jobs.kinds`; they
may raise `ImportRejected` (the job ends "rejected" with the located problems, nothing kept).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

from flask import Flask, current_app

from survey.jobs.queue import TASK_NAME, EmbeddedConsumer, make_huey
from survey.jobs.store import Job, JobRefused, JobStore, new_id

log = logging.getLogger(__name__)
MAX_PROBLEMS = 500  # listed on the page; a file with more is still refused whole
PROGRESS_SECONDS = 0.25  # the least time between two writes of a job's progress
KEEP_SECONDS = 24 * 3600  # a job's files (an upload, an export) are kept this long
# A running job writes its progress at least every few seconds; one silent this long was
# ended with its process (a restart, a crash) and nothing of it was committed.
STALE_SECONDS = 15 * 60


class Jobs:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.huey = make_huey(app.config)
        self.store = JobStore(self.huey)
        self.task = self.huey.task(name=TASK_NAME)(self._run_in_worker)
        embedded = app.config.get("JOBS_CONSUMER", "embedded") == "embedded"
        self.consumer = EmbeddedConsumer(self.huey) if embedded else None

    def directory(self, job_id: str) -> Path:
        path = Path(self.app.config["JOBS_DIR"]) / job_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def new(self, kind: str, owner: str, params: dict | None = None) -> Job:
        return Job(id=new_id(), kind=kind, owner=owner, params=dict(params or {}))

    def submit(self, job: Job) -> Job:
        """Queue `job` (made by `new`, its files saved under `directory(job.id)`)."""
        self.sweep()
        self.store.save(job)
        self.task(job.id)
        if self.consumer is not None:
            self.consumer.ensure_running()
        return job

    def run_inline(self, job: Job) -> Job:
        """Run `job` now, in this request's app context and session."""
        self.store.save(job)
        execute(self, job.id)
        return self.store.get(job.id)

    def sweep(self, now: float | None = None) -> None:
        """Delete the folders (uploads, result files) of jobs older than KEEP_SECONDS."""
        root = Path(self.app.config["JOBS_DIR"])
        limit = (now or time.time()) - KEEP_SECONDS
        for folder in root.iterdir() if root.is_dir() else ():
            if folder.is_dir() and len(folder.name) == 32 and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)

    def get(self, job_id: str) -> Job | None:
        if not job_id.isalnum() or len(job_id) != 32:
            return None
        if self.consumer is not None:
            self.consumer.ensure_running()  # a job queued by a process that has since ended
        job = self.store.get(job_id)
        if job is not None and job.state == "running" and \
                time.time() - job.updated > STALE_SECONDS:
            job = self.store.update(job_id, state="failed", error="interrupted")
        return job

    def _run_in_worker(self, job_id: str) -> None:
        from survey.extensions import db

        with self.app.app_context():
            try:
                execute(self, job_id)
            finally:
                db.session.remove()


def execute(jobs: Jobs, job_id: str) -> None:
    """Run one job in the current app context: commit its work, or undo it and say why."""
    from survey.extensions import db
    from survey.jobs.kinds import KINDS
    from survey.services.imports import ImportRejected

    job = jobs.store.get(job_id)
    if job is None or job.finished:
        return
    jobs.store.update(job_id, state="running")
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_SECONDS or done >= total:
            last[0] = now
            jobs.store.update(job_id, done=done, total=total)

    try:
        result = KINDS[job.kind](job, progress)
        db.session.commit()
    except ImportRejected as rejected:
        db.session.rollback()
        problems = [[p.row, p.column, p.message] for p in rejected.problems[:MAX_PROBLEMS]]
        jobs.store.update(job_id, state="rejected", problems=problems,
                          result={"source": rejected.source, "count": len(rejected.problems)})
    except JobRefused as refused:
        db.session.rollback()
        jobs.store.update(job_id, state="failed", error=str(refused))
    except Exception:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        jobs.store.update(job_id, state="failed", error="internal error")
    else:
        current = jobs.store.get(job_id)
        jobs.store.update(job_id, state="done", done=current.total, result=result)
    finally:
        for name in job.params.get("delete_after", ()):
            _remove(jobs, job_id, name)


def _remove(jobs: Jobs, job_id: str, name: str) -> None:
    path = Path(jobs.app.config["JOBS_DIR"]) / job_id / name
    if path.is_file():
        path.unlink()
    if path.parent.is_dir() and not any(path.parent.iterdir()):
        shutil.rmtree(path.parent, ignore_errors=True)


def result_file(jobs: Jobs, job: Job) -> Path | None:
    """The finished job's file, if it has one that still exists."""
    name = job.result.get("file") if job.state == "done" else None
    if not name or os.sep in name or name.startswith("."):
        return None
    path = Path(jobs.app.config["JOBS_DIR"]) / job.id / name
    return path if path.is_file() else None


def jobs(app: Flask | None = None) -> Jobs:
    """This app's job queue, made on first use (no file or connection before a job needs it)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("hailong_jobs")
    if found is None:
        found = app.extensions["hailong_jobs"] = Jobs(app)
    return found
