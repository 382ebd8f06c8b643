"""What each kind of job does: `(job, progress) -> result`; the runner commits or undoes it."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from survey.jobs.store import Job
from survey.services import audit


def _path(job: Job, name: str) -> Path:
    return Path(current_app.config["JOBS_DIR"]) / job.id / name


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


KINDS = {"paper_import": paper_import}
