"""The phone/web flow without JavaScript: pages per section, errors in place, nothing lost."""

from __future__ import annotations

import json
import re

from survey.extensions import db
from survey.models import Answer, Kiosk, Response
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


def page_with(client, url, code, answers):
    """Answer page after page until the one that asks `code`; its HTML."""
    page = client.get(url)
    for _ in range(20):
        if f'id="item-{code}"' in page.text:
            return page.text
        page = post_page(client, url, page.text, answers)
        assert page.status_code == 200, "the flow ended before asking " + code
    raise AssertionError(f"{code} never asked")


def stored_answers(app) -> dict[str, object]:
    with app.app_context():
        rows = db.session.execute(db.select(Answer.item_code, Answer.value_int,
                                            Answer.value_text, Answer.missing_code)).all()
    return {code: v_int if v_int is not None else text if text is not None else missing
            for code, v_int, text, missing in rows}


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


def test_the_overall_question_and_its_reason_come_first(app, client, world, land):
    url = qr_url(app, world)
    first = client.get(url).text
    assert section_codes(first) == ["overall_satisfaction", "comments"]
    assert "Trả lời thêm: 38 câu hỏi, khoảng 6 phút." in first
    second = post_page(client, url, first, land).text
    assert "Trang 2/10 · còn khoảng 5 phút" in second
    assert section_codes(second)[0] == "a1_seating"
    assert "overall_satisfaction" not in section_codes(second)  # asked once only


def _stored(app) -> list[tuple[int, dict]]:
    with app.app_context():
        rows = db.session.execute(db.select(Response.id)).scalars().all()
        return [(rid, dict(db.session.execute(db.select(Answer.item_code, Answer.value_int)
                                              .filter_by(response_id=rid)).all()))
                for rid in rows]


def test_a_citizen_who_stops_after_the_first_screen_is_counted(app, client, world, land):
    """The overall question and its reason, sent alone: one response of those answers only
    (the rest was not asked, so it is absent, not missing), and the counts agree."""
    from survey.services import aggregates

    url = qr_url(app, world)
    first = client.get(url).text
    assert 'value="send"' in first and 'value="next"' in first
    done = post_page(client, url, first, {**land, "overall_satisfaction": 2}, action="send")
    assert done.status_code == 302 and done.headers["Location"].endswith("/thanks")
    [(_, answers)] = _stored(app)
    assert answers == {"overall_satisfaction": 2}
    with app.app_context():
        assert aggregates.differences() == []


def test_telling_more_completes_the_same_response(app, client, world, land):
    """"Tell us more" stores the first screen at once (a citizen who then walks away still
    counts) and the last page completes that same response: one response, every answer."""
    from survey.services import aggregates

    url = qr_url(app, world)
    page = post_page(client, url, client.get(url).text, land)  # "Tell us more"
    assert page.status_code == 200
    [(first_id, answers)] = _stored(app)
    assert set(answers) == {"overall_satisfaction"}
    pages = 0
    while page.status_code == 200:
        page = post_page(client, url, page.text, land)
        pages += 1
        assert pages < 20
    assert page.status_code == 302
    [(same_id, answers)] = _stored(app)
    assert same_id == first_id and set(answers) == set(land)
    with app.app_context():
        assert aggregates.differences() == []


def test_only_the_same_poster_may_complete_a_first_screen(app, client, world, land):
    """The rest of the questionnaire completes a stored first screen only through the same
    poster (and channel): another poster's token gets the stored response, unchanged."""
    import uuid

    with app.app_context():
        desk = tokens.qr_token(world.unit_code, world.desk_code, "land_survey")
        other = tokens.qr_token(world.unit_code, None, "land_survey")
    first = {"id": str(uuid.uuid4()), "questionnaire": "land_survey", "unit": world.unit_code,
             "channel": "phone", "token": desk, "part": "first",
             "answers": {"overall_satisfaction": 4}}
    assert client.post("/api/v1/responses", json=first).status_code == 201
    full = {**first, "part": None, "answers": land, "token": other}
    assert client.post("/api/v1/responses", json=full).json["answers"] == \
        {"overall_satisfaction": 4}
    assert client.post("/api/v1/responses", json={**full, "token": desk}).status_code == 200
    [(_, answers)] = _stored(app)
    assert set(answers) == set(land)


def test_only_phone_and_web_may_send_the_first_screen_alone(app, client, world):
    with app.app_context():
        kiosk = tokens.kiosk_token(db.session.get(Kiosk, world.kiosk_id))
    body = {"id": "6b0c3f0e-8a5e-4b1a-9f4f-3f2d7c1e9a10", "questionnaire": "dossier_rating",
            "unit": world.unit_code, "channel": "kiosk", "token": kiosk, "part": "first",
            "answers": {"rating": 3}}
    reply = client.post("/api/v1/responses", json=body)
    assert reply.status_code == 422 and "part" in reply.json["errors"]


def test_an_error_is_shown_in_place_and_keeps_the_other_answers(app, client, world, land):
    url = qr_url(app, world)
    html = page_with(client, url, "a2_equipment", land)
    wrong = {**land, "a2_equipment": ""}
    page = post_page(client, url, html, wrong)
    assert page.status_code == 200
    assert '<p class="error" id="err-a2_equipment">Vui lòng trả lời câu hỏi này.</p>' in page.text
    # the other answers of the page are still checked
    assert '<input checked id="q_a1_seating-3"' in page.text
    assert '<input checked id="q_a3_equipment_ease-3"' in page.text
    client.get("/lang/en")
    english = post_page(client, url, html, wrong)
    assert 'lang="en"' in english.text and "Page 2 of" in english.text
    assert "This question needs an answer." in english.text


def test_the_error_summary_links_each_error_to_its_question(app, client, world, land):
    url = qr_url(app, world)
    html = page_with(client, url, "a2_equipment", land)
    page = post_page(client, url, html, {**land, "a2_equipment": "", "a4_information": ""}).text
    summary = page[page.index('id="error-summary"'):page.index("</div>", page.index(
        'id="error-summary"'))]
    assert 'role="alert" tabindex="-1"' in summary and "Có câu trả lời cần sửa" in summary
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert [target for target, _ in links] == ["q_a2_equipment-0", "q_a4_information-0"]
    assert 'id="q_a2_equipment-0"' in page and 'id="q_a4_information-0"' in page
    assert links[0][1].startswith("Vui lòng trả lời câu hỏi này. Câu hỏi: Ông/Bà hài lòng")
    assert "<title>Lỗi: " in page


def test_answers_of_earlier_pages_are_carried_and_back_keeps_them(app, client, world, land):
    url = qr_url(app, world)
    first = client.get(url)
    second = post_page(client, url, first.text, land)
    carried = json.loads(hidden(second.text, "carried"))
    assert carried["overall_satisfaction"] == "4"
    back = post_page(client, url, second.text, land, action="back")
    assert hidden(back.text, "section") == "0"
    assert '<input checked id="q_overall_satisfaction-3"' in back.text


def test_follow_ups_on_the_same_page_are_shown_without_javascript(app, client, world, land):
    url = qr_url(app, world)
    html = page_with(client, url, "e1_gave_feedback", land)
    for code in ("e2_feedback_ease", "e3_feedback_handling", "e4_feedback_reply"):
        box = re.search(rf'<div class="q" id="item-{code}"[^>]*>', html, re.S).group(0)
        assert not re.search(r"\shidden[\s>]", box)
        assert not re.search(rf'<input[^>]*disabled[^>]*name="q_{code}"', html)
    assert html.count("Chỉ trả lời nếu Ông/Bà chọn “Có” ở câu trên.") == 3
    # "Có" without the follow-ups: exactly those three need an answer, nothing else
    page = post_page(client, url, html, {**land, "e1_gave_feedback": 1})
    assert re.findall(r'id="err-([a-z0-9_]+)"', page.text) == [
        "e2_feedback_ease", "e3_feedback_handling", "e4_feedback_reply"]


def test_an_answer_to_a_follow_up_that_does_not_apply_is_dropped(app, client, world, land):
    url = qr_url(app, world)
    answers = {**land, "e2_feedback_ease": 5, "occupation": "farmer",
               "respondent_type": "organisation"}  # e1 = "Không": e2 does not apply
    page = client.get(url)
    while page.status_code == 200:
        assert 'id="err-' not in page.text
        page = post_page(client, url, page.text, answers)
    stored = stored_answers(app)
    assert "e2_feedback_ease" not in stored and stored["e1_gave_feedback"] == 0
    assert "occupation" not in stored and stored["respondent_type"] == "organisation"


def test_the_occupation_is_asked_without_javascript_and_kept_for_individuals(app, client,
                                                                             world, land):
    url = qr_url(app, world)
    html = page_with(client, url, "respondent_type", land)
    assert "Chỉ trả lời nếu Ông/Bà chọn “Cá nhân” ở câu trên." in html
    done = post_page(client, url, html, {**land, "occupation": "farmer"})
    assert done.status_code == 302
    assert stored_answers(app)["occupation"] == "farmer"


def test_an_expired_form_token_shows_the_page_again_with_every_answer(app, client, world,
                                                                      land):
    url = qr_url(app, world)
    html = page_with(client, url, "a2_equipment", land)
    # the session cookie is gone (or the token is over an hour old): a new browser session
    client.delete_cookie("session")
    page = post_page(client, url, html, land)
    assert page.status_code == 200 and 'lang="vi"' in page.text
    assert "Mọi câu trả lời của Ông/Bà vẫn được giữ nguyên" in page.text
    assert hidden(page.text, "section") == hidden(html, "section")  # the same page
    assert '<input checked id="q_a2_equipment-3"' in page.text  # this page's answers
    assert json.loads(hidden(page.text, "carried"))["overall_satisfaction"] == "4"
    assert "Vui lòng trả lời" not in page.text  # nothing was checked
    assert csrf_from(page.text) != csrf_from(html)
    # the fresh token works, and the rest of the flow stores exactly one response
    while page.status_code == 200:
        page = post_page(client, url, page.text, land)
    assert page.headers["Location"].endswith("/thanks")
    assert set(stored_answers(app)) == set(land)


def test_an_expired_token_on_the_last_page_stores_nothing_until_sent_again(app, client, world,
                                                                          land):
    url = qr_url(app, world)
    html = page_with(client, url, "respondent_type", land)
    client.delete_cookie("session")
    again = post_page(client, url, html, land)
    assert again.status_code == 200 and "Mọi câu trả lời" in again.text
    # only the first screen, stored when it was sent; the last page's answers are not
    [(_, answers)] = _stored(app)
    assert set(answers) == {"overall_satisfaction"}
    # the page's signed response id is kept: sending twice completes one response
    assert hidden(again.text, "response_id") != ""
    done = post_page(client, url, again.text, land)
    assert done.status_code == 302
    assert post_page(client, url, again.text, land).status_code == 302
    [(_, answers)] = _stored(app)
    assert set(answers) == set(land)


def test_a_post_without_any_form_token_is_still_not_stored(app, client, world):
    url = qr_url(app, world)
    client.get(url)
    page = client.post(url, data={"action": "next", "section": "0", "q_overall_satisfaction": "5"})
    assert page.status_code == 200 and "Mọi câu trả lời" in page.text
    assert '<input checked id="q_overall_satisfaction-4"' in page.text
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Response.id))).scalar() == 0


def test_a_kiosk_post_without_a_form_token_is_refused(app, client, world):
    with app.app_context():
        from survey.models import Kiosk

        kiosk = db.session.get(Kiosk, world.kiosk_id)
        url = "/k/" + tokens.kiosk_token(kiosk)
    client.get(url)
    assert client.post(url, data={"q_rating": "3"}).status_code == 400


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
    # the switch is at the top, and part of the form
    assert 'form="flow-form" name="action" value="lang:en"' in first.text
    assert first.text.index('value="lang:en"') < first.text.index("<h1>")
    second = post_page(client, url, first.text, land)
    partly = {code: land[code] for code in section_codes(second.text)[:2]}
    english = post_page(client, url, second.text, partly, action="lang:en")
    assert english.status_code == 200 and 'lang="en"' in english.text
    assert hidden(english.text, "section") == hidden(second.text, "section")
    carried = json.loads(hidden(english.text, "carried"))
    assert carried["overall_satisfaction"] == "4"  # the first page's answers
    for code, value in partly.items():  # and what was chosen on this page before switching
        assert f'<input checked id="q_{code}-{int(value) - 1}"' in english.text
    assert "This question needs an answer." not in english.text  # switching is not sending
    assert 'lang="en"' in client.get(url).text  # the choice survives the flow


SHORT_SURVEY = """
code: quick_check
kind: survey
title: {vi: "Phiếu ngắn", en: "Short form"}
service_areas: [land]
sections:
  - code: details
    title: {vi: "Chi tiết", en: "Details"}
    items:
      - code: waiting
        type: likert5
        label: {vi: "Thời gian chờ?", en: "Waiting time?"}
  - code: overall
    title: {vi: "Đánh giá chung", en: "Overall"}
    items:
      - code: overall_satisfaction
        type: likert5
        overall: true
        required: true
        label: {vi: "Nhìn chung?", en: "Overall?"}
      - code: comments
        type: text
        label: {vi: "Vì sao?", en: "Why?"}
"""


def short_survey_url(app, world):
    import questionnaires as qn
    from survey.services import questionnaires as qservice

    with app.app_context():
        qservice.save_draft(qn.load_text(SHORT_SURVEY, "quick.yaml"), "test")
        qservice.publish("quick_check", "test")
        db.session.commit()
        return "/s/" + tokens.qr_token(world.unit_code, world.desk_code, "quick_check")


def test_send_now_stores_the_first_page_when_nothing_after_it_is_required(app, client, world):
    url = short_survey_url(app, world)
    first = client.get(url).text
    assert section_codes(first) == ["overall_satisfaction", "comments"]
    assert 'value="send">Gửi</button>' in first and "Trả lời thêm" in first
    done = post_page(client, url, first, {"overall_satisfaction": 2, "comments": "Chờ lâu"},
                     action="send")
    assert done.status_code == 302 and done.headers["Location"].endswith("/thanks")
    assert stored_answers(app) == {"overall_satisfaction": 2, "comments": "Chờ lâu"}


def test_tell_us_more_continues_and_stores_one_response_at_the_end(app, client, world):
    url = short_survey_url(app, world)
    first = client.get(url).text
    second = post_page(client, url, first, {"overall_satisfaction": 4})
    assert section_codes(second.text) == ["waiting"]
    done = post_page(client, url, second.text, {"waiting": 3})
    assert done.status_code == 302
    assert stored_answers(app) == {"overall_satisfaction": 4, "waiting": 3}
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Response.id))).scalar() == 1


# --- the right context (#16) -------------------------------------------------------------------


def _poster_world(app, world, area: str | None):
    """The commune of `world` with a department beside it named after `area`, each a desk."""
    from survey.models import Desk, ServiceArea, Unit
    from survey.services.reference import load_service_areas
    from tests import factories

    with app.app_context():
        load_service_areas()
        province = db.session.execute(db.select(Unit).filter_by(code="HN")).scalar_one()
        department = factories.unit("HN-SO", "department", province)
        if area:
            department.service_area = db.session.execute(
                db.select(ServiceArea).filter_by(code=area)).scalar_one()
        db.session.add(Desk(unit=department, code="MC1", name_vi="Quầy 1", name_en="Desk 1"))
        db.session.commit()


def _poster_code(page) -> str:
    """The questionnaire the poster's QR code holds (its URL is printed under it)."""
    url = re.search(r'<p class="url">[^<]*/s/([^<]+)</p>', page.text).group(1)
    return tokens.qr_context(url).questionnaire.code


def test_a_departments_poster_opens_its_own_service_survey(app, client, world):
    from tests.collect.test_kiosk_admin import login

    for area in ("land", "marriage", "id_card"):
        with app.app_context():
            from survey.models import Desk, Unit

            old = db.session.execute(db.select(Unit).filter_by(code="HN-SO")).scalar_one_or_none()
            if old is not None:
                db.session.execute(db.delete(Desk).where(Desk.unit_id == old.id))
                db.session.delete(old)
                db.session.commit()
        _poster_world(app, world, area)
        if area == "land":
            login(client, app)
        page = client.get("/posters/HN-SO/MC1")
        assert page.status_code == 200
        with app.app_context():
            assert _poster_code(page) == f"{area}_survey"
    # the printed poster names the service in Vietnamese and English, and the unit
    assert "Phiếu khảo sát sự hài lòng của người dân đối với dịch vụ cấp thẻ căn cước" in page.text
    assert "Satisfaction survey: identity card services" in page.text
    assert "Đơn vị HN-SO" in page.text and "Unit HN-SO" in page.text


def test_a_commune_poster_opens_a_general_form_and_the_officer_may_pick(app, client, world):
    from tests.collect.test_kiosk_admin import login

    _poster_world(app, world, None)
    login(client, app)
    for unit in ("HN-X01", "HN-SO"):  # a commune, and a department without a service
        page = client.get(f"/posters/{unit}/MC1")
        with app.app_context():
            assert _poster_code(page) == "dossier_rating"  # covers every service
    picked = client.get("/posters/HN-X01/MC1?questionnaire=marriage_survey")
    with app.app_context():
        assert _poster_code(picked) == "marriage_survey"
    assert client.get("/posters/HN-X01/MC1?questionnaire=nothing").status_code == 404


def test_the_poster_picker_shows_titles_in_the_officers_language(app, client, world):
    from tests.collect.test_kiosk_admin import login

    _poster_world(app, world, "land")
    login(client, app)
    page = client.get("/posters/HN-SO/MC1")
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', page.text)
    assert options[0][:2] == ("land_survey", " selected") and "mặc định" in options[0][2]
    labels = {code: label for code, _, label in options}
    assert labels["construction_survey"] == ("Phiếu khảo sát sự hài lòng của người dân, tổ "
                                             "chức đối với dịch vụ cấp giấy phép xây dựng")
    assert not any(label == code for code, label in labels.items())  # never a raw code
    client.get("/lang/en")
    english = client.get("/posters/HN-SO/MC1")
    assert ">Satisfaction survey: construction permit services</option>" in english.text
    assert "(default for this unit)" in english.text


def test_a_receipt_page_names_the_dossier_its_procedure_and_day(app, client, world):
    from datetime import UTC, datetime

    from survey.models import DossierToken, Procedure, ServiceArea
    from survey.services.reference import load_service_areas

    with app.app_context():
        load_service_areas()
        db.session.add(Procedure(code="1.000894", name_vi="Đăng ký kết hôn",
                                 name_en="Marriage registration", level="commune",
                                 service_area=db.session.execute(db.select(ServiceArea)
                                                                 .filter_by(code="marriage"))
                                 .scalar_one()))
        db.session.flush()
        issued = tokens.issue_dossier_token("HS-77", world.unit_code, "1.000894")
        # issued at 23:30 UTC: already the next day in Hà Nội
        db.session.get(DossierToken, issued.row.id).issued_at = datetime(2026, 3, 1, 23, 30,
                                                                          tzinfo=UTC)
        db.session.commit()
    url = f"/r/{issued.token}"
    page = client.get(url)
    assert page.status_code == 200
    assert re.search(r"Hồ sơ <strong>HS-77</strong> · Đăng ký kết hôn · mã cấp ngày 02/03/2026",
                     page.text)
    client.get("/lang/en")
    assert "Marriage registration · code issued on 02/03/2026" in client.get(url).text


def test_a_used_receipt_says_when_it_was_rated_and_whom_to_tell(app, client, world):
    from datetime import UTC, datetime

    from survey.models import DossierToken

    with app.app_context():
        issued = tokens.issue_dossier_token("HS-88", world.unit_code)
        row_id = issued.row.id
        db.session.commit()
    url = f"/r/{issued.token}"
    assert post_page(client, url, client.get(url).text, {"rating": 3}).status_code == 302
    with app.app_context():
        # rated at 02:05 UTC, 09:05 in Hà Nội
        db.session.get(DossierToken, row_id).used_at = datetime(2026, 4, 30, 2, 5,
                                                                        tzinfo=UTC)
        db.session.commit()
    used = client.get(url)
    assert used.status_code == 409
    assert "Biên nhận đã được đánh giá lúc 09:05 30/04/2026." in used.text
    assert "báo cho cán bộ tại quầy" in used.text
    assert "Your opinion has been recorded" not in used.text and "đã được ghi nhận" not in used.text
