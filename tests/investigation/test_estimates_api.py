"""GET /api/v1/investigations/<code>/estimates (#20): the service's answer, role-checked,
an officer's subtree only, bad options named, documented in the OpenAPI description."""

from __future__ import annotations

import pytest

from survey.extensions import db
from survey.models import Investigation
from survey.services.accounts import create_api_key
from survey.services.investigation.estimates import Options, estimates
from tests.investigation.estimates_world import CODE, estimates_app

URL = f"/api/v1/investigations/{CODE}/estimates"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with estimates_app(tmp_path_factory.mktemp("api")) as app:
        with app.app_context():
            keys = {role: create_api_key(f"k-{role}", role, unit).key
                    for role, unit in (("admin", None), ("analyst", None),
                                       ("unit_officer", "D1"), ("data_entry", None),
                                       ("designer", None))}
            db.session.commit()
        yield app, keys


def _get(app, key: str | None, url: str = URL):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return app.test_client().get(url, headers=headers)


def test_the_answer_is_the_service_s(world):
    app, keys = world
    answer = _get(app, keys["analyst"], URL + "?raking=frame&trim=3")
    assert answer.status_code == 200
    with app.app_context():
        investigation = db.session.execute(
            db.select(Investigation).filter_by(code=CODE)).scalar_one()
        expected = estimates(investigation, Options(raking="frame", trim=3.0))
    body = answer.get_json()
    assert body["rows"] == expected["rows"]  # JSON keeps floats exactly (repr)
    assert body["weights"]["trim_rule"] == expected["weights"]["trim_rule"]
    assert body["method"]["pooling"].startswith("the sampled investigation's results are never")


def test_roles(world):
    app, keys = world
    assert _get(app, None).status_code == 401
    assert _get(app, keys["data_entry"]).status_code == 403
    assert _get(app, keys["designer"]).status_code == 403
    assert _get(app, keys["admin"]).status_code == 200


def test_an_officer_gets_its_subtree(world):
    app, keys = world
    body = _get(app, keys["unit_officer"]).get_json()
    units = {r["code"] for r in body["rows"] if r["domain"] == "unit"}
    assert units and units <= {"D1", "C01", "C02", "C03", "C04", "C05", "C06"}
    everything = _get(app, keys["admin"]).get_json()
    mine = next(r for r in body["rows"] if r["domain"] == "all")
    whole = next(r for r in everything["rows"] if r["domain"] == "all")
    assert mine["respondents"] < whole["respondents"]


@pytest.mark.parametrize(("query", "parameter"), [
    ("cells=region", "cells"), ("raking=records9", "raking"), ("trim=abc", "trim"),
    ("trim=0.5", "trim"), ("trim=nan", "trim"), ("year=2025", "year")])
def test_bad_options_are_named(world, query, parameter):
    app, keys = world
    answer = _get(app, keys["analyst"], f"{URL}?{query}")
    assert answer.status_code == 400
    assert answer.get_json()["parameter"] == parameter


def test_unknown_investigation_is_404_json(world):
    app, keys = world
    answer = _get(app, keys["analyst"], "/api/v1/investigations/NOPE/estimates")
    assert answer.status_code == 404
    assert answer.get_json()["error"]


def test_documented(world):
    app, _ = world
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/investigations/{code}/estimates"]["get"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404"}
    assert "InvestigationEstimates" in doc["components"]["schemas"]


def test_the_command_line_prints_the_same(world):
    import json

    app, _ = world
    runner = app.test_cli_runner()
    printed = runner.invoke(args=["investigation", "estimates", CODE, "--json"])
    assert printed.exit_code == 0, printed.output
    with app.app_context():
        investigation = db.session.execute(
            db.select(Investigation).filter_by(code=CODE)).scalar_one()
        expected = estimates(investigation)
    assert json.loads(printed.output)["rows"] == expected["rows"]
    table = runner.invoke(args=["investigation", "estimates", CODE, "--measure", "index"])
    overall = next(r for r in expected["rows"]
                   if r["domain"] == "all" and r["measure"] == "index")
    assert f"{100 * overall['estimate']:.1f}%" in table.output
    assert "small n (suppressed)" in table.output
    refused = runner.invoke(args=["investigation", "estimates", CODE, "--raking", "records"])
    assert refused.exit_code != 0 and "records" in refused.output
    assert "Traceback" not in refused.output
    unknown = runner.invoke(args=["investigation", "estimates", "NOPE"])
    assert unknown.exit_code != 0 and "NOPE" in unknown.output
