"""GET /records: dossier statistics with exact rates; POST /records/import for the one-stop
software (an API key with the import capability)."""

from __future__ import annotations

from flask import jsonify, request
from pydantic import BaseModel

from survey.access import api_requires, current_principal
from survey.api import bp, openapi
from survey.api.errors import BadParameter
from survey.api.openapi import document
from survey.api.params import check_known, described, parse_scope, year_parameter
from survey.api.schemas import records as schemas
from survey.extensions import db
from survey.services.imports import ImportRejected
from survey.services.periods import YEARS
from survey.services.records.imports import import_dossier_stats
from survey.services.reporting import Grouping, ScopeError
from survey.services.reporting.records import DIMENSIONS, records

FILTERS = ("service_area", "unit", "level", "from", "to", "by", "rollup", "view")


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


_AUTH = [{"bearer": []}, {"session": []}]
_REFUSALS = {"400": openapi.BAD_PARAMETER, "401": openapi.NO_CREDENTIALS,
             "403": openapi.FORBIDDEN}


def _report(path: str, summary: str, params: list, model: type[BaseModel]) -> None:
    document(path, {"get": {
        "summary": summary, "security": _AUTH, "parameters": params,
        "responses": {"200": {"description": "the report",
                              "content": openapi.json_content(openapi.ref(model.__name__))},
                      **_REFUSALS}}}, models=(model,))


_report("/records", "Dossier statistics per group with exact rates (no sampling interval)",
        described(*FILTERS, by={
            "description": "comma list of: " + ", ".join(DIMENSIONS) + " (default year)",
            "schema": {"type": "array", "items": {"enum": list(DIMENSIONS)}},
            "style": "form", "explode": False}), schemas.Records)
document("/records/import", {"post": {
    "summary": "Import dossier statistics (CSV or XLSX); a file with any error imports nothing",
    "security": [{"bearer": []}],
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": "a .csv (UTF-8) or .xlsx file; the name's "
                                "extension says which"}}}}}},
    "responses": {
        "201": {"description": "imported",
                "content": openapi.json_content(openapi.ref("Imported"))},
        **_REFUSALS,
        "400": {"description": "no multipart field 'file'",
                "content": openapi.json_content(openapi.ref("BadParameter"))},
        "403": {"description": "the key may not import records",
                "content": openapi.json_content(openapi.ref("Error"))},
        "413": {"description": "a file over MAX_CONTENT_LENGTH"},
        "422": {"description": "problems by row and column; nothing imported",
                "content": openapi.json_content(openapi.ref("ImportProblems"))},
    },
}}, models=(schemas.Imported, schemas.ImportProblems))


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
    try:
        year = year_parameter(request.args, "year") or latest_year(scope)
        if year is None:
            raise BadParameter("year", "there are no responses yet")
        return jsonify(appendix(scope, year, current_app.config["SATISFACTION_BENCHMARK"]))
    except ScopeError as error:  # e.g. an unknown unit, found when the report resolves it
        raise BadParameter(error.parameter, str(error), error.allowed) from error


_report("/appendix", "The council's appendix: per procedure group and level, dossiers and survey",
        described("year", "service_area", "unit", year={
            "description": "the year (default: the latest with responses)",
            "schema": {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]}}),
        schemas.Appendix)


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


_report("/records/on-time", "Satisfaction of dossiers resolved in time versus late (linked "
        "responses), with the chi-square test, and the rating response rate",
        described("questionnaire", "service_area", "unit", "level", "from", "to", "stream"),
        schemas.OnTime)
