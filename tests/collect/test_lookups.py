"""What a worker remembers of units and versions never makes a submission wrong."""

from __future__ import annotations

import uuid

import questionnaires as qn
from survey.extensions import db
from survey.models import QuestionnaireVersion, Response, Unit
from survey.services import questionnaires as qservice
from survey.services import responses as rservice
from tests import factories


def submission(app, unit_code: str, answers: dict, **extra) -> dict:
    """A phone answer with its proof: a desk QR code of the unit (signed, so it can name a
    unit that does not exist yet)."""
    with app.app_context():
        return factories.prove({"id": str(uuid.uuid4()), "questionnaire": "land_survey",
                                "unit": unit_code, "channel": "phone", "answers": answers,
                                **extra})


def test_a_unit_deleted_while_remembered_gives_unknown_unit_not_an_error(app, client, world,
                                                                         land):
    with app.app_context():
        factories.unit("GONE")
        db.session.commit()
        assert rservice._unit("GONE", {})[1] == "GONE"  # now remembered by this worker
        db.session.execute(db.delete(Unit).where(Unit.code == "GONE"))
        db.session.commit()
    # Sent as data entry, without a token: a QR code naming the unit would be refused when it
    # is read, before the remembered unit could reach the insert that this test is about.
    sent = {"id": str(uuid.uuid4()), "questionnaire": "land_survey", "unit": "GONE",
            "channel": "phone", "answers": land}
    reply = client.post("/api/v1/responses", json=sent, headers=world.data_entry)
    assert reply.status_code == 422 and "unit" in reply.json["errors"]
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Response)).scalar() == 0


def test_a_new_unit_is_usable_at_once(app, client, world, land):
    assert client.post("/api/v1/responses", json=submission(app, "NEW1", land)).status_code == 422
    with app.app_context():
        factories.unit("NEW1")
        db.session.commit()
    assert client.post("/api/v1/responses", json=submission(app, "NEW1", land)).status_code == 201


def test_publishing_is_seen_at_once_by_the_worker_that_published(app, world):
    with app.app_context():
        before = qservice.version_ref("land_survey")  # remembered from here on
        draft = dict(db.session.get(QuestionnaireVersion, before.id).definition)
        draft["title"] = {"vi": "Phiếu khảo sát đất đai (mới)", "en": "Land survey (new)"}
        qservice.save_draft(qn.from_dict(draft, filename="draft"))
        qservice.publish("land_survey")
        db.session.commit()
        after = qservice.version_ref("land_survey")
        assert after.number == before.number + 1 and after.id != before.id


def test_a_retry_of_a_stored_response_is_answered_with_it_even_if_it_would_now_fail(
        app, client, world, land):
    """The id decides: a repeated submission returns what was stored, whatever changed since
    (here the answers sent again are invalid), and stores nothing."""
    first = submission(app, world.unit_code, land)
    assert client.post("/api/v1/responses", json=first).status_code == 201
    again = client.post("/api/v1/responses", json={**first, "answers": {"nonsense": 1}})
    assert again.status_code == 200 and again.json["answers"] == \
        client.post("/api/v1/responses", json=first).json["answers"]
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Response)).scalar() == 1
