"""GET /indices, /trends, /elements, /weighted, /sample-size: the statistics as JSON."""

from __future__ import annotations

from flask import current_app, jsonify, request

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
)
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


# name: (lowest, highest, what it is); the same ranges are in the OpenAPI description
SAMPLE_SIZE_PARAMETERS = {
    "margin": (0.001, 0.5, "margin of error (default 0.03)"),
    "p": (0.001, 0.999, "expected share (default 0.5)"),
    "confidence": (0.5, 0.999, "default 0.95"),
    "population": (1, 1e12, "finite population size"),
    "deff": (1.0, 100.0, "design effect (default 1)"),
    "p1": (0.001, 0.999, "share in the first year (with p2, not equal to it)"),
    "p2": (0.001, 0.999, "share in the second year"),
    "power": (0.5, 0.999, "default 0.8 (with p1 and p2)"),
    "alpha": (0.001, 0.5, "two-sided significance level (default 0.05; with p1 and p2)"),
}


def _number(name: str, default: float | None = None) -> float | None:
    low, high, _ = SAMPLE_SIZE_PARAMETERS[name]
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadParameter(name, f"{name!r} must be a number, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise BadParameter(name, f"{name!r} must lie between {low} and {high}")
    return value


@bp.get("/sample-size")
@api_requires("analyse")
def sample_size():
    """Respondents needed for a margin of error, or to detect a change between two years."""
    check_known(request.args, tuple(SAMPLE_SIZE_PARAMETERS))
    for name in SAMPLE_SIZE_PARAMETERS:  # a bad value is refused even where it is not used
        _number(name)
    deff = _number("deff", 1.0)
    if "p1" in request.args or "p2" in request.args:
        p1, p2 = _number("p1"), _number("p2")
        if p1 is None or p2 is None or p1 == p2:
            raise BadParameter("p2", "give two different shares p1 and p2")
        result = analysis.sample_size_two_proportions(
            p1, p2, alpha=_number("alpha", 0.05), power=_number("power", 0.8), deff=deff)
        return jsonify(kind="change", **result.to_dict())
    population = _number("population")
    result = analysis.sample_size_proportion(
        _number("margin", 0.03), p=_number("p", 0.5), confidence=_number("confidence", 0.95),
        population=int(population) if population else None, deff=deff)
    return jsonify(kind="margin", **result.to_dict())


# --- the OpenAPI description ----------------------------------------------------------------

_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}  # also p-values
_DIFFERENCE = {"type": ["number", "null"], "minimum": -1, "maximum": 1}
_COUNT = {"type": "integer", "minimum": 0}
_HIDDEN_COUNT = {"type": ["integer", "null"], "minimum": 0,
                 "description": "null in a suppressed row"}
_NUMBER = {"type": ["number", "null"]}
_SUPPRESSED = {"type": "boolean", "description": (
    "fewer than 30 respondents, or hidden beside such a group so that no hidden group "
    "follows from the others by subtraction: the row shows its keys and n only, every "
    "result field is null (METHODOLOGY §6)")}
_METHOD = {"type": "object", "description": "how the figures were computed, in words",
           "additionalProperties": {"type": ["string", "number"]}}
# Rows also carry one key per grouping dimension (year, unit, demographic:sex, ...).
_INDEX_ROW = {
    "type": "object",
    "required": ["n", "satisfied", "share", "ci_low", "ci_high", "suppressed"],
    "properties": {
        "n": _COUNT, "no_answer": _HIDDEN_COUNT, "share": _SHARE,
        "satisfied": {"type": ["integer", "null"], "minimum": 0,
                      "description": "null in a suppressed row, and for measure=elements "
                                     "(a mean of element indices)"},
        "elements": {"type": "object", "additionalProperties": _SHARE,
                     "description": "measure=elements: each element's index (null when "
                                    "one of its items is suppressed)"},
        "ci_low": _SHARE, "ci_high": _SHARE, "suppressed": _SUPPRESSED,
        "score": _NUMBER, "score_ci_low": _NUMBER, "score_ci_high": _NUMBER,
        "benchmark": {"type": "number"}, "benchmark_p": _SHARE, "benchmark_lower": _SHARE,
        "meets_benchmark": {"type": ["boolean", "null"]},
        "verdict": {"enum": ["meets", "not_established", "below", None],
                    "description": "METHODOLOGY §3: meets when the one-sided exact lower "
                                   "bound reaches the benchmark, below when the Wilson upper "
                                   "bound is under it, otherwise not_established; null when "
                                   "suppressed or without inference"},
        "estimated": {"type": "boolean", "description": "on today's units: the figure "
                      "includes a share of a split unit (an estimate, METHODOLOGY §10); its n "
                      "is then the share rounded to whole answers"},
    },
}
_TREND_ROW = {
    "type": "object",
    "required": ["n", "satisfied", "share", "suppressed", "delta", "p_value", "p_adjusted"],
    "properties": {
        "n": _COUNT, "satisfied": _HIDDEN_COUNT, "share": _SHARE, "suppressed": _SUPPRESSED,
        "previous_n": {"type": ["integer", "null"], "minimum": 0},
        "previous_share": _SHARE, "previous_year": {"type": ["integer", "null"]},
        "delta": _DIFFERENCE, "delta_ci_low": _DIFFERENCE, "delta_ci_high": _DIFFERENCE,
        "p_value": _SHARE, "p_adjusted": _SHARE, "significant": {"type": ["boolean", "null"]},
        "mw_r": _DIFFERENCE,
        "estimated": {"type": "boolean", "description": "on today's units: the figure "
                      "includes a share of a split unit (an estimate, METHODOLOGY §10)"},
        "boundary_change": {"type": "boolean", "description": "the unit's territory changed "
                            "between the two years: the change is shown, no test is computed"},
        "test_skipped": {"type": "string", "description": "why no test was computed"},
    },
}
_SCHEMAS = {
    "Indices": {"type": "object", "required": ["method", "rows"],
                "properties": {"method": _METHOD,
                               "rows": {"type": "array", "items": _INDEX_ROW}}},
    "Trends": {"type": "object", "required": ["method", "rows", "trends"],
               "properties": {"method": _METHOD,
                              "rows": {"type": "array", "items": _TREND_ROW},
                              "trends": {"type": "array", "items": {"type": "object"}}}},
    "Elements": {
        "type": "object",
        "required": ["elements", "overall_index", "method"],
        "properties": {
            "method": _METHOD, "overall_index": _SHARE, "mean_importance": _NUMBER,
            "mean_performance": _NUMBER,
            "elements": {"type": "array", "items": {
                "type": "object",
                "required": ["element", "items", "n", "suppressed", "share", "n_answers"],
                "properties": {
                    "element": {"enum": ["A", "B", "C", "D", "E"]},
                    "items": {"type": "array", "items": {"type": "string"}},
                    "n": {**_COUNT, "description": "respondents who answered an item of it"},
                    "suppressed": _SUPPRESSED,
                    "item_shares": {"type": "object", "additionalProperties": _SHARE},
                    "item_n": {"type": "object", "additionalProperties": _COUNT},
                    "share": _SHARE, "n_answers": _COUNT,
                    "alpha": {"type": ["number", "null"], "maximum": 1},
                    "alpha_n": _HIDDEN_COUNT, "alpha_low": {"type": ["boolean", "null"]},
                    "importance": _DIFFERENCE, "importance_n": _HIDDEN_COUNT,
                    "importance_p": _SHARE, "quadrant": {"type": ["string", "null"]},
                }}},
        },
    },
    "Weighted": {
        "type": "object",
        "required": ["method", "result", "strata", "year_from", "year_to", "suppressed"],
        "properties": {
            "method": _METHOD,
            "suppressed": {"type": "boolean",
                           "description": "fewer than 30 respondents: no estimate"},
            "year_from": {"type": ["integer", "null"]}, "year_to": {"type": ["integer", "null"]},
            "result": {"oneOf": [{"type": "null"}, {
                "type": "object",
                "required": ["share", "ci_low", "ci_high", "n", "n_eff", "deff"],
                "properties": {"share": _SHARE, "unweighted_share": _SHARE,
                               "ci_low": _NUMBER, "ci_high": _NUMBER, "se": _NUMBER,
                               "n": _COUNT, "k": _COUNT, "n_eff": _NUMBER, "deff": _NUMBER,
                               "coverage": _SHARE, "n_strata": _COUNT,
                               "n_strata_used": _COUNT}}]},
            "strata": {"type": "array", "items": {
                "type": "object", "required": ["n", "satisfied", "weight", "suppressed"],
                "properties": {"n": _COUNT, "satisfied": _HIDDEN_COUNT, "share": _SHARE,
                               "suppressed": _SUPPRESSED, "weight": _SHARE,
                               "dossiers_resolved": _COUNT}}},
        },
    },
    "SampleSize": {"oneOf": [
        {"type": "object", "required": ["kind", "n", "margin", "p", "confidence", "deff"],
         "properties": {"kind": {"const": "margin"}, "n": {"type": "integer", "minimum": 1},
                        "n0": {"type": "number"}, "n_fpc": {"type": "number"},
                        "margin": {"type": "number"}, "p": {"type": "number"},
                        "confidence": {"type": "number"}, "deff": {"type": "number"},
                        "population": {"type": ["integer", "null"]}}},
        {"type": "object", "required": ["kind", "n_per_group", "p1", "p2", "alpha", "power"],
         "properties": {"kind": {"const": "change"},
                        "n_per_group": {"type": "integer", "minimum": 1},
                        "n_exact": {"type": "number"}, "p1": {"type": "number"},
                        "p2": {"type": "number"}, "alpha": {"type": "number"},
                        "power": {"type": "number"}, "deff": {"type": "number"}}},
    ]},
}
ANALYSE_ERRORS = {"400": openapi.BAD_PARAMETER, "401": openapi.NO_CREDENTIALS,
                  "403": openapi.FORBIDDEN}
_SECURITY = [{"bearer": []}, {"session": []}]


def analysis_get(summary: str, params: list, schema: str) -> dict:
    """An analysis operation: GET with query parameters, a JSON report or a refusal."""
    return {"get": {"summary": summary, "parameters": params, "security": _SECURITY,
                    "responses": {"200": {"description": "the report",
                                          "content": openapi.json_content(openapi.ref(schema))},
                                  **ANALYSE_ERRORS}}}


_FILTERS = described(*FILTERS)
document("/indices", analysis_get("Satisfaction indices per group, with CIs and the benchmark "
                                  "test", _FILTERS + described(*SHAPES), "Indices"), _SCHEMAS)
document("/trends", analysis_get(
    "Year-over-year changes with Newcombe CIs, BH-adjusted p-values, and Mann-Kendall trends",
    _FILTERS + described(*SHAPES), "Trends"))
document("/elements", analysis_get("SIPAS element indices, Cronbach's alpha, "
                                   "importance-performance", _FILTERS, "Elements"))
document("/weighted", analysis_get("Post-stratified index by dossier volume, with n_eff and "
                                   "deff", _FILTERS, "Weighted"))


document("/sample-size", analysis_get(
    "Sample size for a margin of error, or (with p1 and p2) for detecting a change",
    [{"name": name, "in": "query", "description": what, "allowEmptyValue": True,
      "schema": {"type": "integer" if name == "population" else "number",
                 "minimum": low, "maximum": high}}
     for name, (low, high, what) in SAMPLE_SIZE_PARAMETERS.items()], "SampleSize"))
