"""A drawn investigation in the field, staff to work on it, and a way through the citizen
pages, for the fieldwork tests (tests/investigation/test_fieldwork*.py)."""

from __future__ import annotations

import re
from contextlib import contextmanager

from survey.extensions import db
from survey.models import Investigation, SampleCase
from survey.services import questionnaires as qservice
from survey.services.accounts import create_user
from survey.services.investigation.draw import draw_sample
from survey.services.investigation.frame_import import import_frame
from survey.services.investigation.investigations import create, start_fieldwork
from tests.conftest import sqlite_app
from tests.design.helpers import PASSWORD
from tests.investigation.helpers import KEY, build_province, csv_bytes, frame

CODE = "DT-2025"
# Collectors (data entry), an officer of district D1 (its subtree only) and an admin.
STAFF = {"admin": ("admin", None), "col1": ("data_entry", None), "col2": ("data_entry", None),
         "off_d1": ("unit_officer", "D1")}


@contextmanager
def fieldwork_app(tmp_path, rows: int = 400, n: int = 40, start: bool = True,
                  questionnaire: str = "dossier_rating"):
    """An app whose investigation DT-2025 (dossier rating form, strata by service area, n
    cases, seed 11) is drawn from `rows` frame dossiers carrying names and addresses."""
    with sqlite_app(tmp_path / "fieldwork.db") as app:
        app.config["CONTACT_KEY"] = KEY
        with app.app_context():
            qservice.load_and_publish_builtins()
            build_province()
            for name, (role, unit) in STAFF.items():
                create_user(name, PASSWORD, role, unit)
            db.session.commit()
            from datetime import date

            investigation = create(CODE, "Điều tra hài lòng 2025", questionnaire,
                                   date(2025, 1, 1), date(2025, 12, 31),
                                   {"strata": ["service_area"], "minimum": 10,
                                    "size": {"method": "fixed", "n": n}}, actor="test")
            lines = frame(rows, seed=5, phones=True)
            for i, line in enumerate(lines):
                line["address"] = f"Số {i} đường Lê Lợi"
            import_frame(investigation, csv_bytes(lines), "frame.csv")
            draw_sample(investigation, seed=11, actor="test")
            if start:
                start_fieldwork(investigation, actor="test")
            db.session.commit()
        yield app


def investigation() -> Investigation:
    return db.session.execute(db.select(Investigation).filter_by(code=CODE)).scalar_one()


def all_cases() -> list[SampleCase]:
    return list(db.session.execute(
        db.select(SampleCase).order_by(SampleCase.id)).scalars())


def hidden_inputs(html: str) -> dict[str, str]:
    found = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            found[name.group(1)] = (value.group(1) if value else "").replace("&#34;", '"') \
                .replace("&quot;", '"').replace("&amp;", "&").replace("&#39;", "'")
    return found


def first_choices(html: str) -> dict[str, str]:
    """The first option of every radio question on a page (what a hurried citizen taps),
    and 2 in every number field."""
    chosen: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="(q_[^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="radio"' in tag and name and value and value.group(1) != "no_answer":
            chosen.setdefault(name.group(1), value.group(1))
        elif 'inputmode="numeric"' in tag and name:
            chosen.setdefault(name.group(1), "2")  # a count: trips, days
    return chosen


def answer_pages(client, url: str, answers: dict, limit: int = 15, tap_first: bool = False):
    """Open `url` and press the forward button on each page with `answers` (and, with
    `tap_first`, the first option of every other radio question) until the flow leaves (a
    redirect); returns the last response."""
    page = client.get(url)
    for _ in range(limit):
        if page.status_code != 200:
            return page
        taps = first_choices(page.text) if tap_first else {}
        data = {**hidden_inputs(page.text), **taps, **answers, "action": "next"}
        page = client.post(url, data=data)
        if page.status_code in (302, 303):
            return page
    return page
