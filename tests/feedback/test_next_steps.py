"""A dissatisfied citizen is told what happens next (#23) on both thank-you pages a phone
reaches, the receipt's (/r/, one dossier) and the desk poster's (/s/), in Vietnamese and in
English: which unit answers, within how many working days, and the optional contact form; a
satisfied citizen is told nothing of the kind."""

from __future__ import annotations

import pytest

from survey.extensions import db
from survey.services import tokens
from tests.collect.test_flow_pages import post_page
from tests.feedback.test_life import offer_path


def rate(app, client, url: str, rating: int, lang: str) -> str:
    page = client.get(f"{url}?lang={lang}")
    answers = {"rating": rating, "reason": "long_wait", "comment": ""}
    for _ in range(5):
        sent = post_page(client, url, page.text, answers, action="send")
        if sent.status_code == 302:
            return client.get(sent.headers["Location"]).text
        page = sent
    raise AssertionError("the rating was never stored")


def receipt_url(app) -> str:
    with app.app_context():
        issued = tokens.issue_dossier_token("HS-2026-0042", "HN-X01",
                                            questionnaire_code="dossier_rating")
        db.session.commit()
        return "/r/" + issued.token


def poster_url(app) -> str:
    with app.app_context():
        return "/s/" + tokens.qr_token("HN-X01", "MC1", "dossier_rating")


NEXT = {"vi": ("Điều gì tiếp theo", "10 ngày làm việc", "Đơn vị HN-X01"),
        "en": ("What happens next", "10 working days", "Unit HN-X01")}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("where", [receipt_url, poster_url], ids=["receipt", "poster"])
def test_a_dissatisfied_citizen_is_told_what_happens_next(app, where, lang):
    thanks = rate(app, app.test_client(), where(app), 1, lang)
    heading, deadline, unit = NEXT[lang]
    assert heading in thanks and deadline in thanks and unit in thanks
    assert offer_path(thanks).startswith("/f/")


@pytest.mark.parametrize("where", [receipt_url, poster_url], ids=["receipt", "poster"])
def test_a_satisfied_citizen_is_not(app, where):
    thanks = rate(app, app.test_client(), where(app), 3, "vi")
    assert "đã được ghi nhận" in thanks
    assert "Điều gì tiếp theo" not in thanks and "/f/" not in thanks
