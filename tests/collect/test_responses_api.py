"""POST /api/v1/responses: storing, idempotency, every refusal, derived fields."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from survey.extensions import db
from survey.models import Answer, Response
from tests import factories
from tests.collect.conftest import land_answers  # noqa: F401 - documents where answers come from
from tests.conftest import make_app


@pytest.fixture
def link(app, world) -> str:
    """The token of an officer's web link for the land survey in the world's commune: the
    proof a "web" answer needs."""
    with app.app_context():
        return factories.prove({"channel": "web", "unit": world.unit_code,
                                "questionnaire": "land_survey"})["token"]


@pytest.fixture
def payload(world, link):
    def build(answers, **extra):
        body = {"id": str(uuid.uuid4()), "questionnaire": "land_survey",
                "unit": world.unit_code, "channel": "web", "token": link, "answers": answers}
        body.update(extra)
        return body

    return build


def count(app, model=Response):
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def test_a_valid_submission_is_stored_with_derived_fields(app, client, world, land, payload):
    sent = payload(land, submitted_at="2025-03-31T20:30:00+00:00")
    # a fixed past date (to cross a month boundary) is outside the web window: data entry
    reply = client.post("/api/v1/responses", json=sent, headers=world.data_entry)
    assert reply.status_code == 201, reply.json
    body = reply.json
    assert body["id"] == sent["id"] and body["version"] == 1 and body["unit"] == "HN-X01"
    assert body["respondent_type"] == "individual" and body["service_area"] == "land"
    assert body["answers"]["a1_seating"] == 4 and body["answers"]["land_procedure"] == "transfer"
    assert body["answers"]["land_unofficial_asked"] == "dont_know"
    assert "e2_feedback_ease" not in body["answers"]
    with app.app_context():
        stored = db.session.execute(db.select(Response)).scalar_one()
        # 20:30 UTC on 31 March is 1 April in Viet Nam: the month follows the local calendar
        assert (stored.year, stored.month) == (2025, 4)
        assert stored.channel == "web"
        missing = db.session.get(Answer, (stored.id, "land_unofficial_asked"))
        assert missing.missing_code == 98 and missing.value_int is None


def test_the_same_id_again_answers_200_and_stores_nothing_new(app, client, land, payload):
    sent = payload(land)
    first = client.post("/api/v1/responses", json=sent)
    again = client.post("/api/v1/responses", json=sent)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json == again.json
    assert count(app) == 1


def test_the_first_answer_equals_the_stored_one_read_back(app, client, world, land, payload):
    """The 201 body is built from the submission in hand; it must be what the database holds,
    time zones included."""
    sent = {**payload(land), "submitted_at": "2025-03-04T09:30:00+07:00"}
    # a fixed past date is outside the web window: sent as data entry
    first = client.post("/api/v1/responses", json=sent, headers=world.data_entry)
    again = client.post("/api/v1/responses", json=sent, headers=world.data_entry)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json == again.json
    assert first.json["submitted_at"] == "2025-03-04T02:30:00+00:00"


def test_vietnamese_text_is_stored_and_read_back_exactly(app, client, world, land, payload):
    text = "Cán bộ tiếp đón nhiệt tình, hướng dẫn rõ ràng; nên có thêm ghế chờ — cảm ơn!"
    sent = payload({**land, "comments": text})
    reply = client.post("/api/v1/responses", json=sent)
    assert reply.status_code == 201
    assert reply.json["answers"]["comments"] == text
    with app.app_context():
        assert db.session.execute(
            db.select(Answer.value_text).filter_by(item_code="comments")).scalar_one() == text
    assert client.post("/api/v1/responses", json=sent).json["answers"]["comments"] == text


@pytest.mark.parametrize("change, field", [
    ({"unit": "NOPE"}, "unit"),
    ({"channel": "fax"}, "channel"),
    ({"id": "not-a-uuid"}, "id"),
    ({"answers": ["a1_seating"]}, "answers"),
    ({"submitted_at": "yesterday"}, "submitted_at"),
    ({"service_area": "marriage"}, "service_area"),
])
def test_envelope_errors_are_422_naming_the_field(app, client, land, payload, change, field):
    reply = client.post("/api/v1/responses", json={**payload(land), **change})
    assert reply.status_code == 422
    assert field in reply.json["errors"]
    assert count(app) == 0


def test_every_invalid_answer_is_listed(app, client, world, land, payload):
    answers = {**land, "a1_seating": 7, "land_procedure": 3, "e2_feedback_ease": 5,
               "nonsense": 1}
    del answers["overall_satisfaction"]
    reply = client.post("/api/v1/responses", json=payload(answers))
    assert reply.status_code == 422
    errors = reply.json["errors"]
    assert set(errors) == {"a1_seating", "land_procedure", "e2_feedback_ease", "nonsense",
                           "overall_satisfaction"}
    assert count(app) == 0


def test_messages_follow_the_language(client, world, land, payload):
    answers = {**land, "a1_seating": 7}
    vi = client.post("/api/v1/responses", json=payload(answers))
    en = client.post("/api/v1/responses?lang=en", json=payload(answers))
    assert vi.json["errors"]["a1_seating"] != en.json["errors"]["a1_seating"]


def test_a_client_without_a_session_is_answered_in_its_accept_language(app, world, land, payload):
    """A machine client keeps no session: Accept-Language chooses, Vietnamese by default; the
    citizen pages stay Vietnamese first whatever the browser asks (survey/i18n.py)."""
    answers = {**land, "a1_seating": 7}
    asked = {}
    for header in ("en-GB,en;q=0.9", "vi", None, "fr"):
        fresh = app.test_client()  # no session cookie from an earlier request
        headers = {"Accept-Language": header} if header else {}
        asked[header] = fresh.post("/api/v1/responses", json=payload(answers),
                                   headers=headers).json["errors"]["a1_seating"]
    assert asked["vi"] == asked[None] == asked["fr"] != asked["en-GB,en;q=0.9"]
    page = app.test_client().get("/", headers={"Accept-Language": "en"})
    assert 'lang="vi"' in page.text


def test_an_answer_to_a_hidden_item_is_refused_and_a_shown_one_accepted(client, land, payload):
    hidden = client.post("/api/v1/responses",
                         json=payload({**land, "e2_feedback_ease": 5}))
    assert hidden.status_code == 422 and "e2_feedback_ease" in hidden.json["errors"]
    shown = {**land, "e1_gave_feedback": 1, "e2_feedback_ease": 5,
             "e3_feedback_handling": 4, "e4_feedback_reply": "no_answer"}
    assert client.post("/api/v1/responses", json=payload(shown)).status_code == 201


def test_unknown_questionnaire_or_version_is_404(client, world, land, payload):
    assert client.post("/api/v1/responses",
                       json=payload(land, questionnaire="nope")).status_code == 404
    assert client.post("/api/v1/responses",
                       json=payload(land, version=9)).status_code == 404


def test_a_body_that_is_not_json_is_422(client, world):
    reply = client.post("/api/v1/responses", data="{", content_type="application/json")
    assert reply.status_code == 422 and "body" in reply.json["errors"]


def test_a_body_over_the_limit_is_413(tmp_path):
    small = make_app(f"sqlite:///{tmp_path / 's.db'}", MAX_CONTENT_LENGTH=1000)
    with small.app_context():
        db.create_all()
    reply = small.test_client().post("/api/v1/responses",
                                     json={"answers": {"comments": "x" * 5000}})
    assert reply.status_code == 413 and reply.json["error"]


def test_too_many_submissions_are_429(tmp_path):
    limited = make_app(f"sqlite:///{tmp_path / 'r.db'}", RATELIMIT_ENABLED=True,
                       RESPONSES_RATE_LIMIT="2 per minute")
    with limited.app_context():
        db.create_all()
    client = limited.test_client()
    codes = [client.post("/api/v1/responses", json={}).status_code for _ in range(3)]
    assert 429 not in codes[:2] and codes[2] == 429


def test_future_dates_are_refused_and_a_fast_clock_is_clamped(app, client, world, land, payload):
    far = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    reply = client.post("/api/v1/responses", json=payload(land, submitted_at=far))
    assert reply.status_code == 422 and "submitted_at" in reply.json["errors"]
    soon = datetime.now(UTC) + timedelta(minutes=2)
    reply = client.post("/api/v1/responses",
                        json=payload(land, submitted_at=soon.isoformat()))
    assert reply.status_code == 201
    assert datetime.fromisoformat(reply.json["submitted_at"]) < soon


def test_no_ip_address_is_stored(app, client, world, land, payload):
    stored = client.post("/api/v1/responses", json=payload(land),
                         environ_base={"REMOTE_ADDR": "203.0.113.77"})
    assert stored.status_code == 201, stored.json
    with app.app_context():
        dump = "\n".join(db.session.connection().connection.driver_connection.iterdump())
    assert "203.0.113.77" not in dump


def test_the_openapi_description_documents_submission(client):
    spec = client.get("/api/v1/openapi.json").json
    post = spec["paths"]["/responses"]["post"]
    assert {"201", "200", "404", "413", "422", "429"} <= set(post["responses"])
    assert "Submission" in spec["components"]["schemas"]
