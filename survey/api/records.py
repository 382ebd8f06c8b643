"""GET /records: dossier statistics with exact rates; POST /records/import for the one-stop
software (an API key with the import capability)."""

from __future__ import annotations

from flask import jsonify, request

from survey.access import api_requires, current_principal
from survey.api import bp, openapi
from survey.api.errors import BadParameter
from survey.api.openapi import document
from survey.api.params import check_known, described, parse_scope, year_parameter
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


_RATE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_COUNT = {"type": "integer", "minimum": 0}
_HIDDEN_COUNT = {"type": ["integer", "null"], "minimum": 0,
                 "description": "null for a group of fewer than 30 respondents (suppressed)"}
_AUTH = [{"bearer": []}, {"session": []}]
_REFUSALS = {"400": openapi.BAD_PARAMETER, "401": openapi.NO_CREDENTIALS,
             "403": openapi.FORBIDDEN}
_SCHEMAS = {
    "Records": {
        "type": "object", "required": ["method", "rows"],
        "properties": {
            "method": {"type": "object"},
            # rows also carry one key per grouping dimension
            "rows": {"type": "array", "items": {
                "type": "object",
                "required": ["received", "resolved", "pending", "on_time_rate", "late_rate"],
                "properties": {
                    **{name: _COUNT for name in (
                        "received", "received_online", "received_direct", "carried_over",
                        "resolved", "resolved_early", "resolved_on_time", "resolved_late",
                        "pending", "pending_within", "pending_overdue")},
                    **{name: _RATE for name in ("resolved_share", "on_time_rate", "late_rate",
                                                "overdue_share")},
                }}},
        },
    },
    "ImportProblems": {
        "type": "object", "required": ["error", "problems"],
        "properties": {"error": {"const": "import rejected"}, "detail": {"type": "string"},
                       "problems": {"type": "array", "items": {
                           "type": "object", "required": ["row", "column", "message"],
                           "properties": {"row": {"type": "integer"},
                                          "column": {"type": "string"},
                                          "message": {"type": "string"}}}}},
    },
    "Appendix": {
        "type": "object", "required": ["year", "benchmark", "method", "rows"],
        "properties": {
            "year": {"type": "integer"}, "benchmark": {"type": "number"},
            "method": {"type": "object"},
            "rows": {"type": "array", "items": {
                "type": "object", "required": ["procedure_group", "level", "survey_n", "share"],
                "properties": {
                    "procedure_group": {"type": "string"}, "level": {"type": "string"},
                    "name_vi": {"type": "string"}, "procedures": _COUNT, "received": _COUNT,
                    "resolved": _COUNT, "late": _COUNT, "on_time_rate": _RATE,
                    "survey_n": _COUNT, "satisfied": _HIDDEN_COUNT, "share": _RATE,
                    "suppressed": {"type": "boolean"},
                    "ci_low": _RATE, "ci_high": _RATE, "p_value": _RATE, "p_adjusted": _RATE,
                }}},
        },
    },
    "OnTime": {
        "type": "object", "required": ["method", "result", "response_rate"],
        "properties": {
            "method": {"type": "object"},
            "response_rate": {"type": "object", "required": ["issued", "rated", "rate"],
                              "properties": {"issued": _COUNT, "rated": _COUNT,
                                             "rate": _RATE}},
            "result": {"type": "object", "required": ["n_on_time", "n_late"],
                       "properties": {"n_on_time": _COUNT, "n_late": _COUNT,
                                      "k_on_time": _HIDDEN_COUNT, "k_late": _HIDDEN_COUNT,
                                      "share_on_time": _RATE, "share_late": _RATE,
                                      "difference": {"type": ["number", "null"],
                                                     "minimum": -1, "maximum": 1},
                                      "chi2": {"type": ["number", "null"], "minimum": 0},
                                      "p_value": _RATE,
                                      "warning": {"type": ["string", "null"]}}},
        },
    },
}


def _report(summary: str, params: list, schema: str) -> dict:
    return {"get": {"summary": summary, "security": _AUTH, "parameters": params,
                    "responses": {"200": {"description": "the report", "content":
                                          openapi.json_content(openapi.ref(schema))},
                                  **_REFUSALS}}}


document("/records", _report(
    "Dossier statistics per group with exact rates (no sampling interval)",
    described(*FILTERS, by={
        "description": "comma list of: " + ", ".join(DIMENSIONS) + " (default year)",
        "schema": {"type": "array", "items": {"enum": list(DIMENSIONS)}},
        "style": "form", "explode": False}), "Records"), _SCHEMAS)
document("/records/import", {"post": {
    "summary": "Import dossier statistics (CSV or XLSX); a file with any error imports nothing",
    "security": [{"bearer": []}],
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": "a .csv (UTF-8) or .xlsx file; the name's "
                                "extension says which"}}}}}},
    "responses": {
        "201": {"description": "imported", "content": openapi.json_content({
            "type": "object", "required": ["rows", "replaced"],
            "properties": {"rows": _COUNT, "replaced": _COUNT}})},
        **_REFUSALS,
        "400": {"description": "no multipart field 'file'",
                "content": openapi.json_content(openapi.ref("BadParameter"))},
        "403": {"description": "the key may not import records",
                "content": openapi.json_content(openapi.ref("Error"))},
        "413": {"description": "a file over MAX_CONTENT_LENGTH"},
        "422": {"description": "problems by row and column; nothing imported",
                "content": openapi.json_content(openapi.ref("ImportProblems"))},
    },
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
    try:
        year = year_parameter(request.args, "year") or latest_year(scope)
        if year is None:
            raise BadParameter("year", "there are no responses yet")
        return jsonify(appendix(scope, year, current_app.config["SATISFACTION_BENCHMARK"]))
    except ScopeError as error:  # e.g. an unknown unit, found when the report resolves it
        raise BadParameter(error.parameter, str(error), error.allowed) from error


document("/appendix", _report(
    "The council's appendix: per procedure group and level, dossiers and survey",
    described("year", "service_area", "unit", year={
        "description": "the year (default: the latest with responses)",
        "schema": {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]}}),
    "Appendix"))


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


document("/records/on-time", _report(
    "Satisfaction of dossiers resolved in time versus late (linked responses), with the "
    "chi-square test, and the rating response rate",
    described("questionnaire", "service_area", "unit", "level", "from", "to", "stream"),
    "OnTime"))
