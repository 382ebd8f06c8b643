"""An officer sees and handles only their unit subtree's cases; analysts read all; a data
entry clerk and a designer see none."""

from __future__ import annotations

from survey.extensions import db
from survey.models import Response
from survey.services.feedback import cases
from tests.conftest import csrf_from
from tests.feedback.conftest import client_as, submit


def two_cases(app) -> tuple[int, int]:
    with app.app_context():
        ids = []
        for unit in ("HN-X01", "HN-X02"):
            response = db.session.get(Response, submit(unit))
            ids.append(cases.open_case(response, None, "rating", "t").id)
            db.session.commit()  # submit() starts its own transaction
        return ids[0], ids[1]


def test_an_officer_sees_only_their_subtree(app):
    own, other = two_cases(app)
    officer = client_as(app, "unit_officer")  # HN-X01
    listing = officer.get("/feedback/?status=")
    assert f"/feedback/cases/{own}" in listing.text
    assert f"/feedback/cases/{other}" not in listing.text
    assert officer.get(f"/feedback/cases/{own}").status_code == 200
    assert officer.get(f"/feedback/cases/{other}").status_code == 404
    page = officer.get(f"/feedback/cases/{own}")
    refused = officer.post(f"/feedback/cases/{other}/answer",
                           data={"csrf_token": csrf_from(page.text), "answer": "x"})
    assert refused.status_code == 404
    moved = officer.post(f"/feedback/cases/{other}/move", data={
        "csrf_token": csrf_from(page.text), "to_status": "in_progress"})
    assert moved.status_code == 404


def test_analysts_and_admins_see_every_case_but_analysts_do_not_answer(app):
    own, other = two_cases(app)
    for role in ("analyst", "admin"):
        listing = client_as(app, role).get("/feedback/?status=")
        assert f"/feedback/cases/{own}" in listing.text
        assert f"/feedback/cases/{other}" in listing.text
    analyst = client_as(app, "analyst")
    page = analyst.get(f"/feedback/cases/{other}")
    assert page.status_code == 200 and "/answer" not in page.text
    assert analyst.post(f"/feedback/cases/{other}/answer", data={
        "csrf_token": csrf_from(page.text), "answer": "x"}).status_code == 403
    for role in ("data_entry", "designer"):
        assert client_as(app, role).get("/feedback/").status_code == 403


def test_moves_are_checked_and_named(app):
    own, _ = two_cases(app)
    officer = client_as(app, "unit_officer")
    page = officer.get(f"/feedback/cases/{own}")
    unanswered = officer.post(f"/feedback/cases/{own}/move", data={
        "csrf_token": csrf_from(page.text), "to_status": "closed", "note": ""})
    assert unanswered.status_code == 422 and "cần nêu lý do" in unanswered.text
    bogus = officer.post(f"/feedback/cases/{own}/move", data={
        "csrf_token": csrf_from(page.text), "to_status": "answered"})
    assert bogus.status_code == 422
    empty = officer.post(f"/feedback/cases/{own}/answer", data={
        "csrf_token": csrf_from(page.text), "answer": "   "})
    assert empty.status_code == 422
    started = officer.post(f"/feedback/cases/{own}/move", data={
        "csrf_token": csrf_from(page.text), "to_status": "in_progress"})
    assert started.status_code == 302
    closed = officer.post(f"/feedback/cases/{own}/move", data={
        "csrf_token": csrf_from(page.text), "to_status": "closed", "note": "Trùng lặp"})
    assert closed.status_code == 302
    reopened = officer.post(f"/feedback/cases/{own}/move", data={
        "csrf_token": csrf_from(page.text), "to_status": "reopened", "note": "Công dân hỏi lại"})
    assert reopened.status_code == 302
    text = officer.get(f"/feedback/cases/{own}").text
    assert "Mở lại" in text and "Trùng lặp" in text


def test_the_list_shows_the_scope_figures_by_name(app):
    own, other = two_cases(app)
    admin = client_as(app, "admin")
    listing = admin.get("/feedback/?status=")
    assert "Đơn vị HN-X01" in listing.text and "Đơn vị HN-X02" in listing.text
    assert "Trả lời đúng hạn" in listing.text
    officer = client_as(app, "unit_officer")
    assert "Đơn vị HN-X02" not in officer.get("/feedback/?status=").text


def test_odd_requests_get_no_server_error(app):
    own, _ = two_cases(app)
    officer = client_as(app, "unit_officer")
    for url in ("/feedback/cases/99999999999999999999", "/feedback/cases/0",
                "/feedback/?status=%00", "/feedback/?status=" + "x" * 5000):
        assert officer.get(url).status_code in (200, 400, 404), url
    page = officer.get(f"/feedback/cases/{own}")
    token = csrf_from(page.text)
    for data in ({"to_status": "\x00"}, {"to_status": "closed", "note": "n" * 600},
                 {"to_status": ["closed", "reopened"]}, {}):
        answer = officer.post(f"/feedback/cases/{own}/move", data={"csrf_token": token, **data})
        assert answer.status_code in (302, 400, 422), (data, answer.status_code)
    long = officer.post(f"/feedback/cases/{own}/answer",
                        data={"csrf_token": token, "answer": "a" * 6000})
    assert long.status_code == 422
