"""The phone/web flow without JavaScript: pages per section, errors in place, nothing lost."""

from __future__ import annotations

import json
import re

from survey.extensions import db
from survey.models import Answer, Response
from survey.services import tokens
from tests.conftest import csrf_from


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or re.search(
        rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1).replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&")


def section_codes(html: str) -> list[str]:
    return re.findall(r'class="q[^"]*" id="item-([a-z0-9_]+)"', html)


def post_page(client, url, html, answers, action="next"):
    data = {"csrf_token": csrf_from(html), "action": action}
    for name in ("response_id", "version", "section", "carried"):
        data[name] = hidden(html, name)
    for code in section_codes(html):
        if code in answers:
            data[f"q_{code}"] = str(answers[code])
    return client.post(url, data=data)


def qr_url(app, world):
    with app.app_context():
        return "/s/" + tokens.qr_token(world.unit_code, world.desk_code, "land_survey")


def test_the_whole_land_survey_page_by_page(app, client, world, land):
    url = qr_url(app, world)
    page = client.get(url)
    assert page.status_code == 200 and 'lang="vi"' in page.text
    pages = 0
    while page.status_code == 200:
        pages += 1
        page = post_page(client, url, page.text, land)
        assert pages < 20
    assert page.status_code == 302 and page.headers["Location"].endswith("/thanks")
    assert pages > 5  # one section per page
    with app.app_context():
        stored = db.session.execute(db.select(Response)).scalar_one()
        assert stored.channel == "phone" and stored.respondent_type == "individual"
        codes = set(db.session.execute(
            db.select(Answer.item_code).filter_by(response_id=stored.id)).scalars())
    assert codes == set(land)


def test_an_error_is_shown_in_place_and_keeps_the_other_answers(app, client, world, land):
    url = qr_url(app, world)
    first = client.get(url)
    wrong = {**land, "a2_equipment": ""}
    page = post_page(client, url, first.text, wrong)
    assert page.status_code == 200
    assert '<p class="error" id="err-a2_equipment">Vui lòng trả lời câu hỏi này.</p>' in page.text
    # the other answers of the page are still checked
    assert '<input checked id="q_a1_seating-3"' in page.text
    assert '<input checked id="q_a3_equipment_ease-3"' in page.text
    client.get("/lang/en")
    english = post_page(client, url, first.text, wrong)
    assert 'lang="en"' in english.text and "Page 1 of" in english.text
    assert "This question needs an answer." in english.text


def test_answers_of_earlier_pages_are_carried_and_back_keeps_them(app, client, world, land):
    url = qr_url(app, world)
    first = client.get(url)
    second = post_page(client, url, first.text, land)
    carried = json.loads(hidden(second.text, "carried"))
    assert carried["a1_seating"] == "4"
    back = post_page(client, url, second.text, land, action="back")
    assert hidden(back.text, "section") == "0"
    assert '<input checked id="q_a1_seating-3"' in back.text


def test_a_hidden_follow_up_is_never_stored(app, client, world, land):
    url = qr_url(app, world)
    page = client.get(url)
    answers = {**land, "e2_feedback_ease": 5}  # e1 = no: e2 is hidden
    while page.status_code == 200:
        html = page.text
        if "item-e1_gave_feedback" in html:
            assert re.search(r'id="item-e2_feedback_ease"[^>]*hidden', html, re.S)
            data = {"csrf_token": csrf_from(html), "action": "next",
                    **{n: hidden(html, n) for n in ("response_id", "version", "section",
                                                    "carried")},
                    **{f"q_{c}": str(answers[c]) for c in section_codes(html) if c in answers}}
            page = client.post(url, data=data)
            continue
        page = post_page(client, url, html, answers)
    with app.app_context():
        codes = set(db.session.execute(db.select(Answer.item_code)).scalars())
    assert "e2_feedback_ease" not in codes and "e1_gave_feedback" in codes


def test_forms_need_a_csrf_token(app, client, world):
    url = qr_url(app, world)
    client.get(url)
    assert client.post(url, data={"action": "next", "section": "0"}).status_code == 400


def test_a_receipt_opens_the_rating_form_for_its_dossier(app, client, world):
    with app.app_context():
        issued = tokens.issue_dossier_token("HS-1", world.unit_code)
        db.session.commit()
    url = f"/r/{issued.token}"
    page = client.get(url)
    assert page.status_code == 200 and "item-rating" in page.text
    done = post_page(client, url, page.text, {"rating": 2})
    assert done.status_code == 302
    assert client.get(url).status_code == 409


def test_switching_language_mid_way_keeps_every_answer(app, client, world, land):
    url = qr_url(app, world)
    first = client.get(url)
    assert 'value="lang:en"' in first.text  # the switch is part of the form
    second = post_page(client, url, first.text, land)
    partly = {code: land[code] for code in section_codes(second.text)[:2]}
    english = post_page(client, url, second.text, partly, action="lang:en")
    assert english.status_code == 200 and 'lang="en"' in english.text
    assert hidden(english.text, "section") == hidden(second.text, "section")
    carried = json.loads(hidden(english.text, "carried"))
    assert carried["a1_seating"] == "4"  # the first page's answers
    for code, value in partly.items():  # and what was chosen on this page before switching
        assert f'<input checked id="q_{code}-{int(value) - 1}"' in english.text
    assert "This question needs an answer." not in english.text  # switching is not sending
    assert 'lang="en"' in client.get(url).text  # the choice survives the flow
