"""Downloads of the responses the user may see: CSV and JSON stream; XLSX and .sav are
written to a temporary file first (their formats need the whole file before sending).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace

from flask import Response, abort, render_template, send_file, stream_with_context
from flask_babel import gettext as _

from survey.access import page_requires
from survey.dashboard import bp
from survey.dashboard.filters import YEAR, choice, current_filters, form_options
from survey.i18n import current_lang
from survey.services import exports
from survey.services.exports.sav import SavUnavailable
from survey.services.exports.writers import ExportTooLarge, iter_csv, iter_json
from survey.services.reporting import ScopeError
from survey.services.reporting.scope import STREAMS

MIMETYPES = {
    "csv": "text/csv; charset=utf-8", "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
}


@bp.get("/export")
@page_requires("export")
def export_page():
    filters = current_filters(YEAR)
    return render_template("dashboard/export.html", filters=filters,
                           chosen=filters.with_(**filters.defaults),
                           options=form_options(), formats=exports.FORMATS,
                           title=_("Export responses"))


def _table(stream: str):
    filters = current_filters()
    scope = filters.scope
    if stream in ("survey", "dossier_rating"):
        scope = replace(scope, stream=stream)
    try:
        return exports.export_table(scope)
    except ScopeError as error:
        abort(400, description=str(error))


@bp.get("/export/responses.<fmt>")
@page_requires("export")
def export_file(fmt: str):
    if fmt not in exports.FORMATS:
        abort(404)
    table = _table(choice("stream", STREAMS, "survey"))
    name = exports.table_file_name(table, fmt)  # hailong-survey-2025.csv: says its stream
    disposition = {"Content-Disposition": f'attachment; filename="{name}"',
                   "X-Hailong-Stream": table.stream}
    if fmt in ("csv", "json"):
        body = iter_csv(table.columns, table.rows) if fmt == "csv" else \
            iter_json(table.columns, table.rows, table.stream)
        return Response(stream_with_context(body), mimetype=MIMETYPES[fmt], headers=disposition)
    handle, path = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(handle)
    try:
        exports.write(fmt, table.columns, table.rows, path, current_lang(), table.about)
        fp = open(path, "rb")  # noqa: SIM115 - send_file closes it
    except SavUnavailable as error:  # an install without the optional 'sav' extra
        abort(501, description=str(error))
    except ExportTooLarge as error:
        abort(413, description=str(error))
    finally:
        # Unlinked while open: the file is sent from the open handle, then vanishes.
        os.unlink(path)
    answer = send_file(fp, mimetype=MIMETYPES[fmt], as_attachment=True, download_name=name)
    answer.headers["X-Hailong-Stream"] = table.stream
    return answer


@bp.get("/export/codebook.csv")
@page_requires("export")
def export_codebook():
    table = _table(choice("stream", STREAMS, "survey"))
    rows = exports.writers.codebook_rows(table.columns)
    header = next(rows)
    body = iter_csv([_Name(h) for h in header], rows)
    return Response(stream_with_context(body), mimetype=MIMETYPES["csv"],
                    headers={"Content-Disposition": 'attachment; filename="'
                             f'{exports.table_file_name(table, "csv", "codebook")}"'})


class _Name:
    def __init__(self, name: str):
        self.name = name

