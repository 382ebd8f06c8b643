"""The OpenAPI 3.1 description, assembled from what each API module declares."""

from __future__ import annotations

from flask import current_app, jsonify

from survey.api import bp

PATHS: dict[str, dict] = {}
SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "properties": {"error": {"type": "string"}, "detail": {}},
        "required": ["error"],
    },
    "BadParameter": {
        "type": "object",
        "properties": {"error": {"const": "bad parameter"},
                       "parameter": {"type": "string", "description": "the culprit"},
                       "detail": {"type": "string"},
                       "allowed": {"type": "array", "description": "where the values are few"}},
        "required": ["error", "parameter", "detail"],
    },
}


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


# The refusals every authenticated operation may answer, with their JSON bodies.
BAD_PARAMETER = {"description": "a bad parameter, named in the body",
                 "content": json_content(ref("BadParameter"))}
NO_CREDENTIALS = {"description": "no credentials (WWW-Authenticate: Bearer)",
                  "content": json_content(ref("Error"))}
FORBIDDEN = {"description": "the role may not do this", "content": json_content(ref("Error"))}


def document(path: str, operations: dict, schemas: dict | None = None) -> None:
    """Declare the operations of an API path (relative to /api/v1) for the description."""
    PATHS.setdefault(path, {}).update(operations)
    SCHEMAS.update(schemas or {})


def description() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hailong API",
            "version": "1",
            "description": "Citizen satisfaction with one-stop public services: submissions "
            "and analysis.",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": SCHEMAS,
        },
        "paths": dict(sorted(PATHS.items())),
    }


@bp.get("/openapi.json")
def openapi_json():
    current_app.logger.debug("serving the OpenAPI description")
    return jsonify(description())
