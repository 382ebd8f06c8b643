"""The estimates answer validates against the pydantic model its OpenAPI schema is generated
from (#22), whatever the options; a key the model does not name is drift and fails."""

from __future__ import annotations

import pytest

from survey.api.schemas.investigations import InvestigationEstimates
from survey.extensions import db
from survey.services.accounts import create_api_key
from tests.investigation.estimates_world import CODE, estimates_app


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with estimates_app(tmp_path_factory.mktemp("schema")) as app:
        with app.app_context():
            key = create_api_key("k-analyst", "analyst").key
            db.session.commit()
        yield app, key


@pytest.mark.parametrize("query", ["", "?raking=frame&trim=3", "?cells=all",
                                   "?cells=unit&raking=frame"])
def test_the_answer_validates_against_its_model(world, query):
    app, key = world
    answer = app.test_client().get(f"/api/v1/investigations/{CODE}/estimates{query}",
                                   headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200, answer.get_json()
    InvestigationEstimates.model_validate(answer.get_json())


def test_the_description_is_the_model_s(world):
    app, _ = world
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    generated = InvestigationEstimates.model_json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization")
    generated.pop("$defs")
    assert doc["components"]["schemas"]["InvestigationEstimates"] == generated
