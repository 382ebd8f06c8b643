"""A case's whole life through the pages, with a real SMTP server receiving the answer:
a dissatisfied rating, the thank-you page's offer, the citizen's consent and e-mail, the
officer's answer (the message read back from the server), the close that deletes the contact
(and leaves no trace of the address in the database file), and the history and audit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from survey.extensions import db
from survey.models import AuditEntry
from survey.models.feedback import FeedbackCase, FeedbackContact, FeedbackEvent
from survey.services import tokens
from tests.collect.test_flow_pages import post_page
from tests.conftest import csrf_from
from tests.feedback.conftest import client_as

ADDRESS = "nguyen.van.an@example.vn"
ANSWER = "Kính gửi Ông/Bà: hồ sơ đã được xử lý lại, xin lỗi vì sự chậm trễ. Mã 4711."


def offer_path(html: str) -> str:
    found = re.search(r'action="(/f/[^"]+)"', html)
    assert found, "the thank-you page offers no feedback form"
    return found.group(1)


def rate_on_the_phone(app, client, rating: int) -> str:
    """Answer the dossier rating through the desk poster's pages; the thank-you page."""
    with app.app_context():
        url = "/s/" + tokens.qr_token("HN-X01", "MC1", "dossier_rating")
    page = client.get(url)
    answers = {"rating": rating, "reason": "long_wait", "comment": "Chờ quá lâu"}
    for _ in range(5):
        sent = post_page(client, url, page.text, answers, action="send")
        if sent.status_code == 302:
            return client.get(sent.headers["Location"]).text
        page = sent
    raise AssertionError("the rating was never stored")


def database_bytes(app) -> bytes:
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # the last connection moves the write-ahead log into the file
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_a_case_from_rating_to_closed_answer_by_real_smtp(app, smtp):
    recorder, _ = smtp
    citizen = app.test_client()
    thanks = rate_on_the_phone(app, citizen, rating=1)
    assert "Điều gì tiếp theo" in thanks and "10 ngày làm việc" in thanks
    path = offer_path(thanks)
    sent = citizen.post(path, data={"csrf_token": csrf_from(thanks), "consent": "y",
                                    "channel": "email", "address": ADDRESS})
    assert sent.status_code == 200, sent.text
    assert ADDRESS not in sent.text and "địa chỉ Ông/Bà để lại" in sent.text
    with app.app_context():
        case = db.session.execute(db.select(FeedbackCase)).scalar_one()
        case_id = case.id
        assert (case.status, case.source, case.unit.code) == ("received", "rating", "HN-X01")
        assert case.contact is not None and case.contact.channel == "email"
        assert ADDRESS.encode() not in case.contact.blob

    officer = client_as(app, "unit_officer")
    page = officer.get(f"/feedback/cases/{case_id}")
    assert page.status_code == 200 and "Chờ quá lâu" in page.text
    # the question and the answer in words, not their codes
    assert "Không hài lòng" in page.text and "Phải chờ đợi lâu" in page.text
    assert "long_wait" not in page.text
    answered = officer.post(f"/feedback/cases/{case_id}/answer",
                            data={"csrf_token": csrf_from(page.text), "answer": ANSWER})
    assert answered.status_code == 302
    assert len(recorder.received) == 1
    mail = recorder.received[0]
    assert mail.recipients == [ADDRESS] and mail.sender == "hailong@hn.example.vn"
    assert mail.body.strip() == ANSWER and f"số {case_id}" in mail.subject

    page = officer.get(f"/feedback/cases/{case_id}")
    assert "đã gửi qua e-mail" in page.text  # the history, in Vietnamese
    closed = officer.post(f"/feedback/cases/{case_id}/move", data={
        "csrf_token": csrf_from(page.text), "to_status": "closed", "note": ""})
    assert closed.status_code == 302
    with app.app_context():
        case = db.session.get(FeedbackCase, case_id)
        assert case.status == "closed" and case.answer == ANSWER
        assert db.session.execute(db.select(FeedbackContact)).first() is None
        history = [(e.from_status, e.to_status) for e in db.session.execute(
            db.select(FeedbackEvent).order_by(FeedbackEvent.id)).scalars()]
        assert history[0] == (None, "received") and ("received", "answered") in history
        assert ("answered", "closed") in history
        actions = set(db.session.execute(db.select(AuditEntry.action)).scalars())
        assert {"feedback.open", "feedback.answered", "feedback.closed"} <= actions
        notes = " ".join(db.session.execute(db.select(FeedbackEvent.note)).scalars())
        assert ADDRESS not in notes
    raw = database_bytes(app)
    assert ADDRESS.encode() not in raw and ADDRESS.encode("utf-16-le") not in raw
    # the answer is kept (it is the unit's, not the citizen's), so the file is really read
    assert "xin lỗi vì sự chậm trễ".encode() in raw


def test_a_satisfied_rating_is_offered_nothing(app):
    citizen = app.test_client()
    thanks = rate_on_the_phone(app, citizen, rating=3)
    assert "/f/" not in thanks and "Điều gì tiếp theo" not in thanks


def test_an_sms_contact_is_not_reported_as_sent(app, smtp):
    """No SMS gateway: the case says the answer did not reach the citizen, and no e-mail goes."""
    recorder, _ = smtp
    citizen = app.test_client()
    thanks = rate_on_the_phone(app, citizen, rating=1)
    citizen.post(offer_path(thanks), data={"csrf_token": csrf_from(thanks), "consent": "y",
                                           "channel": "sms", "address": "0912 345 678"})
    officer = client_as(app, "admin")
    with app.app_context():
        case_id = db.session.execute(db.select(FeedbackCase.id)).scalar_one()
    page = officer.get(f"/feedback/cases/{case_id}")
    done = officer.post(f"/feedback/cases/{case_id}/answer",
                        data={"csrf_token": csrf_from(page.text), "answer": ANSWER},
                        follow_redirects=True)
    assert "KHÔNG gửi được tới công dân" in done.text
    assert "chưa cấu hình cổng SMS" in done.text
    assert recorder.received == []
    with app.app_context():
        notes = list(db.session.execute(db.select(FeedbackEvent.note)).scalars())
        assert "sms not sent: no gateway configured" in notes
        assert not any("0912345678" in n for n in notes)


@pytest.mark.postgres
def test_the_life_of_a_case_on_postgresql(tmp_path, smtp):
    """The same services on PostgreSQL (its schema from the models; the migrations are
    compared with them in tests/survey/test_storage.py): sealed contact, answer, close."""
    from survey.models import Response
    from survey.services.feedback import cases, contacts
    from tests.conftest import database_of_kind
    from tests.feedback.conftest import feedback_app, submit

    recorder, port = smtp
    with database_of_kind("postgresql", tmp_path, "hl_feedback") as url:
        app = feedback_app(url, port)
        try:
            with app.app_context():
                case = cases.open_case(db.session.get(Response, submit()), None, "rating",
                                       "citizen", contacts.normalise("email", ADDRESS))
                db.session.commit()
                stored = db.session.execute(db.text(
                    "SELECT blob FROM feedback_contact WHERE case_id = :id"), {"id": case.id}
                ).scalar_one()
                assert ADDRESS.encode() not in bytes(stored)
                result = cases.answer(case, ANSWER, "unit_officer")
                cases.close(case, "unit_officer")
                db.session.commit()
                assert result.sent
                assert db.session.execute(db.text(
                    "SELECT count(*) FROM feedback_contact")).scalar_one() == 0
                assert db.session.get(FeedbackCase, case.id).status == "closed"
            assert [m.recipients for m in recorder.received] == [[ADDRESS]]
            assert recorder.received[0].body.strip() == ANSWER
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
