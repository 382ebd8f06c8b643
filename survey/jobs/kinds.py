"""What each kind of job does: `(job, progress) -> result`; the runner commits or undoes it."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from survey.jobs.store import Job
from survey.services import audit


def _path(job: Job, name: str) -> Path:
    folder = Path(current_app.config["JOBS_DIR"]) / job.id
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def paper_import(job: Job, progress) -> dict:
    """An uploaded file of paper questionnaires: all rows stored, or none (ImportRejected)."""
    from survey.services.paper_import import Envelope, import_file

    params = job.params
    result = import_file(_path(job, params["upload"]), params.get("lang", "vi"),
                         envelope=Envelope(params.get("envelope", {}), derive_ids=True),
                         source=params["filename"], progress=progress)
    audit.record(job.owner, "import", "paper_responses", params["filename"],
                 new={"imported": result.imported, "already_present": result.already_present,
                      **params.get("envelope", {})})
    return {"imported": result.imported, "already_present": result.already_present,
            "filename": params["filename"], **params.get("envelope", {})}


def records_import(job: Job, progress) -> dict:
    """An uploaded file of dossier statistics: each (period, unit) it names is replaced."""
    from survey.services.records.imports import import_dossier_stats

    params = job.params
    result = import_dossier_stats(_path(job, params["upload"]).read_bytes(), params["filename"],
                                  actor=job.owner, progress=progress,
                                  lang=params.get("lang", "vi"))
    return {"rows": result.rows, "replaced": result.replaced, "filename": params["filename"]}


def export(job: Job, progress) -> dict:
    """A file of responses (XLSX, SAV, CSV or JSON) written by the export service as the
    download would write it; its name says its stream (`exports.table_file_name`)."""
    from survey.jobs.store import JobRefused
    from survey.services import exports
    from survey.services.exports.writers import ExportTooLarge
    from survey.services.reporting.scope import Scope

    params = job.params
    scope, fmt = Scope(**params["scope"]), params["fmt"]
    total = exports.count_stream(scope, scope.stream).responses
    table = exports.export_table(scope)
    name = f"export.{fmt}"
    try:
        exports.write(fmt, table.columns, _counted(table.rows, total, progress),
                      str(_path(job, name)), params.get("lang", "vi"), table.about)
    except ExportTooLarge as error:
        raise JobRefused(str(error)) from None
    return {"file": name, "download_name": exports.table_file_name(table, fmt),
            "rows": total, "stream": scope.stream, "format": fmt}


def _counted(rows, total: int, progress, every: int = 500):
    """`rows` as they are written, telling `progress` every `every` rows."""
    progress(0, total)
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % every == 0:
            progress(min(done, total), total)
    progress(total, total)


KINDS = {"paper_import": paper_import, "records_import": records_import, "export": export}
