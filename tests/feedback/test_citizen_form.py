"""The citizen's contact form: consent first, errors in Vietnamese with everything else kept,
no 5xx on any input, and on a kiosk nothing typed stays on screen after sending."""

from __future__ import annotations

import re

import pytest

from survey.extensions import db
from survey.models import Kiosk
from survey.models.feedback import FeedbackCase, FeedbackContact
from survey.services import questionnaires as qservice
from survey.services import tokens
from survey.services.feedback import offers
from tests import factories
from tests.conftest import csrf_from
from tests.feedback.conftest import submit


@pytest.fixture
def offer_page(app):
    """A dissatisfied response's offer form, opened by a fresh citizen client."""
    with app.app_context():
        token = offers.offer_token(submit(rating=1))
    client = app.test_client()
    page = client.get(f"/f/{token}")
    assert page.status_code == 200
    return client, f"/f/{token}", page.text


def send(client, url, html, **fields):
    return client.post(url, data={"csrf_token": csrf_from(html), **fields})


def contacts(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(FeedbackContact)
                                  ).scalar_one()


def test_an_address_without_consent_is_refused_in_vietnamese_and_kept(app, offer_page):
    client, url, html = offer_page
    sent = send(client, url, html, channel="email", address="an@example.vn")
    assert sent.status_code == 422
    assert "Xin đánh dấu ô đồng ý" in sent.text
    assert 'value="an@example.vn"' in sent.text  # what was typed is still there
    assert contacts(app) == 0
    with app.app_context():
        assert db.session.execute(db.select(FeedbackCase)).first() is None


@pytest.mark.parametrize(("channel", "address", "message"), [
    ("email", "", "Xin nhập địa chỉ e-mail hoặc số điện thoại"),
    ("email", "not-an-address", "Đây không phải là địa chỉ e-mail"),
    ("sms", "12345", "Đây không phải là số điện thoại di động Việt Nam"),
    ("zalo", "an@example.vn", "Đây không phải là số điện thoại di động Việt Nam"),
    ("fax", "0912345678", "Xin chọn cách liên hệ"),
])
def test_a_bad_contact_is_named_in_vietnamese(app, offer_page, channel, address, message):
    client, url, html = offer_page
    sent = send(client, url, html, consent="y", channel=channel, address=address)
    assert sent.status_code == 422 and message in sent.text
    assert 'checked' in re.search(r'<input[^>]*name="consent"[^>]*>', sent.text).group(0)
    assert contacts(app) == 0


def test_without_consent_or_address_the_unit_still_gets_the_case(app, offer_page):
    client, url, html = offer_page
    sent = send(client, url, html, channel="email", address="")
    assert sent.status_code == 200 and "không để lại địa chỉ" in sent.text
    with app.app_context():
        case = db.session.execute(db.select(FeedbackCase)).scalar_one()
        assert case.contact is None and case.unit.code == "HN-X01"


def test_a_phone_number_is_stored_normalised_and_only_sealed(app, offer_page):
    client, url, html = offer_page
    sent = send(client, url, html, consent="y", channel="zalo", address="+84 912.345.678")
    assert sent.status_code == 200
    with app.app_context():
        from survey.services.feedback.contacts import open_contact

        case = db.session.execute(db.select(FeedbackCase)).scalar_one()
        assert b"912345678" not in case.contact.blob
        opened = open_contact(case)
        assert (opened.channel, opened.address) == ("zalo", "0912345678")


JUNK = ["", "\x00", "a" * 5000, "<script>alert(1)</script>", "=HYPERLINK(\"x\")",
        "Nguyễn Văn An", "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
        "an@" + "x" * 300 + ".vn"]


@pytest.mark.parametrize("junk", JUNK)
def test_no_input_gives_a_server_error(app, offer_page, junk):
    client, url, html = offer_page
    for data in ({"consent": junk, "channel": junk, "address": junk},
                 {"consent": "y", "channel": "email", "address": junk},
                 {"consent": "y", "channel": junk, "address": "an@example.vn"}):
        sent = send(client, url, html, **data)
        assert sent.status_code < 500, (data, sent.status_code)
        assert "<script>alert" not in sent.text


def test_forged_expired_or_satisfied_offers_open_nothing(app):
    client = app.test_client()
    with app.app_context():
        satisfied = offers.offer_token(submit(rating=3))
    assert client.get("/f/forged.token.value").status_code == 404
    assert client.get(f"/f/{satisfied}").status_code == 404
    assert "Đường dẫn không còn hiệu lực" in client.get(f"/f/{satisfied}").text
    page = client.get("/auth/login")
    sent = client.post("/f/forged.token.value", data={"csrf_token": csrf_from(page.text),
                                                      "consent": "y", "address": "a@b.vn"})
    assert sent.status_code == 404


@pytest.mark.parametrize(("value", "missing", "expected"), [
    (1, None, "rating"), (2, None, "rating"), (3, None, None), (4, None, None),
    (5, None, None), (None, 98, None)])
def test_which_overall_answers_are_offered_a_case(app, value, missing, expected):
    """likert5: 1 and 2 are dissatisfied; 3 (neither) is not offered, nor "don't know"."""
    from survey.models import Answer, Unit

    with app.app_context():
        version = qservice.latest_version(qservice.get("land_survey"))
        unit = db.session.execute(db.select(Unit).filter_by(code="HN-X01")).scalar_one()
        response = factories.response(version, unit)
        db.session.add(Answer(response_id=response.id, item_code="overall_satisfaction",
                              value_int=value, missing_code=missing))
        db.session.flush()
        assert offers.source_of(response) == expected


def test_a_comment_with_a_satisfied_rating_is_offered_as_a_comment(app):
    from survey.models import Answer, Unit

    with app.app_context():
        version = qservice.latest_version(qservice.get("dossier_rating"))
        unit = db.session.execute(db.select(Unit).filter_by(code="HN-X01")).scalar_one()
        response = factories.response(version, unit)
        db.session.add_all([
            Answer(response_id=response.id, item_code="rating", value_int=2),
            Answer(response_id=response.id, item_code="comment", value_text="Nên có ghế chờ")])
        db.session.flush()
        assert offers.source_of(response) == "comment"
        db.session.execute(db.update(Answer).where(Answer.item_code == "comment")
                           .values(value_text="   "))
        db.session.expire_all()
        assert offers.source_of(response) is None


def test_the_kiosk_offers_the_form_and_forgets_what_was_typed(app):
    """Without JavaScript, a dissatisfied tap's thank-you screen says what happens next and
    links to the form; after sending, the screen shows nothing typed and goes back."""
    with app.app_context():
        kiosk = db.session.execute(db.select(Kiosk)).scalars().first()
        if kiosk is None:
            factories.prove({"channel": "kiosk", "unit": "HN-X01",
                             "questionnaire": "dossier_rating"})
            kiosk = db.session.execute(db.select(Kiosk)).scalars().first()
        kiosk_token = tokens.kiosk_token(kiosk)
    client = app.test_client()
    page = client.get(f"/k/{kiosk_token}")
    response_id = re.search(r'name="response_id"[^>]*value="([^"]+)"', page.text).group(1)
    thanks = client.post(f"/k/{kiosk_token}", data={
        "csrf_token": csrf_from(page.text), "response_id": response_id.replace("&#34;", '"'),
        "q_rating": "1", "q_reason": "long_wait"})
    assert thanks.status_code == 200, thanks.text[:500]
    assert "10 ngày làm việc" in thanks.text
    offer_url = re.search(r'href="(/f/[^"]+)"', thanks.text).group(1)
    form = client.get(offer_url)
    assert f"/k/{kiosk_token}" in form.text  # it goes back to the kiosk when left alone
    done = send(client, offer_url, form.text, consent="y", channel="email",
                address="kiosk.citizen@example.vn")
    assert done.status_code == 200
    assert "kiosk.citizen" not in done.text and 'name="address"' not in done.text
    assert f'url=/k/{kiosk_token}' in done.text
    assert done.headers["Cache-Control"] == "no-store"
    assert contacts(app) == 1
