"""A job's status as JSON (polled by its page) and its result file: its owner or an admin."""

from __future__ import annotations

from dataclasses import asdict, replace

from flask import (
    Blueprint,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import login_required

from survey.access import current_principal, page_requires
from survey.i18n import current_lang
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


@bp.get("/<job_id>/page")
@login_required
def page(job_id: str):
    """A job's page: its progress bar while it runs, then its download link or its error."""
    return render_template("jobs/job.html", job=_job_or_404(job_id))


@bp.post("/export")
@page_requires("export")
def start_export():
    """Write an export in the background (the filters in the query string, as on the
    export page); large XLSX and SAV files take longer than a request should."""
    from survey.dashboard.filters import current_filters
    from survey.services import exports
    from survey.services.reporting import ScopeError
    from survey.services.reporting.scope import STREAMS

    fmt, stream = request.form.get("fmt"), request.form.get("stream", "survey")
    if fmt not in exports.FORMATS or stream not in STREAMS:
        abort(400, description="fmt: one of " + ", ".join(exports.FORMATS))
    try:
        scope = replace(current_filters().scope, stream=stream)
        exports.export_table(scope)  # refuses a scope it cannot export, before queueing
    except ScopeError as error:
        abort(400, description=str(error))
    queue = jobs()
    job = queue.submit(queue.new("export", current_principal().name, {
        "scope": asdict(scope), "fmt": fmt, "lang": current_lang()}))
    return redirect(url_for("jobs.page", job_id=job.id), code=303)
