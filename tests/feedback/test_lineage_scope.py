"""Feedback cases follow the units' lineage (issue #19): when communes merge or split, the
officers of the units that exist today see and answer the cases of the communes that ended
into them; an officer of an unrelated commune still does not."""

from __future__ import annotations

from datetime import date

from survey.extensions import db
from survey.models import Response, Unit
from survey.services.accounts import create_user
from survey.services.feedback import cases, figures
from survey.services.lineage.events import EventInput, record_event
from tests import factories
from tests.conftest import csrf_from
from tests.design.helpers import PASSWORD, login
from tests.feedback.conftest import submit

REFORM = date(2025, 7, 1)
# The test's own lineage: X01 merges into X12; X02 splits into X21 and X22; X03 stays.
WHERE_TO = {"HN-X01": {"HN-X12"}, "HN-X02": {"HN-X21", "HN-X22"}, "HN-X03": {"HN-X03"}}
TODAY_UNITS = ("HN-X12", "HN-X21", "HN-X22", "HN-X03")


def _setup(app) -> dict[str, int]:
    """The new communes and their officers, one case per old commune; case id by unit."""
    with app.app_context():
        province = db.session.execute(db.select(Unit).filter_by(code="HN")).scalar_one()
        factories.unit("HN-X03", "commune", province)
        for code in ("HN-X12", "HN-X21", "HN-X22"):
            factories.unit(code, "commune", province).valid_from = REFORM
        for code in TODAY_UNITS:
            create_user(f"officer-{code}", PASSWORD, "unit_officer", code)
        db.session.commit()
        made = {}
        for code in ("HN-X01", "HN-X02", "HN-X03"):
            response = db.session.get(Response, submit(code))
            made[code] = cases.open_case(response, None, "rating", "t").id
            db.session.commit()
    return made


def _reform(app) -> None:
    with app.app_context():
        for unit, kind, successors in (("HN-X01", "merge", (("HN-X12", 1.0),)),
                                       ("HN-X02", "split", (("HN-X21", .5), ("HN-X22", .5)))):
            record_event(EventInput(unit_code=unit, kind=kind, effective=REFORM,
                                    decision_number="1656/NQ-UBTVQH15",
                                    successors=successors), "admin")
        db.session.commit()


def _expected(made: dict[str, int], officer_unit: str) -> set[int]:
    return {case for old, case in made.items() if officer_unit in WHERE_TO[old]}


def _seen(app, officer_unit: str) -> set[int]:
    with app.app_context():
        scope = db.session.execute(db.select(Unit).filter_by(code=officer_unit)).scalar_one()
        listed = {c.id for c in cases.listing(scope, status="")}
        counted = len(figures.rows(scope))
    assert counted == len(listed)  # the figures count what the officer sees
    return listed


def test_successors_officers_see_and_answer_their_predecessors_cases(app):
    made = _setup(app)
    before = {unit: _seen(app, unit) for unit in TODAY_UNITS}
    assert before == {"HN-X12": set(), "HN-X21": set(), "HN-X22": set(),
                      "HN-X03": {made["HN-X03"]}}
    _reform(app)
    for unit in TODAY_UNITS:
        assert _seen(app, unit) == _expected(made, unit), unit
    # through the pages: the new commune's officer opens and answers the old commune's case
    client = app.test_client()
    login(client, "officer-HN-X12")
    listing = client.get("/feedback/?status=").text
    assert f"/feedback/cases/{made['HN-X01']}" in listing
    assert f"/feedback/cases/{made['HN-X02']}" not in listing
    page = client.get(f"/feedback/cases/{made['HN-X01']}")
    assert page.status_code == 200
    answered = client.post(f"/feedback/cases/{made['HN-X01']}/answer", data={
        "csrf_token": csrf_from(page.text), "answer": "Đã khắc phục, xin cảm ơn."})
    assert answered.status_code in (200, 302)
    with app.app_context():
        assert cases.get_in_scope(made["HN-X01"], None).status == "answered"
    assert client.get(f"/feedback/cases/{made['HN-X02']}").status_code == 404
    # the officer of the merged commune moved with it (attached.carry) and sees the same
    old = app.test_client()
    login(old, "unit_officer")
    assert old.get(f"/feedback/cases/{made['HN-X01']}").status_code == 200
    assert old.get(f"/feedback/cases/{made['HN-X03']}").status_code == 404


def test_an_overdue_case_of_a_merged_commune_goes_to_the_successors_leader(app, smtp):
    from datetime import UTC, datetime

    from survey.services.feedback.escalation import escalate_overdue

    made = _setup(app)
    _reform(app)
    config = {"FEEDBACK_LEADER_EMAILS": "HN=tinh@hn.example.vn,HN-X01=cu@hn.example.vn,"
                                        "HN-X12=moi@hn.example.vn,HN-X03=x03@hn.example.vn"}
    with app.app_context():
        done = escalate_overdue(config, now=datetime(2099, 1, 1, tzinfo=UTC))
        db.session.commit()
    leaders = {e.case_id: e.leader_unit for e in done}
    # X01 ended into X12: its chairman now; X02 was split (half each, the first code takes
    # its officers), and X21 has no address of its own: the province's
    assert leaders == {made["HN-X01"]: "HN-X12", made["HN-X02"]: "HN",
                       made["HN-X03"]: "HN-X03"}
    assert sorted(m.recipients[0] for m in smtp[0].received) == sorted(
        ["moi@hn.example.vn", "tinh@hn.example.vn", "x03@hn.example.vn"])
