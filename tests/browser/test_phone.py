"""The land survey on a 360 px phone: pages, show_if live both ways, errors, language."""

from __future__ import annotations

from survey.extensions import db
from survey.models import Answer, Response
from survey.services import questionnaires as qservice
from tests.collect.conftest import land_answers


def answers_for(live) -> dict:
    with live.app.app_context():
        answers = land_answers(qservice.definition_of(qservice.get_version("land_survey")))
        db.session.remove()
    return answers


def fill_page(page, answers: dict) -> None:
    for box in page.locator(".q:not([hidden])").all():
        code = box.get_attribute("data-code")
        if code not in answers:
            continue
        value = str(answers[code])
        radio = box.locator(f'input[type=radio][value="{value}"]')
        if radio.count():
            radio.check()
        else:
            box.locator(f'[name="q_{code}"]').fill(value)


def next_page(page) -> None:
    page.locator('button[name=action][value=next]').click()
    page.wait_for_load_state()


def test_land_survey_on_a_phone_with_a_show_if_branch_both_ways(phone, live):
    answers = answers_for(live)
    answers.update({"e1_gave_feedback": 1, "e2_feedback_ease": 5, "e3_feedback_handling": 4,
                    "e4_feedback_reply": "no_answer"})
    before = live.count_responses()
    phone.goto(live.qr_path)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    assert phone.locator('button[value=next]').bounding_box()["height"] >= 44
    for _ in range(20):
        if phone.locator("#item-e1_gave_feedback").count():
            break
        fill_page(phone, answers)
        next_page(phone)
    follow_up = phone.locator("#item-e2_feedback_ease")
    assert follow_up.is_hidden()
    phone.locator('#item-e1_gave_feedback input[value="1"]').check()
    assert follow_up.is_visible()
    phone.locator('#item-e1_gave_feedback input[value="0"]').check()
    assert follow_up.is_hidden()
    phone.locator('#item-e1_gave_feedback input[value="1"]').check()
    assert follow_up.is_visible()
    for _ in range(20):
        fill_page(phone, answers)
        next_page(phone)
        if "/thanks" in phone.url:
            break
    assert "/thanks" in phone.url and phone.locator("h1").inner_text() == "Xin cảm ơn Ông/Bà!"
    assert live.count_responses() == before + 1
    with live.app.app_context():
        last = db.session.execute(
            db.select(Response).order_by(Response.id.desc())).scalars().first()
        stored = dict(db.session.execute(db.select(Answer.item_code, Answer.value_int)
                                         .filter_by(response_id=last.id)).all())
        db.session.remove()
    assert stored["e1_gave_feedback"] == 1 and stored["e2_feedback_ease"] == 5


def test_a_validation_error_keeps_the_other_answers(phone, live):
    answers = answers_for(live)
    del answers["a2_equipment"]
    phone.goto(live.qr_path)
    fill_page(phone, answers)
    next_page(phone)
    error = phone.locator("#err-a2_equipment")
    assert error.is_visible() and error.inner_text() == "Vui lòng trả lời câu hỏi này."
    assert phone.locator('#item-a1_seating input[value="4"]').is_checked()
    assert phone.locator('#item-a4_information input[value="4"]').is_checked()


def test_the_language_switch_survives_the_flow(phone, live):
    answers = answers_for(live)
    phone.goto(live.qr_path)
    assert phone.locator("html").get_attribute("lang") == "vi"
    phone.get_by_role("button", name="English").click()
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == "A. Access to the service"
    fill_page(phone, answers)
    next_page(phone)
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == "B. Administrative procedures"
    assert "Page 2 of" in phone.locator(".step-count").inner_text()
    # switching back half-way through a page keeps what was chosen on it
    first = phone.locator(".q:not([hidden])").first
    code = first.get_attribute("data-code")
    first.locator(f'input[type=radio][value="{answers[code]}"]').check()
    phone.get_by_role("button", name="Tiếng Việt").click()
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "vi"
    assert "Trang 2" in phone.locator(".step-count").inner_text()
    chosen = phone.locator(f'[data-code="{code}"] input[type=radio][value="{answers[code]}"]')
    assert chosen.is_checked()


def test_a_forged_qr_context_is_refused_kindly(phone, live):
    payload, signature = live.qr_path[3:].split(".")
    reply = phone.goto(f"/s/{payload[::-1]}.{signature}")
    assert reply.status == 404
    assert phone.locator("h1").inner_text() == "Đường dẫn này không dùng được"
