"""A job's status as JSON (polled by its page) and its result file: its owner or an admin."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, send_file
from flask_login import login_required

from survey.access import current_principal
from survey.jobs import jobs, result_file
from survey.jobs.store import Job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def may_read(job: Job) -> bool:
    principal = current_principal()
    return principal is not None and principal.kind == "user" and (
        principal.name == job.owner or principal.can("administer"))


def _job_or_404(job_id: str) -> Job:
    job = jobs().get(job_id)
    # another user's job answers as if it did not exist: ids are not to be probed
    if job is None or not may_read(job):
        abort(404)
    return job


@bp.get("/<job_id>")
@login_required
def status(job_id: str):
    response = jsonify(_job_or_404(job_id).public())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<job_id>/file")
@login_required
def download(job_id: str):
    job = _job_or_404(job_id)
    path = result_file(jobs(), job)
    if path is None:
        abort(404)
    return send_file(path, as_attachment=True,
                     download_name=job.result.get("download_name", path.name))
