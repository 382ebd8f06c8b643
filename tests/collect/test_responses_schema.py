"""POST /responses (#22): the models its OpenAPI description is generated from hold the service
to what they say. The service checks the submission (its refusals are in the citizen's
language); here, what it stores validates against `Submission` and its answers against
`StoredResponse`, and each envelope value the model refuses the service refuses, naming it."""

from __future__ import annotations

import uuid

import pytest

from survey.api.schemas import Unprocessable
from survey.api.schemas.responses import StoredResponse, Submission
from survey.extensions import db
from survey.models import Kiosk
from survey.services import tokens
from tests import factories

API = "/api/v1/responses"


@pytest.fixture
def payload(app, world, land):
    with app.app_context():
        link = factories.prove({"channel": "web", "unit": world.unit_code,
                                "questionnaire": "land_survey"})["token"]
    return {"id": str(uuid.uuid4()), "questionnaire": "land_survey", "unit": world.unit_code,
            "channel": "web", "token": link, "answers": land}


def test_a_stored_submission_and_its_replay_match_the_models(client, payload):
    Submission.model_validate(payload)
    first = client.post(API, json=payload)
    assert first.status_code == 201, first.json
    StoredResponse.model_validate(first.json)
    again = client.post(API, json=payload)
    assert again.status_code == 200
    assert StoredResponse.model_validate(again.json) == StoredResponse.model_validate(first.json)


def test_a_kiosk_answer_with_its_offer_matches_the_model(app, client, world):
    with app.app_context():
        token = tokens.kiosk_token(db.session.get(Kiosk, world.kiosk_id))
    body = {"id": str(uuid.uuid4()), "questionnaire": "dossier_rating", "unit": world.unit_code,
            "channel": "kiosk", "token": token, "answers": {"rating": 1}}
    Submission.model_validate(body)
    answer = client.post(API, json=body)
    assert answer.status_code == 201, answer.json
    assert StoredResponse.model_validate(answer.json).offer is not None


@pytest.mark.parametrize("change, field", [
    ({"id": "not-a-uuid"}, "id"),
    ({"channel": "fax"}, "channel"),
    ({"version": 0}, "version"),
    ({"version": 2**31}, "version"),
    ({"answers": ["a1_seating"]}, "answers"),
    ({"submitted_at": "yesterday"}, "submitted_at"),
    ({"ignored_presses": -1}, "ignored_presses"),
])
def test_what_the_model_refuses_the_service_refuses(app, client, payload, change, field):
    body = {**payload, **change}
    with pytest.raises(ValueError) as refused:
        Submission.model_validate(body)
    assert {e["loc"][0] for e in refused.value.errors()} == {field}
    answer = client.post(API, json=body)
    if field == "version":  # a version that cannot exist is an unknown one (documented 404)
        assert answer.status_code == 404 and "version" in answer.json["detail"]
        return
    assert answer.status_code == 422, answer.json
    assert field in Unprocessable.model_validate(answer.json).errors
