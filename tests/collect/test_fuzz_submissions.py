"""Hostile and random submissions: never a server error, never a stored response that breaks
the questionnaire's rules."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import questionnaires as qn
from survey.extensions import db
from survey.models import Answer, QuestionnaireVersion, Response
from survey.services.questionnaires import definition_of
from tests import factories

JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                      st.floats(allow_nan=False), st.text(max_size=40))
JSON = st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
ITEM_CODES = ["a1_seating", "e1_gave_feedback", "e2_feedback_ease", "respondent_type",
              "land_supplements", "comments", "sex", "overall_satisfaction", "nope"]


def proofs(app, world) -> list[str]:
    """A valid token of every kind: a desk QR code per questionnaire, a kiosk, a web link."""
    with app.app_context():
        return [factories.prove({"channel": channel, "unit": world.unit_code,
                                 "questionnaire": code})["token"]
                for channel, code in (("phone", "land_survey"), ("phone", "dossier_rating"),
                                      ("kiosk", "dossier_rating"), ("web", "land_survey"))]


def envelope(world, tokens):
    return st.fixed_dictionaries({
        "id": st.one_of(st.uuids().map(str), JSON_LEAF),
        "token": st.sampled_from(tokens) | JSON_LEAF,
        "questionnaire": st.sampled_from(["land_survey", "dossier_rating", "x", ""]) | JSON_LEAF,
        "unit": st.sampled_from([world.unit_code, "NOWHERE"]) | JSON_LEAF,
        "channel": st.sampled_from(["web", "phone", "kiosk", "paper", "fax"]) | JSON_LEAF,
        "answers": st.dictionaries(st.sampled_from(ITEM_CODES) | st.text(max_size=8),
                                   JSON_LEAF | st.sampled_from(["no_answer", 4, "4"])
                                   | st.lists(st.text(max_size=5), max_size=3), max_size=12)
        | JSON,
    })


def test_random_submissions_never_crash_and_never_store_an_invalid_response(
        app, client, world, land):
    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    # Sent by anyone, or by data entry (which may send paper and date freely); 401: paper
    # from anyone else.
    @given(body=envelope(world, proofs(app, world)) | JSON, data_entry=st.booleans())
    def run(body, data_entry):
        answer = client.post("/api/v1/responses", json=body,
                             headers=world.data_entry if data_entry else {})
        assert answer.status_code in (200, 201, 401, 404, 409, 413, 422), \
            (answer.status_code, body)

    run()
    # a few complete, valid answers too, so the check below looks at real rows
    for _ in range(3):
        with app.app_context():
            sent = factories.prove({"id": str(uuid.uuid4()), "questionnaire": "land_survey",
                                    "unit": world.unit_code, "channel": "phone",
                                    "answers": land})
        assert client.post("/api/v1/responses", json=sent).status_code == 201
    with app.app_context():
        stored = db.session.execute(db.select(Response)).scalars().all()
        assert stored
        for response in stored:
            definition = definition_of(db.session.get(QuestionnaireVersion,
                                                      response.version_id))
            answers = {a.item_code: a for a in db.session.execute(
                db.select(Answer).filter_by(response_id=response.id)).scalars()}
            raw = {code: ("no_answer" if a.missing_code else
                          a.value_int if a.value_int is not None else a.value_text)
                   for code, a in answers.items()}
            _, errors = qn.validate_answers(definition, raw, "en")
            assert errors == {}, (response.uuid, errors)


def test_malformed_bodies_get_a_clean_4xx(client):
    cases = [b"{not json", b"\xff\xfe\x00garbage", b"[" * 5000 + b"]" * 5000,
             b'{"id": ' + b"9" * 5000 + b"}", b"null", b'"text"']
    for body in cases:
        answer = client.post("/api/v1/responses", data=body,
                             headers={"Content-Type": "application/json"})
        assert 400 <= answer.status_code < 500, (answer.status_code, body[:40])
    huge = client.post("/api/v1/responses", data=b"{" + b" " * (3 * 1024 * 1024) + b"}",
                       headers={"Content-Type": "application/json"})
    assert huge.status_code == 413
