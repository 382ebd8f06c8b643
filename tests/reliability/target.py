"""The database under test: prepared as `hailong init` would, and audited after the load."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field

from survey.extensions import db
from tests.conftest import make_app

SECRET_KEY = "reliability-" + "k" * 52  # production refuses keys under 32 characters
UNIT = "HN-X01"
KIOSKS = 10


@dataclass
class Target:
    """A prepared database and the submissions its clients send."""

    database: str  # "SQLite" or "PostgreSQL", for the results table
    url: str
    kiosk_tokens: list[str]
    variants: dict[str, dict]  # name: the submission without its id
    answers_per_variant: dict[str, int]  # how many answer rows each variant stores

    def submission(self, client: int, rng: random.Random) -> tuple[str, str, bytes]:
        """(id, variant, JSON body): even clients are kiosks (each with a kiosk's token),
        odd ones phones (with the desk poster's QR code, in the variant)."""
        if client % 2:
            variant = "phone"
        else:
            variant = "kiosk_unhappy" if rng.random() < 0.3 else "kiosk_happy"
        body = dict(self.variants[variant])
        if variant != "phone":
            body["token"] = self.kiosk_tokens[client // 2 % len(self.kiosk_tokens)]
        response_id = str(uuid.uuid4())
        body["id"] = response_id
        return response_id, variant, json.dumps(body).encode()

    def app(self):
        return make_app(self.url, SECRET_KEY=SECRET_KEY)


def prepare(database: str, url: str) -> Target:
    """Schema by migration, reference data, the built-in questionnaires, a unit with a desk,
    and kiosks; each submission carries its channel's proof."""
    from flask_migrate import upgrade

    from survey.models import Desk, Kiosk
    from survey.services import questionnaires as qservice
    from survey.services import responses
    from survey.services.reference import load_service_areas
    from survey.services.tokens import kiosk_token, qr_token
    from tests import factories
    from tests.collect.conftest import land_answers

    app = make_app(url, SECRET_KEY=SECRET_KEY)
    with app.app_context():
        upgrade()
        load_service_areas()
        qservice.load_and_publish_builtins()
        commune = factories.unit(UNIT, "commune", factories.unit("HN"))
        kiosks = [Kiosk(name=f"Kiosk {n}", unit=commune, token_nonce=uuid.uuid4().hex,
                        questionnaire=qservice.get("dossier_rating")) for n in range(KIOSKS)]
        desk = Desk(unit=commune, code="MC1", name_vi="Bàn một cửa số 1", name_en="Desk 1")
        db.session.add_all([*kiosks, desk])
        db.session.commit()
        tokens = [kiosk_token(kiosk) for kiosk in kiosks]
        poster = qr_token(UNIT, desk.code, "land_survey")  # the desk's QR code, for phones
        land = land_answers(qservice.definition_of(qservice.get_version("land_survey")))
        variants = {
            "kiosk_happy": {"questionnaire": "dossier_rating", "unit": UNIT, "channel": "kiosk",
                            "answers": {"rating": 3}},
            "kiosk_unhappy": {"questionnaire": "dossier_rating", "unit": UNIT,
                              "channel": "kiosk", "answers": {"rating": 1, "reason": "long_wait",
                                                              "comment": "Chờ lâu quá"}},
            "phone": {"questionnaire": "land_survey", "unit": UNIT, "channel": "phone",
                      "token": poster, "answers": land},
        }
        counts = {}
        for name, variant in variants.items():  # what the service itself would store
            token = {"token": tokens[0]} if name != "phone" else {}
            checked = responses.prepare({**variant, **token, "id": str(uuid.uuid4())})
            counts[name] = len(checked.answers)
            db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    return Target(database, url, tokens, variants, counts)


@dataclass
class Audit:
    """What the database holds after a scenario."""

    rows: int
    stored: set[str]
    answers: dict[str, int]  # answer rows per stored response id
    count_differences: list = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return self.rows - len(self.stored)


def audit(target: Target) -> Audit:
    from sqlalchemy import func, select

    from survey.models import Answer, Response
    from survey.services.aggregates import differences

    app = target.app()
    with app.app_context():
        ids = db.session.execute(select(Response.uuid)).scalars().all()
        per_response = dict(db.session.execute(
            select(Response.uuid, func.count(Answer.item_code))
            .outerjoin(Answer, Answer.response_id == Response.id).group_by(Response.id)).all())
        wrong_counts = differences()
        db.session.remove()
        db.engine.dispose()
    return Audit(len(ids), {str(i) for i in ids}, {str(k): v for k, v in per_response.items()},
                 wrong_counts)
