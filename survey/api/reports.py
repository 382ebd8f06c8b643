"""GET /indices, /trends, /elements, /weighted, /sample-size: the statistics as JSON."""

from __future__ import annotations

from flask import current_app, jsonify, request
from pydantic import BaseModel

import analysis
from survey.access import api_requires, current_principal
from survey.api import bp, openapi
from survey.api.errors import BadParameter
from survey.api.openapi import document
from survey.api.params import (
    FILTERS,
    SHAPES,
    check_known,
    described,
    parse_scope,
    parse_shape,
    query_from,
)
from survey.api.schemas import reports as schemas
from survey.api.schemas.reports import SampleSizeQuery
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


@bp.get("/sample-size")
@api_requires("analyse")
def sample_size():
    """Respondents needed for a margin of error, or to detect a change between two years."""
    query = query_from(SampleSizeQuery, request.args)
    if "p1" in request.args or "p2" in request.args:
        if query.p1 is None or query.p2 is None or query.p1 == query.p2:
            raise BadParameter("p2", "give two different shares p1 and p2")
        result = analysis.sample_size_two_proportions(
            query.p1, query.p2, alpha=query.alpha, power=query.power, deff=query.deff)
        return jsonify(kind="change", **result.to_dict())
    result = analysis.sample_size_proportion(
        query.margin, p=query.p, confidence=query.confidence, population=query.population,
        deff=query.deff)
    return jsonify(kind="margin", **result.to_dict())


# --- the OpenAPI description ----------------------------------------------------------------

ANALYSE_ERRORS = {"400": openapi.BAD_PARAMETER, "401": openapi.NO_CREDENTIALS,
                  "403": openapi.FORBIDDEN}
_SECURITY = [{"bearer": []}, {"session": []}]


def analysis_get(summary: str, params: list, model: type[BaseModel]) -> dict:
    """An analysis operation: GET with query parameters, a JSON report or a refusal."""
    content = openapi.json_content(openapi.ref(model.__name__))
    return {"get": {"summary": summary, "parameters": params, "security": _SECURITY,
                    "responses": {"200": {"description": "the report", "content": content},
                                  **ANALYSE_ERRORS}}}


def _report(path: str, summary: str, params: list, model: type[BaseModel]) -> None:
    document(path, analysis_get(summary, params, model), models=(model,))


_FILTERS = described(*FILTERS)
_report("/indices", "Satisfaction indices per group, with CIs and the benchmark test",
        _FILTERS + described(*SHAPES), schemas.Indices)
_report("/trends", "Year-over-year changes with Newcombe CIs, BH-adjusted p-values, and "
        "Mann-Kendall trends", _FILTERS + described(*SHAPES), schemas.Trends)
_report("/elements", "SIPAS element indices, Cronbach's alpha, importance-performance",
        _FILTERS, schemas.Elements)
_report("/weighted", "Post-stratified index by dossier volume, with n_eff and deff", _FILTERS,
        schemas.Weighted)
_report("/sample-size", "Sample size for a margin of error, or (with p1 and p2) for detecting "
        "a change", openapi.query_parameters(SampleSizeQuery), schemas.SampleSize)
