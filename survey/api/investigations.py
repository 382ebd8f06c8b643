"""GET /investigations/<code>/estimates: a sampled investigation's weighted results (#20).

Its own endpoint, never a stream of /indices: the investigation's figures are design-based
estimates from a probability sample and are shown beside the open collection's, never pooled
with them (docs/SAMPLING.md). A unit officer sees the domains of its unit's subtree, the
"all" row being that subtree's estimate.
"""

from __future__ import annotations

from flask import abort, current_app, jsonify, request

from survey.access import api_requires, current_principal
from survey.api import bp, openapi
from survey.api.errors import BadParameter
from survey.api.openapi import document
from survey.api.params import check_known
from survey.api.schemas.investigations import InvestigationEstimates
from survey.extensions import db
from survey.models import Investigation
from survey.services.investigation import estimates as est

PARAMETERS = ("cells", "raking", "trim")
SHOWN = ("drawn", "fieldwork", "closed")  # a draft has no sample yet


def options_from(args, benchmark: float) -> est.Options:
    try:
        return est.options_from(args, benchmark)
    except est.EstimateError as error:
        raise BadParameter(error.parameter, str(error), error.allowed or None) from error


def shown_investigation(code: str) -> Investigation:
    found = db.session.execute(
        db.select(Investigation).filter_by(code=code[:40])).scalar_one_or_none()
    if found is None or found.status not in SHOWN:
        abort(404)
    return found


@bp.get("/investigations/<code>/estimates")
@api_requires("analyse")
def investigation_estimates(code: str):
    check_known(request.args, PARAMETERS)
    options = options_from(request.args, current_app.config["SATISFACTION_BENCHMARK"])
    investigation = shown_investigation(code)
    principal = current_principal()
    within = est.visible_units(principal.unit_scope)
    try:
        return jsonify(est.cached_estimates(investigation, options, within))
    except est.EstimateError as error:
        raise BadParameter(error.parameter, str(error), error.allowed or None) from error


# --- the OpenAPI description ----------------------------------------------------------------
# The answer is generated from its model; the options stay described here: they are parsed by
# the service (est.options_from), which the dashboard's estimates page shares.

_QUERY = [
    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
     "description": "the investigation's code"},
    {"name": "cells", "in": "query", "allowEmptyValue": True,
     "schema": {"enum": ["", *est.CELLS]},
     "description": "non-response adjustment cells (default stratum)"},
    {"name": "raking", "in": "query", "allowEmptyValue": True,
     "schema": {"enum": ["", *est.RAKING]},
     "description": "frame: rake to the frame's dossiers by unit and by service area; "
                    "records: to the dossiers resolved in the records' yearly statistics"},
    {"name": "trim", "in": "query", "allowEmptyValue": True,
     "schema": {"type": "number", "exclusiveMinimum": 1, "maximum": 100},
     "description": "cap the weights at this many times the median weight"},
]
document("/investigations/{code}/estimates", {"get": {
    "summary": "A sampled investigation's weighted estimates (never pooled with the open "
               "collection): share satisfied, overall and element indices, per unit and "
               "service area, with Taylor SEs, intervals, design effects and the verdict",
    "parameters": _QUERY, "security": [{"bearer": []}, {"session": []}],
    "responses": {
        "200": {"description": "the estimates",
                "content": openapi.json_content(openapi.ref("InvestigationEstimates"))},
        "400": openapi.BAD_PARAMETER, "401": openapi.NO_CREDENTIALS, "403": openapi.FORBIDDEN,
        "404": {"description": "no such investigation, or not drawn yet",
                "content": openapi.json_content(openapi.ref("Error"))}}}},
         models=(InvestigationEstimates,))
