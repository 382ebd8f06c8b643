"""POST /api/v1/responses: the one door through which every online answer comes in."""

from __future__ import annotations

import hashlib

from flask import current_app, jsonify, request
from flask_limiter.util import get_remote_address

from survey.access import current_principal
from survey.api import bp, openapi
from survey.collect import kiosk_offer
from survey.extensions import limiter
from survey.i18n import current_lang
from survey.services import responses as service
from survey.services.questionnaires import UnknownQuestionnaire


def _client_limit() -> str:
    return current_app.config["RESPONSES_RATE_LIMIT"]


def _token_limit() -> str:
    return current_app.config["RESPONSES_TOKEN_RATE_LIMIT"]


def _token_key() -> str:
    """One count per proof token (a kiosk, a desk poster, a web link, a receipt): many
    clients replaying one token share it. Without a token, per client."""
    payload = request.get_json(silent=True)
    token = payload.get("token") if isinstance(payload, dict) else None
    if isinstance(token, str) and token:
        return "token:" + hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:32]
    return "client:" + get_remote_address()


def _data_entry() -> bool:
    """Only a staff session or API key that may import responses may claim paper."""
    principal = current_principal()
    return principal is not None and principal.can("import_responses")


@bp.post("/responses")
@limiter.limit(_client_limit)
@limiter.limit(_token_limit, key_func=_token_key)
def submit_response():
    try:
        payload = request.get_json(silent=True)  # a body over MAX_CONTENT_LENGTH: 413 first
    except RecursionError:  # "[[[[…" thousands deep: Python's decoder gives up, we refuse
        payload = None
    if payload is None:
        return jsonify(error="unprocessable", errors={"body": "a JSON object is expected"}), 422
    try:
        result = service.submit(payload, current_lang(), data_entry=_data_entry())
    except UnknownQuestionnaire as error:
        return jsonify(error="not found", detail=str(error)), 404
    except service.SubmissionInvalid as invalid:
        return jsonify(error="unprocessable", errors=invalid.errors), 422
    except service.TokenAlreadyUsed as used:
        return jsonify(error="conflict", detail=str(used)), 409
    except service.PaperNotAllowed as refused:
        status = 401 if current_principal() is None else 403
        return jsonify(error="authentication required" if status == 401 else "forbidden",
                       detail=str(refused)), status
    except service.Throttled as throttled:
        # Final for the kiosk (it drops the answer from its queue): counted, not stored.
        return jsonify(error="throttled", stored=False, detail=str(throttled)), 202
    document = result.document
    # A kiosk's dissatisfied answer or comment: how to leave a contact from a phone (#23).
    if (offer := kiosk_offer.for_kiosk(payload, result.response_id, current_lang())) is not None:
        document = {**document, "offer": offer}
    return jsonify(document), 201 if result.created else 200


_ANSWER_VALUE = {"oneOf": [{"type": "integer"}, {"type": "string"},
                           {"type": "array", "items": {"type": "string"}}]}
_ERRORS = {"description": "invalid fields or answers",
           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}

openapi.document(
    "/responses",
    {
        "post": {
            "summary": "Submit one citizen's answers (idempotent on id)",
            "description": "No authentication, but every channel proves its origin with a "
            "token: kiosk ⇐ its kiosk token; phone ⇐ a desk poster's QR token or a receipt's "
            "dossier token; web ⇐ an officer's web link token or a dossier token; paper ⇐ only "
            "a staff session or API key that may import responses. Each channel may date an "
            "answer only inside its window (docs/SECURITY.md), never in a closed year. "
            "Retrying with the same id returns the stored response (200) and stores nothing "
            "new. Rate limited per client and per token. No IP address or other personal "
            "data is stored.",
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
                "202": {"description": "a kiosk answer too soon after the previous one: "
                        "counted, not stored; do not retry"},
                "401": {"description": "channel paper without credentials"},
                "403": {"description": "channel paper without the import capability"},
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
                "token": {"type": "string",
                          "description": "the channel's proof: a kiosk, desk QR, web link "
                          "or dossier token (required except for paper)"},
                "service_area": {"type": "string",
                                 "description": "when the questionnaire covers several"},
                "submitted_at": {"type": "string", "format": "date-time",
                                 "description": "when the citizen answered; no offset means "
                                 "Viet Nam time; more than 5 minutes ahead is refused, and "
                                 "so is a time before the channel's window or in a closed "
                                 "year"},
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
                "offer": {"$ref": "#/components/schemas/FeedbackOffer"},
            },
        },
        "FeedbackOffer": {
            "type": "object",
            "description": "kiosks only, when the stored answer is dissatisfied or has a "
            "comment: the signed link (valid expires_in seconds) where the citizen may leave "
            "a contact for this one response, from their own phone, its QR code as inline "
            "SVG, and who answers within how many working days (docs/FEEDBACK.md)",
            "required": ["url", "qr_svg", "unit", "days", "source", "expires_in"],
            "properties": {
                "url": {"type": "string", "format": "uri"},
                "qr_svg": {"type": "string"},
                "unit": {"type": "string"},
                "days": {"type": "integer", "minimum": 0},
                "source": {"enum": ["rating", "comment"]},
                "expires_in": {"type": "integer", "minimum": 1},
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
