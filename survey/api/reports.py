"""GET /indices, /trends, /elements, /weighted, /sample-size: the statistics as JSON."""

from __future__ import annotations

from flask import current_app, jsonify, request

import analysis
from survey.access import api_requires, current_principal
from survey.api import bp
from survey.api.errors import BadParameter
from survey.api.openapi import document
from survey.api.params import FILTERS, SHAPES, check_known, parse_scope, parse_shape
from survey.services import reporting
from survey.services.reporting.elements import elements as element_report
from survey.services.reporting.weighted import weighted as weighted_report


def _run(report, *args):
    try:
        return report(*args)
    except reporting.ScopeError as error:
        raise BadParameter(error.parameter, str(error), error.allowed) from error


def _benchmark() -> float:
    return current_app.config["SATISFACTION_BENCHMARK"]


@bp.get("/indices")
@api_requires("analyse")
def indices():
    check_known(request.args, FILTERS + SHAPES)
    scope = parse_scope(request.args, current_principal())
    grouping, measure = parse_shape(request.args)
    stream = _run(reporting.resolve_stream, scope)
    return jsonify(_run(reporting.indices, scope, grouping, measure, _benchmark(), stream))


@bp.get("/trends")
@api_requires("analyse")
def trends():
    check_known(request.args, FILTERS + SHAPES)
    scope = parse_scope(request.args, current_principal())
    grouping, measure = parse_shape(request.args, default_by="")
    stream = _run(reporting.resolve_stream, scope)
    return jsonify(_run(reporting.trends, scope, grouping, measure, _benchmark(), stream))


@bp.get("/elements")
@api_requires("analyse")
def elements():
    check_known(request.args, FILTERS)
    scope = parse_scope(request.args, current_principal())
    return jsonify(_run(element_report, scope, _benchmark()))


@bp.get("/weighted")
@api_requires("analyse")
def weighted():
    check_known(request.args, FILTERS)
    scope = parse_scope(request.args, current_principal())
    return jsonify(_run(weighted_report, scope, _benchmark()))


def _number(name: str, default: float | None, low: float, high: float) -> float | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadParameter(name, f"{name!r} must be a number, not {raw!r}") from None
    if not low <= value <= high:
        raise BadParameter(name, f"{name!r} must lie between {low} and {high}")
    return value


@bp.get("/sample-size")
@api_requires("analyse")
def sample_size():
    """Respondents needed for a margin of error, or to detect a change between two years."""
    check_known(request.args, ("margin", "p", "confidence", "population", "deff", "p1", "p2",
                               "power", "alpha"))
    deff = _number("deff", 1.0, 1.0, 100.0)
    if "p1" in request.args or "p2" in request.args:
        p1, p2 = _number("p1", None, 0.001, 0.999), _number("p2", None, 0.001, 0.999)
        if p1 is None or p2 is None or p1 == p2:
            raise BadParameter("p2", "give two different shares p1 and p2")
        result = analysis.sample_size_two_proportions(
            p1, p2, alpha=_number("alpha", 0.05, 0.001, 0.5),
            power=_number("power", 0.8, 0.5, 0.999), deff=deff)
        return jsonify(kind="change", **result.to_dict())
    population = _number("population", None, 1, 1e12)
    result = analysis.sample_size_proportion(
        _number("margin", 0.03, 0.001, 0.5), p=_number("p", 0.5, 0.001, 0.999),
        confidence=_number("confidence", 0.95, 0.5, 0.999),
        population=int(population) if population else None, deff=deff)
    return jsonify(kind="margin", **result.to_dict())


_FILTER_PARAMS = [
    {"name": "questionnaire", "in": "query", "schema": {"type": "string"},
     "description": "questionnaire codes, comma separated (one stream only)"},
    {"name": "service_area", "in": "query", "schema": {"type": "string"},
     "description": "service area codes, comma separated"},
    {"name": "unit", "in": "query", "schema": {"type": "string"},
     "description": "a unit code: the unit and all units below it"},
    {"name": "level", "in": "query", "schema": {"type": "string"},
     "description": "province, department, district, commune (comma separated)"},
    {"name": "channel", "in": "query", "schema": {"type": "string"},
     "description": "kiosk, phone, web, paper (comma separated)"},
    {"name": "respondent_type", "in": "query", "schema": {"type": "string"},
     "description": "individual, organisation"},
    {"name": "from", "in": "query", "schema": {"type": "integer"}, "description": "first year"},
    {"name": "to", "in": "query", "schema": {"type": "integer"}, "description": "last year"},
    {"name": "stream", "in": "query",
     "schema": {"type": "string", "enum": ["survey", "dossier_rating"]},
     "description": "the sample survey (default) or the per-dossier ratings; never pooled"},
]
_SHAPE_PARAMS = [
    {"name": "by", "in": "query", "schema": {"type": "string"},
     "description": "comma list of: " + ", ".join(reporting.scope.DIMENSIONS)
     + ", demographic:<item_code>"},
    {"name": "measure", "in": "query", "schema": {"type": "string"},
     "description": "overall (default), elements, or item:<code>"},
    {"name": "rollup", "in": "query", "schema": {"type": "string"},
     "description": "fold units below this level into their ancestor at it"},
]
_ERRORS = {
    "400": {"description": "a bad parameter, named in the body",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "401": {"description": "no credentials"},
    "403": {"description": "the role may not analyse"},
}
_SECURITY = [{"bearer": []}, {"session": []}]


def _get(summary: str, params: list) -> dict:
    return {"get": {"summary": summary, "parameters": params, "security": _SECURITY,
                    "responses": {"200": {"description": "the report as JSON",
                                          "content": {"application/json": {
                                              "schema": {"type": "object"}}}},
                                  **_ERRORS}}}


document("/indices", _get("Satisfaction indices per group, with CIs and the benchmark test",
                           _FILTER_PARAMS + _SHAPE_PARAMS))
document("/trends", _get("Year-over-year changes with Newcombe CIs, BH-adjusted p-values, "
                         "and Mann-Kendall trends", _FILTER_PARAMS + _SHAPE_PARAMS))
document("/elements", _get("SIPAS element indices, Cronbach's alpha, importance-performance",
                           _FILTER_PARAMS))
document("/weighted", _get("Post-stratified index by dossier volume, with n_eff and deff",
                           _FILTER_PARAMS))
document("/sample-size", _get("Sample size for a margin of error or for detecting a change", [
    {"name": n, "in": "query", "schema": {"type": "number"}}
    for n in ("margin", "p", "confidence", "population", "deff", "p1", "p2", "power", "alpha")
]))
