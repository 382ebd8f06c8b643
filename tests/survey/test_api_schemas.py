"""Every analysis answer on the demo validates against the pydantic model its OpenAPI schema is
generated from, and the description's components are those models' schemas (#22)."""

import pytest

from survey.api.schemas import BadParameter
from survey.api.schemas import records as record_schemas
from survey.api.schemas import reports as schemas
from tests.conftest import make_app
from tests.survey import reporting_data as data


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('schemas') / 'demo.db'}")
    from survey.extensions import db

    with app.app_context():
        db.create_all()
    keys = data.build(app, scale=0.2)
    yield app, keys
    with app.app_context():
        db.engine.dispose()


def get(demo, url):
    app, keys = demo
    return app.test_client().get(url, headers={"Authorization": f"Bearer {keys['analyst']}"})


@pytest.mark.parametrize("url, model", [
    ("/api/v1/indices", schemas.Indices),
    ("/api/v1/indices?by=year,service_area", schemas.Indices),
    ("/api/v1/indices?by=unit&level=commune", schemas.Indices),
    ("/api/v1/indices?by=year&measure=elements", schemas.Indices),
    ("/api/v1/indices?stream=dossier_rating", schemas.Indices),
    ("/api/v1/indices?view=recorded&by=unit", schemas.Indices),
    ("/api/v1/trends", schemas.Trends),
    ("/api/v1/trends?by=service_area", schemas.Trends),
    ("/api/v1/trends?by=unit&level=district", schemas.Trends),
    ("/api/v1/elements", schemas.Elements),
    ("/api/v1/elements?level=commune", schemas.Elements),
    ("/api/v1/weighted", schemas.Weighted),
    ("/api/v1/weighted?from=2030&to=2031", schemas.Weighted),
    ("/api/v1/sample-size", schemas.SampleSize),
    ("/api/v1/sample-size?margin=0.05&population=500", schemas.SampleSize),
    ("/api/v1/sample-size?p1=0.7&p2=0.75", schemas.SampleSize),
    ("/api/v1/records", record_schemas.Records),
    ("/api/v1/records?by=year,service_area,unit", record_schemas.Records),
    ("/api/v1/appendix", record_schemas.Appendix),
    ("/api/v1/appendix?year=2025&unit=ST-H01", record_schemas.Appendix),
    ("/api/v1/records/on-time", record_schemas.OnTime),
    ("/api/v1/records/on-time?from=2030&to=2030", record_schemas.OnTime),
])
def test_every_answer_validates_against_its_model(demo, url, model):
    answer = get(demo, url)
    assert answer.status_code == 200, answer.json
    model.model_validate(answer.json, strict=False)


@pytest.mark.parametrize("url, parameter", [
    ("/api/v1/sample-size?margin=0.6", "margin"),
    ("/api/v1/sample-size?population=12.5", "population"),
    ("/api/v1/sample-size?deff=nan", "deff"),
    ("/api/v1/sample-size?p=inf", "p"),
    ("/api/v1/sample-size?colour=red", "colour"),
    ("/api/v1/sample-size?p1=0.5", "p2"),
])
def test_a_refusal_names_the_parameter_in_the_documented_shape(demo, url, parameter):
    answer = get(demo, url)
    assert answer.status_code == 400
    assert BadParameter.model_validate(answer.json).parameter == parameter


def test_an_empty_value_is_not_given(demo):
    assert get(demo, "/api/v1/sample-size?margin=&p=").json["n"] == \
        get(demo, "/api/v1/sample-size").json["n"] == 1068


def test_the_description_is_generated_from_the_models(demo):
    spec = demo[0].test_client().get("/api/v1/openapi.json").json
    components = spec["components"]["schemas"]
    for model in (schemas.Indices, schemas.Trends, schemas.Elements, schemas.Weighted,
                  schemas.SampleSize, BadParameter, record_schemas.Records,
                  record_schemas.Appendix, record_schemas.OnTime, record_schemas.Imported,
                  record_schemas.ImportProblems):
        generated = model.model_json_schema(ref_template="#/components/schemas/{model}",
                                            mode="serialization")
        generated.pop("$defs", None)
        assert components[model.__name__] == generated
    ranges = {p["name"]: (p["schema"]["minimum"], p["schema"]["maximum"])
              for p in spec["paths"]["/sample-size"]["get"]["parameters"]}
    assert ranges == {name: (field.metadata[0].ge, field.metadata[1].le)
                      for name, field in schemas.SampleSizeQuery.model_fields.items()}


def test_every_reference_names_a_generated_component(demo):
    """No schema is written by hand any more: each component the description holds is a
    model's, and each $ref in it names one of them."""
    from survey.api import openapi

    spec = demo[0].test_client().get("/api/v1/openapi.json").json
    models = {model.__name__ for model, _mode in openapi.MODELS}
    components = spec["components"]["schemas"]
    assert set(components) >= models

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    named = {ref.removeprefix("#/components/schemas/") for ref in refs(spec)}
    assert named and named <= set(components)
    assert set(components) - models <= named  # the rest are sub-models of the models
