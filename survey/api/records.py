"""GET /records: dossier statistics with exact rates; POST /records/import for the one-stop
software (an API key with the import capability)."""

from __future__ import annotations

from flask import jsonify, request

from survey.access import api_requires, current_principal
from survey.api import bp
from survey.api.errors import BadParameter
from survey.api.openapi import document
from survey.api.params import check_known, parse_scope
from survey.extensions import db
from survey.services.imports import ImportRejected
from survey.services.records_import import import_dossier_stats
from survey.services.reporting import Grouping, ScopeError
from survey.services.reporting.records import DIMENSIONS, records

FILTERS = ("service_area", "unit", "level", "from", "to", "by", "rollup")


@bp.get("/records")
@api_requires("analyse")
def records_report():
    check_known(request.args, FILTERS)
    scope = parse_scope(request.args, current_principal())
    by = [v for v in request.args.get("by", "year").split(",") if v]
    try:
        grouping = Grouping.parse(by, request.args.get("rollup") or None)
        return jsonify(records(scope, grouping))
    except ScopeError as error:
        raise BadParameter(error.parameter, str(error), error.allowed) from error


@bp.post("/records/import")
@api_requires("import_records")
def records_import():
    """A CSV or XLSX file in the body (multipart field `file`); all rows or none."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadParameter("file", "send the statistics as a multipart field named 'file'")
    try:
        result = import_dossier_stats(upload.read(), upload.filename,
                                      actor=current_principal().name)
    except ImportRejected as rejected:
        db.session.rollback()
        return jsonify(error="import rejected", detail="nothing was imported",
                       problems=[{"row": p.row, "column": p.column, "message": p.message}
                                 for p in rejected.problems]), 422
    db.session.commit()
    return jsonify(rows=result.rows, replaced=result.replaced), 201


document("/records", {"get": {
    "summary": "Dossier statistics per group with exact rates (no sampling interval)",
    "security": [{"bearer": []}, {"session": []}],
    "parameters": [
        {"name": n, "in": "query", "schema": {"type": "string"}} for n in FILTERS[:-2]
    ] + [
        {"name": "by", "in": "query", "schema": {"type": "string"},
         "description": "comma list of: " + ", ".join(DIMENSIONS)},
        {"name": "rollup", "in": "query", "schema": {"type": "string"}},
    ],
    "responses": {"200": {"description": "counts, resolved_share, on_time_rate, late_rate, "
                                         "overdue_share per group"},
                  "400": {"description": "a bad parameter, named"},
                  "401": {"description": "no credentials"}},
}})
document("/records/import", {"post": {
    "summary": "Import dossier statistics (CSV or XLSX); a file with any error imports nothing",
    "security": [{"bearer": []}],
    "requestBody": {"content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}},
    "responses": {"201": {"description": "imported"},
                  "422": {"description": "problems by row and column; nothing imported"}},
}})


@bp.get("/appendix")
@api_requires("analyse")
def appendix_report():
    """The council's appendix for one year (default: the latest year with responses)."""
    from flask import current_app

    from survey.services.reporting.appendix import appendix
    from survey.services.reporting.weighted import latest_year

    check_known(request.args, ("year", "service_area", "unit"))
    scope = parse_scope({k: v for k, v in request.args.items() if k != "year"},
                        current_principal())
    raw = request.args.get("year", "")
    if raw and not raw.isdigit():
        raise BadParameter("year", f"'year' must be a year such as 2024, not {raw!r}")
    year = int(raw) if raw else latest_year(scope)
    if year is None:
        raise BadParameter("year", "there are no responses yet")
    return jsonify(appendix(scope, year, current_app.config["SATISFACTION_BENCHMARK"]))


document("/appendix", {"get": {
    "summary": "The council's appendix: per procedure group and level, dossiers and survey",
    "security": [{"bearer": []}, {"session": []}],
    "parameters": [{"name": n, "in": "query", "schema": {"type": "string"}}
                   for n in ("year", "service_area", "unit")],
    "responses": {"200": {"description": "rows per procedure group and level"},
                  "400": {"description": "a bad parameter, named"}},
}})


@bp.get("/records/on-time")
@api_requires("analyse")
def on_time():
    """% satisfied for dossiers resolved in time versus late, from linked responses."""
    from survey.services.reporting import resolve_stream
    from survey.services.reporting.on_time import on_time_satisfaction

    check_known(request.args, ("questionnaire", "service_area", "unit", "level", "from", "to",
                               "stream"))
    scope = parse_scope({"stream": "dossier_rating", **request.args}, current_principal())
    try:
        return jsonify(on_time_satisfaction(scope, resolve_stream(scope)))
    except ScopeError as error:
        raise BadParameter(error.parameter, str(error), error.allowed) from error


document("/records/on-time", {"get": {
    "summary": "Satisfaction of dossiers resolved in time versus late (linked responses), "
               "with the chi-square test, and the rating response rate",
    "security": [{"bearer": []}, {"session": []}],
    "parameters": [{"name": n, "in": "query", "schema": {"type": "string"}}
                   for n in ("questionnaire", "service_area", "unit", "level", "from", "to",
                             "stream")],
    "responses": {"200": {"description": "the comparison"},
                  "400": {"description": "a bad parameter, named"}},
}})
