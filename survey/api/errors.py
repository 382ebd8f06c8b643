"""JSON errors for every API route, with the HTTP status and a short reason."""

from __future__ import annotations

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from survey.api import bp


class BadParameter(ValueError):
    """A query parameter a client sent is not allowed; answered as 400 naming it."""

    def __init__(self, name: str, message: str, allowed: list | tuple | None = None):
        self.name = name
        self.allowed = list(allowed) if allowed is not None else None
        super().__init__(message)


@bp.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    body = {"error": "bad parameter", "parameter": error.name, "detail": str(error)}
    if error.allowed is not None:
        body["allowed"] = error.allowed
    return jsonify(body), 400


def json_http_error(error: HTTPException):
    """Registered app-wide for /api/ paths (blueprint handlers miss 404 and 405)."""
    response = jsonify(error=error.name.lower(), detail=error.description)
    response.status_code = error.code or 500
    for header in ("Retry-After", "WWW-Authenticate", "Allow"):
        if error.get_response().headers.get(header):
            response.headers[header] = error.get_response().headers[header]
    return response


def wants_json() -> bool:
    return request.path.startswith(bp.url_prefix + "/")
