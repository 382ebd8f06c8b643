"""Fixtures for collection tests: published built-in questionnaires, a unit, a desk, a kiosk."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

import questionnaires as qn
from survey.extensions import db
from survey.models import Desk, Kiosk
from survey.services import questionnaires as qservice
from survey.services.accounts import create_api_key
from tests import factories

# Chosen answers of the built-in land survey; every other required item gets a plain value.
LAND_CHOSEN = {"e1_gave_feedback": 0, "respondent_type": "individual",
               "land_procedure": "transfer", "land_supplements": 0, "land_agencies": 1,
               "land_unofficial_asked": "no_answer"}


@dataclass
class World:
    unit_code: str
    kiosk_id: int
    desk_code: str
    key: str  # an API key of the data-entry role: issues tokens, may import responses

    @property
    def data_entry(self) -> dict[str, str]:
        """Headers that send a submission as data entry: paper, or dated freely (not in a
        closed year); for tests that store answers of fixed past dates."""
        return {"Authorization": f"Bearer {self.key}"}


def land_answers(definition) -> dict:
    """A complete valid answer set: likert items 4, the rest their first value."""
    answers = {}
    for item in definition.items:
        if item.code in LAND_CHOSEN:
            answers[item.code] = LAND_CHOSEN[item.code]
        elif item.required and item.show_if is None:
            labels = qn.get_type(item.type).value_labels(item)
            answers[item.code] = 4 if item.type == "likert5" else (
                labels[0][0] if labels else (item.min or 1))
    return answers


def make_world(app, token_nonce: str = "n" * 32) -> World:
    """The published questionnaires, a commune with a desk and a kiosk, and an API key, in
    any app; the fixed nonce lets two databases receive exactly the same kiosk tokens."""
    with app.app_context():
        qservice.load_and_publish_builtins()
        province = factories.unit("HN")
        commune = factories.unit("HN-X01", "commune", province)
        desk = Desk(unit=commune, code="MC1", name_vi="Bàn một cửa số 1", name_en="Desk 1")
        kiosk = Kiosk(name="Kiosk 1", unit=commune, desk=desk,
                      questionnaire=qservice.get("dossier_rating"), token_nonce=token_nonce)
        db.session.add_all([desk, kiosk])
        key = create_api_key("one-stop", "data_entry").key
        db.session.commit()
        return World(commune.code, kiosk.id, desk.code, key)


@pytest.fixture
def world(app) -> World:
    return make_world(app, uuid.uuid4().hex)


@pytest.fixture
def land(app, world):
    with app.app_context():
        return land_answers(qservice.definition_of(qservice.get_version("land_survey")))
