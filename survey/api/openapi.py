"""The OpenAPI 3.1 description, assembled from what each API module declares.

Components come from the pydantic models in survey/api/schemas (answers in their serialization
form, request bodies in their validation form), query parameters from the `Query` models the
views validate with: one source for both, nothing written twice.
"""

from __future__ import annotations

from flask import current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from survey.api import bp
from survey.api.schemas import BadParameter, Error, Query

PATHS: dict[str, dict] = {}
# (model, "serialization") for answers, (model, "validation") for request bodies
MODELS: list[tuple[type[BaseModel], str]] = [(Error, "serialization"),
                                             (BadParameter, "serialization")]
REF_TEMPLATE = "#/components/schemas/{model}"


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


def document(path: str, operations: dict, models: tuple[type[BaseModel], ...] = (),
             bodies: tuple[type[BaseModel], ...] = ()) -> None:
    """Declare the operations of an API path (relative to /api/v1) for the description, and
    the models of its answers and request bodies that they refer to by name."""
    PATHS.setdefault(path, {}).update(operations)
    for entry in [(m, "serialization") for m in models] + [(m, "validation") for m in bodies]:
        if entry not in MODELS:
            MODELS.append(entry)


def model_schemas() -> dict[str, dict]:
    """Each model's JSON Schema as an answer carries it, and the models it refers to."""
    _, top = models_json_schema(MODELS, ref_template=REF_TEMPLATE)
    return top.get("$defs", {})


def query_parameters(model: type[Query]) -> list[dict]:
    """The fields of a query model as OpenAPI query parameters."""
    schema = model.model_json_schema(ref_template=REF_TEMPLATE)
    required = set(schema.get("required", ()))
    parameters = []
    for name, field in schema["properties"].items():
        field = {k: v for k, v in field.items()
                 if k != "title" and not (k == "default" and v is None)}
        description = field.pop("description", None)
        # "not given" is an absent (or empty) value, never null: the query string has no null
        options = [o for o in field.pop("anyOf", ()) if o != {"type": "null"}]
        if len(options) == 1:
            field.update(options[0])
        elif options:
            field["anyOf"] = options
        parameters.append({"name": name, "in": "query", "required": name in required,
                           "allowEmptyValue": True, "schema": field,
                           **({"description": description} if description else {})})
    return parameters


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
            "schemas": model_schemas(),
        },
        "paths": dict(sorted(PATHS.items())),
    }


@bp.get("/openapi.json")
def openapi_json():
    current_app.logger.debug("serving the OpenAPI description")
    return jsonify(description())
