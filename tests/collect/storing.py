"""The same submissions stored two ways, and what a database holds after them, for comparing.

`response_store` writes submissions on the driver and paper files in bulk; SQLAlchemy's path
(`responses.store`) is the reference. Tests run one scenario through each and compare dumps.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from survey.extensions import db
from survey.models import DossierToken, Kiosk, Response, Unit
from survey.services import aggregates, tokens
from survey.services import questionnaires as qservice
from survey.services.responses import driver as response_store
from tests import factories
from tests.collect.conftest import World, land_answers

# Fixed ids and times: the two databases must receive exactly the same submissions.
IDS = [str(uuid.UUID(int=n + 1, version=4)) for n in range(20)]


def submissions(app, client, world: World) -> list[tuple[int, dict]]:
    """Every kind of submission the API takes, sent through `client`; returns the replies.

    Each channel carries its proof (a web link, a desk QR code, a kiosk or a receipt). The
    answers are dated in 2025, outside every channel's window, so that both databases get the
    same dates: they are sent as data entry, which may date freely and alone may send paper.
    """
    with app.app_context():
        land = land_answers(qservice.definition_of(qservice.get_version("land_survey")))
        kiosk = tokens.kiosk_token(db.session.get(Kiosk, world.kiosk_id))
        link = factories.prove({"channel": "web", "unit": world.unit_code,
                                "questionnaire": "land_survey"})["token"]
        desk_qr = tokens.qr_token(world.unit_code, world.desk_code, "land_survey")
    receipts = [client.post("/api/v1/dossier-tokens",
                            json={"dossier_code": f"D-{n}", "unit": world.unit_code},
                            headers={"Authorization": f"Bearer {world.key}"}).json["token"]
                for n in range(2)]
    at = "2025-03-31T20:30:00+00:00"
    common = {"questionnaire": "land_survey", "unit": world.unit_code, "submitted_at": at}
    sent = [
        {**common, "channel": "web", "token": link, "answers": land},
        {**common, "channel": "phone", "token": desk_qr, "answers": {
            **land, "a1_seating": "no_answer", "a2_equipment": 1, "e1_gave_feedback": 1,
            "e2_feedback_ease": 5, "e3_feedback_handling": 2, "e4_feedback_reply": "refused",
            "x1_information": 4, "land_trips": 3, "sex": 99,
            "comments": "Cán bộ nhiệt tình, chờ hơi lâu"}},
        {**common, "channel": "paper", "submitted_at": "2025-04-02T10:00:00",
         "answers": {**land, "respondent_type": "organisation", "a3_equipment_ease": 97,
                     "b1_posted": "2", "overall_satisfaction": 5}},
        {"questionnaire": "dossier_rating", "unit": world.unit_code, "channel": "kiosk",
         "token": kiosk, "ignored_presses": 3, "submitted_at": at,
         "answers": {"rating": 1, "reason": "long_wait", "comment": "Chờ lâu quá"}},
        {"questionnaire": "dossier_rating", "unit": world.unit_code, "channel": "kiosk",
         "token": kiosk, "submitted_at": at, "answers": {"rating": 3}},
        {"questionnaire": "dossier_rating", "unit": world.unit_code, "channel": "phone",
         "token": receipts[0], "submitted_at": at, "answers": {"rating": 2}},
        {"questionnaire": "dossier_rating", "unit": world.unit_code, "channel": "web",
         "token": receipts[1], "submitted_at": at, "answers": {"rating": 1, "reason": "other"}},
    ]
    replies = []
    for number, body in enumerate(sent):
        reply = client.post("/api/v1/responses", json={**body, "id": IDS[number]},
                            headers=world.data_entry)
        replies.append((reply.status_code, _without_received_at(reply.json)))
    again = client.post("/api/v1/responses", json={**sent[0], "id": IDS[0]},  # a retry
                        headers=world.data_entry)
    replies.append((again.status_code, _without_received_at(again.json)))
    return replies


def _without_received_at(document: dict) -> dict:
    kept = {k: v for k, v in document.items() if k != "received_at"}
    if "offer" in kept:  # a kiosk's feedback offer (#23): its link is signed with the time
        kept["offer"] = {k: kept["offer"][k] for k in ("source", "unit", "days")}
    return kept


def dump(app) -> dict:
    """What the database holds, without its ids and the time each response came in."""
    with app.app_context():
        units = dict(db.session.execute(select(Unit.id, Unit.code)).all())
        by_id = {}
        responses = []
        for r in db.session.execute(select(Response).order_by(Response.uuid)).scalars():
            by_id[r.id] = str(r.uuid)
            responses.append((str(r.uuid), r.version_id, units[r.unit_id], r.service_area_id,
                              r.procedure_id, r.kiosk_id is not None, r.desk_id is not None,
                              r.link_id is not None, r.channel,
                              r.respondent_type, r.submitted_at, r.year, r.month))
        answers = sorted((by_id[a.response_id], a.item_code, a.value_int, a.value_text,
                          a.missing_code) for r in db.session.execute(select(Response))
                         .scalars() for a in r.answers)
        rollups = {}
        aggregates.fold()
        for family in aggregates.FAMILIES:
            for model in family.rollups:
                table = model.__table__
                rollups[table.name] = sorted(
                    tuple(row) for row in db.session.execute(select(table)).all())
        receipts = sorted((t.dossier_code, t.used_at is not None, by_id.get(t.response_id))
                          for t in db.session.execute(select(DossierToken)).scalars())
        presses = db.session.execute(select(Kiosk.ignored_presses)).scalars().all()
        differences = aggregates.differences()
        db.session.rollback()
    return {"responses": responses, "answers": answers, "rollups": rollups,
            "receipts": receipts, "presses": presses, "differences": differences}


def through_sqlalchemy_only(monkeypatch) -> None:
    """Make every submission take SQLAlchemy's path (`responses.store`)."""
    def refuse(_submission):
        raise response_store.Redo("the reference path")

    monkeypatch.setattr(response_store, "write", refuse)



def paper_forms(world: World, land: dict, count: int = 9) -> list[dict[str, str]]:
    """Paper forms as a clerk types them (every cell text), land survey and dossier rating,
    spread over months; `land` is a complete answer set."""
    forms = []
    for n in range(count):
        if n % 3 == 2:
            rating = (n // 3) % 3 + 1  # a reason and a comment are asked after a 1 only
            cells = {"rating": str(rating), "reason": "long_wait" if rating == 1 else "",
                     "comment": 'Chờ "rất" lâu, phải đi lại 2 lần' if rating == 1 else ""}
            questionnaire = "dossier_rating"
        else:
            cells = {code: str(value) for code, value in land.items()}
            cells.update({"a1_seating": ["dont_know", "5", "refused"][n % 3],
                          "b1_posted": str(1 + n % 5), "land_trips": str(1 + n),
                          "comments": "Cán bộ tận tình, thủ tục nhanh" if n % 2 else "",
                          "sex": "99" if n % 4 == 0 else ""})
            questionnaire = "land_survey"
        forms.append({"response_id": str(uuid.UUID(int=1000 + n, version=4)),
                      "questionnaire": questionnaire, "version": "", "unit": world.unit_code,
                      "channel": "paper", "submitted_at": f"2025-{1 + n % 12:02d}-15T09:00:00",
                      **cells})
    return forms


def paper_csv(path, forms: list[dict[str, str]]):
    import csv

    header = list(dict.fromkeys(k for form in forms for k in form))
    with open(path, "w", encoding="utf-8-sig", newline="") as fp:
        writer = csv.writer(fp, lineterminator="\r\n")
        writer.writerow(header)
        for form in forms:
            writer.writerow([form.get(k, "") for k in header])
    return path


def as_submission(form: dict[str, str]) -> dict:
    """The API submission of a paper form: the same cells, as the import reads them."""
    envelope = ("response_id", "questionnaire", "version", "unit", "channel", "submitted_at")
    return {"id": form["response_id"], "questionnaire": form["questionnaire"],
            "unit": form["unit"], "channel": form["channel"],
            "submitted_at": form["submitted_at"],
            "answers": {k: v for k, v in form.items() if k not in envelope and v != ""}}
