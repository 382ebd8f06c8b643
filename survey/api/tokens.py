"""Dossier tokens for the one-stop software: issue one per receipt, report on-time status."""

from __future__ import annotations

from flask import jsonify, request, url_for
from pydantic import ValidationError

from survey.access import api_requires, current_principal
from survey.api import bp, openapi
from survey.api.schemas import Body, Unprocessable
from survey.api.schemas import tokens as schemas
from survey.database import write_turn
from survey.extensions import db
from survey.services import tokens as service


def _body(model: type[Body]):
    """The JSON body validated through `model`: the model or a 422 naming each field."""
    body = request.get_json(silent=True)
    try:
        return model.model_validate(body if isinstance(body, dict) else {})
    except ValidationError as error:
        problems: dict[str, str] = {}
        for problem in error.errors(include_url=False):
            problems.setdefault(str(problem["loc"][0]) if problem["loc"] else "body",
                                problem["msg"])
        return jsonify(error="unprocessable", errors=problems), 422


@bp.post("/dossier-tokens")
@api_requires("issue_tokens")
def issue_dossier_token():
    body = _body(schemas.TokenRequest)
    if not isinstance(body, schemas.TokenRequest):
        return body
    principal = current_principal()
    # End the key look-up's read: on SQLite the write must start from a fresh snapshot, in a
    # write turn, or two reprints at once fail with "database is locked".
    db.session.rollback()
    with write_turn():
        try:
            issued = service.issue_dossier_token(
                body.dossier_code, body.unit, body.procedure, body.questionnaire,
                actor=principal.name, scope=principal.unit_scope,
            )
        except service.TokenRequestInvalid as invalid:
            db.session.rollback()
            return jsonify(error="unprocessable", errors=invalid.errors), 422
        except service.DossierAlreadyRated as rated:
            db.session.rollback()
            return jsonify(error="conflict", detail=str(rated),
                           used_at=rated.used_at.isoformat()), 409
        db.session.commit()
    url = url_for("collect.receipt", token=issued.token, _external=True)
    return jsonify(token=issued.token, dossier_code=issued.row.dossier_code, url=url,
                   qr_svg=url_for("collect.receipt_qr", token=issued.token, _external=True)), 201


@bp.put("/dossier-tokens/<dossier_code>/on-time-status")
@api_requires("issue_tokens")
def set_on_time_status(dossier_code: str):
    body = _body(schemas.OnTimeStatusRequest)
    if not isinstance(body, schemas.OnTimeStatusRequest):
        return body
    principal = current_principal()
    try:
        count = service.set_on_time_status(
            dossier_code, body.on_time_status,
            scope=principal.unit_scope, actor=principal.name,
        )
    except service.TokenRequestInvalid as invalid:
        db.session.rollback()
        return jsonify(error="unprocessable", errors=invalid.errors), 422
    if count == 0:
        db.session.rollback()
        return jsonify(error="not found", detail=f"no token for dossier {dossier_code}"), 404
    db.session.commit()
    return jsonify(dossier_code=dossier_code, updated=count)


_AUTH = [{"bearer": []}, {"session": []}]


def _json(model: str) -> dict:
    return openapi.json_content(openapi.ref(model))


_REFUSALS = {"400": openapi.BAD_PARAMETER, "401": openapi.NO_CREDENTIALS,
             "403": {"description": "the key may not issue tokens",
                     "content": openapi.json_content(openapi.ref("Error"))}}
openapi.document(
    "/dossier-tokens",
    {"post": {
        "summary": "Issue a single-use rating token for a dossier (printed as a QR code)",
        "description": "One dossier code has one live token: issuing it again (a reprinted "
                       "receipt) switches the previous unused token off; a dossier already "
                       "rated answers 409.",
        "security": _AUTH,
        "requestBody": {"required": True, "content": _json("TokenRequest")},
        "responses": {
            "201": {"description": "the token (shown once; only its hash is stored) and the "
                    "URL to print as a QR code",
                    "content": _json("TokenIssued")},
            **_REFUSALS,
            "409": {"description": "the dossier was already rated",
                    "content": _json("AlreadyRated")},
            "422": {"description": "a missing or non-text field; an unknown unit, procedure or "
                    "questionnaire", "content": _json("Unprocessable")},
        },
    }},
    models=(schemas.TokenIssued, schemas.AlreadyRated, Unprocessable),
    bodies=(schemas.TokenRequest,),
)
openapi.document(
    "/dossier-tokens/{dossier_code}/on-time-status",
    {"put": {
        "summary": "Record whether the dossier was resolved early, on time or late",
        "security": _AUTH,
        "parameters": [{"name": "dossier_code", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": _json("OnTimeStatusRequest")},
        "responses": {
            "200": {"description": "updated", "content": _json("OnTimeStatusUpdated")},
            **_REFUSALS,
            "404": {"description": "no token for this dossier",
                    "content": openapi.json_content(openapi.ref("Error"))},
            "422": {"description": "unknown status",
                    "content": _json("Unprocessable")},
        },
    }},
    models=(schemas.OnTimeStatusUpdated,), bodies=(schemas.OnTimeStatusRequest,),
)
