"""POST /api/v1/responses: the one door through which every online answer comes in."""

from __future__ import annotations

import hashlib

from flask import current_app, jsonify, request
from flask_limiter.util import get_remote_address

from survey.access import current_principal
from survey.api import bp, openapi
from survey.api.schemas import Unprocessable
from survey.api.schemas import responses as schemas
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
            "requestBody": {"required": True,
                            "content": openapi.json_content(openapi.ref("Submission"))},
            "responses": {
                "201": {"description": "stored",
                        "content": openapi.json_content(openapi.ref("StoredResponse"))},
                "200": {"description": "already stored under this id; nothing new stored",
                        "content": openapi.json_content(openapi.ref("StoredResponse"))},
                "400": openapi.BAD_PARAMETER,
                "404": {"description": "unknown questionnaire or version"},
                "202": {"description": "a kiosk answer too soon after the previous one: "
                        "counted, not stored; do not retry"},
                "401": {"description": "channel paper without credentials"},
                "403": {"description": "channel paper without the import capability"},
                "409": {"description": "the dossier token was already used"},
                "413": {"description": "body over MAX_CONTENT_LENGTH"},
                "422": {"description": "invalid fields or answers",
                        "content": openapi.json_content(openapi.ref("Unprocessable"))},
                "429": {"description": "rate limited; retry after Retry-After seconds"},
            },
        }
    },
    models=(schemas.StoredResponse, Unprocessable),
    bodies=(schemas.Submission,),
)
