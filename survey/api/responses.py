"""POST /api/v1/responses: the one door through which every online answer comes in."""

from __future__ import annotations

from flask import current_app, jsonify, request

from survey.api import bp, openapi
from survey.extensions import limiter
from survey.services import responses as service
from survey.services.questionnaires import UnknownQuestionnaire

DEFAULT_RATE_LIMIT = "120 per minute"


def _rate_limit() -> str:
    # A kiosk that was offline sends its queue in a burst; the limit leaves room for that.
    return current_app.config.get("RESPONSES_RATE_LIMIT", DEFAULT_RATE_LIMIT)


def _lang() -> str:
    asked = request.args.get("lang") or request.accept_languages.best_match(["vi", "en"])
    return asked if asked in ("vi", "en") else "vi"


@bp.post("/responses")
@limiter.limit(_rate_limit)
def submit_response():
    try:
        payload = request.get_json(silent=True)  # a body over MAX_CONTENT_LENGTH: 413 first
    except RecursionError:  # "[[[[…" thousands deep: Python's decoder gives up, we refuse
        payload = None
    if payload is None:
        return jsonify(error="unprocessable", errors={"body": "a JSON object is expected"}), 422
    try:
        result = service.submit(payload, _lang())
    except UnknownQuestionnaire as error:
        return jsonify(error="not found", detail=str(error)), 404
    except service.SubmissionInvalid as invalid:
        return jsonify(error="unprocessable", errors=invalid.errors), 422
    except service.TokenAlreadyUsed as used:
        return jsonify(error="conflict", detail=str(used)), 409
    return jsonify(result.document), 201 if result.created else 200


_ANSWER_VALUE = {"oneOf": [{"type": "integer"}, {"type": "string"},
                           {"type": "array", "items": {"type": "string"}}]}
_ERRORS = {"description": "invalid fields or answers",
           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}

openapi.document(
    "/responses",
    {
        "post": {
            "summary": "Submit one citizen's answers (idempotent on id)",
            "description": "No authentication: kiosks send their kiosk token, receipts their "
            "dossier token. Retrying with the same id returns the stored response (200) and "
            "stores nothing new. No IP address or other personal data is stored.",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Submission"}}}},
            "responses": {
                "201": {"description": "stored", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/StoredResponse"}}}},
                "200": {"description": "already stored under this id; nothing new stored",
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/StoredResponse"}}}},
                "400": openapi.BAD_PARAMETER,
                "404": {"description": "unknown questionnaire or version"},
                "409": {"description": "the dossier token was already used"},
                "413": {"description": "body over MAX_CONTENT_LENGTH"},
                "422": _ERRORS,
                "429": {"description": "rate limited; retry after Retry-After seconds"},
            },
        }
    },
    {
        "Submission": {
            "type": "object",
            "required": ["id", "questionnaire", "unit", "channel", "answers"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "questionnaire": {"type": "string"},
                "version": {"type": "integer", "minimum": 1, "maximum": 2147483647,
                            "description": "default: latest published"},
                "unit": {"type": "string"},
                "channel": {"enum": ["kiosk", "phone", "web", "paper"]},
                "token": {"type": "string", "description": "kiosk or dossier token"},
                "service_area": {"type": "string",
                                 "description": "when the questionnaire covers several"},
                "submitted_at": {"type": "string", "format": "date-time",
                                 "description": "when the citizen answered; no offset means "
                                 "Viet Nam time; more than 5 minutes ahead is refused"},
                "ignored_presses": {"type": "integer", "minimum": 0,
                                    "description": "kiosks only: presses ignored as repeats"},
                "answers": {"type": "object", "additionalProperties": _ANSWER_VALUE,
                            "description": "item code: value; no_answer, not_applicable, "
                            "dont_know, refused (or 97/98/99) for a missing answer"},
            },
        },
        "StoredResponse": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "questionnaire": {"type": "string"}, "version": {"type": "integer"},
                "unit": {"type": "string"}, "channel": {"type": "string"},
                "respondent_type": {"type": ["string", "null"]},
                "service_area": {"type": ["string", "null"]},
                "submitted_at": {"type": "string", "format": "date-time"},
                "received_at": {"type": "string", "format": "date-time"},
                "answers": {"type": "object", "additionalProperties": _ANSWER_VALUE},
            },
        },
        "Errors": {
            "type": "object",
            "properties": {"error": {"type": "string"},
                           "errors": {"type": "object",
                                      "additionalProperties": {"type": "string"}}},
        },
    },
)
