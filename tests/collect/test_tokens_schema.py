"""/dossier-tokens (#22): bodies are validated through the request models the OpenAPI
description is generated from, and every answer validates against its answer model."""

from __future__ import annotations

import uuid

import pytest

from survey.api.schemas import Unprocessable
from survey.api.schemas import tokens as schemas

DOSSIER = "000.00.12.H01-250601-0009"


def post(client, world, body):
    return client.post("/api/v1/dossier-tokens", json=body,
                       headers={"Authorization": f"Bearer {world.key}"})


def test_issued_updated_and_already_rated_answers_match_their_models(client, world):
    issued = post(client, world, {"dossier_code": DOSSIER, "unit": world.unit_code,
                                  "unknown_field": "ignored, as before"})
    assert issued.status_code == 201, issued.json
    token = schemas.TokenIssued.model_validate(issued.json).token
    status = client.put(f"/api/v1/dossier-tokens/{DOSSIER}/on-time-status",
                        json={"on_time_status": "early"},
                        headers={"Authorization": f"Bearer {world.key}"})
    assert schemas.OnTimeStatusUpdated.model_validate(status.json).updated == 1
    rated = client.post("/api/v1/responses", json={
        "id": str(uuid.uuid4()), "questionnaire": "dossier_rating", "unit": world.unit_code,
        "channel": "phone", "token": token, "answers": {"rating": 3}})
    assert rated.status_code == 201, rated.json
    again = post(client, world, {"dossier_code": DOSSIER, "unit": world.unit_code})
    assert again.status_code == 409
    schemas.AlreadyRated.model_validate(again.json)


@pytest.mark.parametrize("body, fields", [
    ({}, {"dossier_code", "unit"}),
    ({"dossier_code": "", "unit": "HN-X01"}, {"dossier_code"}),
    ({"dossier_code": "x" * 61, "unit": "HN-X01"}, {"dossier_code"}),
    ({"dossier_code": "A", "unit": ["HN-X01"], "procedure": 5}, {"unit", "procedure"}),
    ({"dossier_code": "A\x00", "unit": "HN-X01", "questionnaire": True},
     {"dossier_code", "questionnaire"}),
    ({"dossier_code": "A", "unit": "NOWHERE"}, {"unit"}),  # the service's own check
])
def test_a_refused_body_names_each_field(client, world, body, fields):
    answer = post(client, world, body)
    assert answer.status_code == 422
    assert set(Unprocessable.model_validate(answer.json).errors) == fields


def test_an_unknown_status_is_named(client, world):
    post(client, world, {"dossier_code": DOSSIER, "unit": world.unit_code})
    answer = client.put(f"/api/v1/dossier-tokens/{DOSSIER}/on-time-status",
                        json={"on_time_status": 5},
                        headers={"Authorization": f"Bearer {world.key}"})
    assert answer.status_code == 422
    assert set(Unprocessable.model_validate(answer.json).errors) == {"on_time_status"}


def test_the_bodies_are_described_by_their_models(client):
    components = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    for model in (schemas.TokenRequest, schemas.OnTimeStatusRequest):
        assert components[model.__name__] == model.model_json_schema(
            ref_template="#/components/schemas/{model}", mode="validation")
