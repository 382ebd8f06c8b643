"""A drawn investigation with a scripted fieldwork (completed cases with stored answers,
refusals, ineligible cases), for the weighted-estimates tests (#20)."""

from __future__ import annotations

import random
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest

from survey.extensions import db
from survey.models import Answer, Investigation, Response, SampleCase
from survey.services import questionnaires as qservice
from survey.services.accounts import create_user
from survey.services.investigation.draw import draw_sample
from survey.services.investigation.frame_import import import_frame
from survey.services.investigation.investigations import create, start_fieldwork
from tests.conftest import fresh_postgres_databases, make_app, postgres_url, sqlite_app
from tests.design.helpers import PASSWORD
from tests.investigation.helpers import KEY, build_province, csv_bytes, frame

CODE = "EST-2025"
ELEMENT_ITEMS = {"A": ("a1_seating", "a2_equipment"), "B": ("b1_posted",),
                 "C": ("c1_courtesy", "c2_listening"), "D": ("d1_on_time",),
                 "E": ("e2_feedback_ease",)}
STAFF = {"admin": ("admin", None), "analyst": ("analyst", None),
         "off_d1": ("unit_officer", "D1"), "clerk": ("data_entry", None)}


def script_fieldwork(seed: int = 3, item_missing: bool = True) -> None:
    """Every case of the investigation gets an outcome; completed ones a stored response.

    The overall item is always answered (so the closed forms of a stratified SRS apply to
    it); element items are sometimes 97 (no answer) when `item_missing`."""
    rng = random.Random(seed)
    version = qservice.get_version("land_survey")
    cases = db.session.execute(
        db.select(SampleCase).join(Investigation, Investigation.id == SampleCase.investigation_id)
        .where(Investigation.code == CODE)
        .order_by(SampleCase.id)).scalars().all()
    for case in cases:
        # satisfaction differs by service area, so the strata matter
        land = case.stratum_key.endswith("|land")
        draw = rng.random()
        if draw < 0.06:
            case.status = "not_eligible"
            continue
        if draw < 0.20:
            case.status = "refused"
            continue
        if draw < 0.30:
            continue  # still issued: unknown eligibility
        at = datetime(2025, 9, 1, 3, 0, tzinfo=UTC)
        response = Response(uuid=uuid.uuid4(), version_id=version.id,
                            unit_id=case.dossier.unit_id, channel="web", submitted_at=at,
                            year=at.year, month=at.month,
                            # the investigation's, as the fieldwork stores it: in no open figure
                            investigation_id=case.investigation_id)
        db.session.add(response)
        db.session.flush()
        high = 0.75 if land else 0.9
        answers = {"overall_satisfaction": 5 if rng.random() < high else rng.randint(1, 3)}
        for codes in ELEMENT_ITEMS.values():
            for code in codes:
                if item_missing and rng.random() < 0.1:
                    answers[code] = 97
                else:
                    answers[code] = rng.randint(4, 5) if rng.random() < high else rng.randint(1, 3)
        db.session.add_all([
            Answer(response_id=response.id, item_code=code,
                   value_int=None if value >= 97 else value,
                   missing_code=value if value >= 97 else None)
            for code, value in answers.items()])
        case.status, case.response_id = "completed", response.id
    db.session.flush()


@contextmanager
def _database(tmp_path, kind: str):
    if kind == "sqlite":
        with sqlite_app(tmp_path / "estimates.db") as app:
            yield app
        return
    from flask_migrate import upgrade

    from survey.services.reference import load_service_areas

    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped (.ci/run sets it)")
    with fresh_postgres_databases(url, "hl_estimates") as (database,):
        app = make_app(database)
        with app.app_context():
            upgrade()
            load_service_areas()
            db.session.commit()
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@contextmanager
def estimates_app(tmp_path, stages: str = "one", rows: int = 3000, n: int = 700,
                  item_missing: bool = True, database: str = "sqlite"):
    """An app whose investigation EST-2025 (land survey questionnaire, strata unit × service
    area, proportional with at least 30 a stratum) is drawn and in the field; on SQLite, or
    on a fresh PostgreSQL database migrated as in production (`database="postgresql"`)."""
    with _database(tmp_path, database) as app:
        app.config["CONTACT_KEY"] = KEY
        with app.app_context():
            qservice.load_and_publish_builtins()
            build_province()
            for name, (role, unit) in STAFF.items():
                create_user(name, PASSWORD, role, unit)
            design = {"strata": ["unit", "service_area"], "minimum": 30,
                      "size": {"method": "fixed", "n": n}}
            if stages == "two":
                design = {"strata": ["service_area"], "stages": "two", "dossiers_per_psu": 15,
                          "minimum": 30, "size": {"method": "fixed", "n": n}}
            investigation = create(CODE, "Điều tra xã hội học 2025", "land_survey",
                                   date(2025, 1, 1), date(2025, 12, 31), design, actor="test")
            import_frame(investigation, csv_bytes(frame(rows, seed=7)), "frame.csv")
            draw_sample(investigation, seed=21, actor="test")
            start_fieldwork(investigation, actor="test")
            script_fieldwork(item_missing=item_missing)
            db.session.commit()
        yield app
