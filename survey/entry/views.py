"""The upload page, and the page that follows a paper import to its summary or problems.

A file up to JOBS_INLINE_MAX_BYTES is imported within the request; a larger one becomes a
background job whose page shows a progress bar. Both end on the same summary (rows stored)
or the same list of problems by row and column, with nothing stored.
"""

from __future__ import annotations

import os

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from werkzeug.utils import secure_filename

from survey.access import current_principal, page_requires
from survey.entry import bp
from survey.entry.forms import PaperUploadForm, StatsUploadForm
from survey.i18n import current_lang
from survey.jobs import jobs
from survey.jobs.views import may_read

# a rejected file is the user's to correct; a failure is ours (logged with its traceback)
STATUS = {"done": 200, "rejected": 422, "failed": 500}
KINDS = ("paper_import", "records_import")  # the jobs these pages start and show


UPLOADS = ("entry.upload", "entry.records")


@bp.url_value_preprocessor
def _upload_limit(endpoint: str | None, values: dict | None) -> None:
    """A file of paper forms may be far larger than any other request (MAX_CONTENT_LENGTH).

    Set here because URL value preprocessors run before every before_request function, and
    the CSRF check (one of those) reads the body: a limit set in the view would come late."""
    if endpoint in UPLOADS:
        request.max_content_length = current_app.config["ENTRY_MAX_UPLOAD_BYTES"]


def _page(form: PaperUploadForm, stats: StatsUploadForm, status: int = 200):
    return render_template("entry/upload.html", form=form, stats=stats), status


@bp.route("/", methods=["GET", "POST"])
@page_requires("import_responses")
def upload():
    lang = current_lang()
    form = PaperUploadForm()
    form.set_choices(lang)
    if not form.validate_on_submit():
        return _page(form, StatsUploadForm(formdata=None), 400 if form.is_submitted() else 200)
    return _run("paper_import", form.file.data, lang, envelope={
        "questionnaire": form.questionnaire.data, "unit": form.unit.data})


@bp.post("/records")
@page_requires("import_records")
def records():
    """Dossier statistics (the records import): a period replaces what it had before."""
    lang = current_lang()
    stats = StatsUploadForm()
    if not stats.validate_on_submit():
        form = PaperUploadForm(formdata=None)
        form.set_choices(lang)
        return _page(form, stats, 400)
    return _run("records_import", stats.file.data, lang)


def _run(kind: str, upload, lang: str, **params):
    """Save the upload beside its job; run it now when small, else queue it."""
    queue = jobs()
    filename = os.path.basename(upload.filename or "") or "upload.csv"
    stored = "upload.xlsx" if filename.lower().endswith(".xlsx") else "upload.csv"
    job = queue.new(kind, current_principal().name, {
        "filename": filename, "upload": stored, "lang": lang, "delete_after": [stored],
        **params})
    path = queue.directory(job.id) / secure_filename(stored)
    upload.save(path)
    if path.stat().st_size <= current_app.config["JOBS_INLINE_MAX_BYTES"]:
        job = queue.run_inline(job)
        return render_template("entry/job.html", job=job), STATUS.get(job.state, 200)
    queue.submit(job)
    return redirect(url_for("entry.job_page", job_id=job.id), code=303)


@bp.get("/jobs/<job_id>")
@page_requires("import_responses")
def job_page(job_id: str):
    job = jobs().get(job_id)
    if job is None or job.kind not in KINDS or not may_read(job):
        abort(404)
    return render_template("entry/job.html", job=job)


@bp.get("/records-template.csv")
@page_requires("import_records")
def records_template():
    from survey.services.records.imports import stats_template_csv

    return Response("\ufeff" + stats_template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="dossier-stats.csv"'})


@bp.get("/template.csv")
@page_requires("import_responses")
def template():
    """An empty file to type a questionnaire's paper forms into: its columns, no rows."""
    from survey.services import questionnaires as qservice
    from survey.services.questionnaires import UnknownQuestionnaire

    code = request.args.get("questionnaire", "")
    try:
        definition = qservice.definition_of(qservice.get_version(code))
    except UnknownQuestionnaire:
        abort(404)
    header = ["submitted_at", *(item.code for item in definition.items)]
    return Response("\ufeff" + ",".join(header) + "\r\n", mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="{secure_filename(code)}-paper.csv"'})
