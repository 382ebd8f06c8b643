"""The land survey and a receipt on a 360 px phone: the overall question first, show_if the
same with and without JavaScript, the error summary, answers kept through an expired form
token and a reload, compressed pages, the language switch, and axe-core on every state."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.extensions import db
from survey.models import Answer, Response
from survey.services import questionnaires as qservice
from survey.services import tokens
from tests.collect.conftest import land_answers

SHOTS = Path(__file__).parent / "screenshots"
MAX_PAGE_BYTES = 20 * 1024  # one phone page, compressed: HTML, CSS and scripts


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"phone-{name}.png"), full_page=True)


def answers_for(live) -> dict:
    with live.app.app_context():
        answers = land_answers(qservice.definition_of(qservice.get_version("land_survey")))
        db.session.remove()
    return answers


def fill_page(page, answers: dict) -> int:
    """Answer what the page shows, in order, as a person would: an item revealed by an
    earlier answer is answered once it shows. Returns the number of taps and fields filled."""
    taps = 0
    for box in page.locator(".q[data-code]").all():
        code = box.get_attribute("data-code")
        if code not in answers or not box.is_visible():
            continue
        value = str(answers[code])
        radio = box.locator(f'input[type=radio][value="{value}"]')
        if radio.count():
            radio.check()
        else:
            box.locator(f'[name="q_{code}"]').fill(value)
        taps += 1
    return taps


def next_page(page) -> None:
    page.locator('button[name=action][value=next]').click()
    page.wait_for_load_state()


def run_script(page, live, answers: dict, *, screenshots: str = "") -> None:
    page.goto(live.qr_path)
    for n in range(20):
        fill_page(page, answers)
        if screenshots:
            shot(page, f"{screenshots}-page{n + 1}")
        next_page(page)
        if "/thanks" in page.url:
            return
    raise AssertionError("the flow never ended")


def last_stored(live) -> dict:
    with live.app.app_context():
        last = db.session.execute(
            db.select(Response).order_by(Response.id.desc())).scalars().first()
        rows = db.session.execute(
            db.select(Answer.item_code, Answer.value_int, Answer.value_text, Answer.missing_code)
            .filter_by(response_id=last.id)).all()
        db.session.remove()
    return {code: (v_int, text, missing) for code, v_int, text, missing in rows}


def test_the_first_screen_holds_the_overall_question_and_its_reason(phone, live):
    phone.goto(live.qr_path)
    shot(phone, "first-screen")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    codes = [b.get_attribute("data-code") for b in phone.locator(".q").all()]
    assert codes == ["overall_satisfaction", "comments"]
    # "Gửi" stores the first screen as it is: finishing needs no scrolling
    button = phone.locator('button[value=send]').bounding_box()
    assert button["height"] >= 44
    assert button["y"] + button["height"] <= 740, "the first screen needs no scrolling"
    assert "khoảng" in phone.locator(".more").inner_text()
    assert "Đăng nhập cán bộ" not in phone.content()


def test_the_short_path_stores_a_response_in_two_taps(phone, live):
    """A questionnaire whose later questions are all optional: "Gửi" on the first screen."""
    import questionnaires as qn
    from tests.collect.test_flow_pages import SHORT_SURVEY

    with live.app.app_context():
        if "quick_check" not in qservice.published_codes():
            qservice.save_draft(qn.load_text(SHORT_SURVEY, "quick.yaml"), "test")
            qservice.publish("quick_check", "test")
            db.session.commit()
        path = "/s/" + tokens.qr_token("HN-X01", "MC1", "quick_check")
        db.session.remove()
    before = live.count_responses()
    phone.goto(path)
    shot(phone, "short-path")
    send = phone.locator('button[value=send]')
    box = send.bounding_box()
    assert box["y"] + box["height"] <= 740 and box["height"] >= 44
    phone.locator('#item-overall_satisfaction label.opt').nth(3).click()  # tap 1
    send.click()  # tap 2
    phone.wait_for_url("**/thanks")
    assert live.count_responses() == before + 1
    assert last_stored(live) == {"overall_satisfaction": (4, None, None)}


def test_a_receipt_is_rated_in_two_taps(phone, live):
    with live.app.app_context():
        issued = tokens.issue_dossier_token("HS-PHONE-1", "HN-X01")
        db.session.commit()
        db.session.remove()
    before = live.count_responses()
    phone.goto(f"/r/{issued.token}")
    shot(phone, "receipt")
    phone.locator('#item-rating label.opt').last.click()  # tap 1: the rating
    phone.locator('button[value=next]').click()  # tap 2: send
    phone.wait_for_url("**/thanks")
    assert live.count_responses() == before + 1
    shot(phone, "receipt-thanks")


def test_the_whole_survey_and_its_pages_stay_small(phone, live):
    answers = answers_for(live)
    answers.update({"e1_gave_feedback": 1, "e2_feedback_ease": 5, "e3_feedback_handling": 4,
                    "e4_feedback_reply": "no_answer", "comments": "Nhanh, đúng hẹn."})
    sizes: dict[str, int] = {}

    def count(response):
        if response.request.resource_type in ("document", "stylesheet", "script"):
            sizes[response.url] = response.request.sizes()["responseBodySize"]

    phone.on("response", count)
    before = live.count_responses()
    run_script(phone, live, answers, screenshots="flow")
    assert live.count_responses() == before + 1
    assert phone.locator("h1").inner_text() == "Xin cảm ơn Ông/Bà!"
    stored = last_stored(live)
    assert stored["e1_gave_feedback"][0] == 1 and stored["e2_feedback_ease"][0] == 5
    assert stored["comments"][1] == "Nhanh, đúng hẹn."
    assets = sum(size for url, size in sizes.items() if "/static/" in url)
    pages = [size for url, size in sizes.items() if "/static/" not in url]
    assert max(pages) + assets <= MAX_PAGE_BYTES, (max(pages), assets)


def test_show_if_without_javascript_stores_what_javascript_stores(browser, live):
    script = answers_for(live)
    script.update({"e1_gave_feedback": 1, "e2_feedback_ease": 5, "e3_feedback_handling": 2,
                   "e4_feedback_reply": "no_answer",  # these apply
                   "respondent_type": "organisation", "occupation": "farmer"})  # this not
    stored = {}
    for javascript in (True, False):
        context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True,
                                      is_mobile=True, base_url=live.url,
                                      java_script_enabled=javascript)
        page = context.new_page()
        run_script(page, live, script, screenshots="js" if javascript else "nojs")
        stored[javascript] = last_stored(live)
        context.close()
    assert stored[True] == stored[False]
    assert "occupation" not in stored[True] and stored[True]["e3_feedback_handling"][0] == 2


def test_follow_ups_show_and_hide_with_javascript(phone, live):
    answers = answers_for(live)
    phone.goto(live.qr_path)
    for _ in range(20):
        if phone.locator("#item-e1_gave_feedback").count():
            break
        fill_page(phone, answers)
        next_page(phone)
    follow_up = phone.locator("#item-e2_feedback_ease")
    assert follow_up.is_hidden()
    phone.locator('#item-e1_gave_feedback input[value="1"]').check()
    assert follow_up.is_visible()
    assert phone.locator("#item-e2_feedback_ease .cond-hint").is_hidden()  # not needed
    phone.locator('#item-e1_gave_feedback input[value="0"]').check()
    assert follow_up.is_hidden()


def test_the_error_summary_takes_the_focus_and_its_links_focus_their_question(phone, live):
    answers = answers_for(live)
    phone.goto(live.qr_path)
    fill_page(phone, answers)
    next_page(phone)
    partial = {k: v for k, v in answers.items() if k not in ("a2_equipment", "a4_information")}
    fill_page(phone, partial)
    next_page(phone)
    summary = phone.locator("#error-summary")
    assert summary.is_visible()
    assert phone.evaluate("document.activeElement.id") == "error-summary"
    links = summary.locator("a")
    assert links.count() == 2
    shot(phone, "error-summary")
    links.nth(1).click()
    assert phone.evaluate("document.activeElement.id") == "q_a4_information-0"
    assert phone.locator("#item-a4_information").is_visible()
    error = phone.locator("#err-a2_equipment")
    assert error.inner_text() == "Vui lòng trả lời câu hỏi này."
    assert phone.locator('#item-a1_seating input[value="4"]').is_checked()


def test_an_expired_session_keeps_every_answer(phone, live):
    answers = answers_for(live)
    answers["comments"] = "Cán bộ nhiệt tình."
    before = live.count_responses()
    phone.goto(live.qr_path)
    fill_page(phone, answers)
    next_page(phone)  # "Tell us more": the first screen is stored at once
    assert live.count_responses() == before + 1
    fill_page(phone, answers)
    phone.context.clear_cookies()  # the session (and its form token) is gone
    next_page(phone)
    notice = phone.locator(".notice-box")
    assert notice.is_visible() and "vẫn được giữ nguyên" in notice.inner_text()
    shot(phone, "expired")
    assert phone.locator('#item-a1_seating input[value="4"]').is_checked()
    for _ in range(20):
        fill_page(phone, answers)
        next_page(phone)
        if "/thanks" in phone.url:
            break
    assert live.count_responses() == before + 1  # the same response, completed
    stored = last_stored(live)
    assert stored["comments"][1] == "Cán bộ nhiệt tình." and stored["a1_seating"][0] == 4


def test_enter_in_a_field_moves_on_and_never_switches_language(phone, live):
    phone.goto(live.qr_path)
    phone.get_by_role("button", name="English").click()
    phone.wait_for_load_state()
    phone.locator('#item-overall_satisfaction input[value="4"]').check()
    phone.locator('#item-overall_satisfaction input[value="4"]').press("Enter")
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == "A. Access to the service"


def test_a_reload_and_the_back_button_keep_the_answers(phone, live):
    phone.goto(live.qr_path)
    phone.locator('#item-overall_satisfaction input[value="5"]').check()
    phone.locator("#q_comments").fill("Chờ hơi lâu.")
    phone.goto(live.qr_path)  # a reload of the first page asks the server afresh
    assert phone.locator('#item-overall_satisfaction input[value="5"]').is_checked()
    assert phone.locator("#q_comments").input_value() == "Chờ hơi lâu."
    next_page(phone)
    assert phone.locator("#item-a1_seating").count()
    phone.go_back()
    phone.wait_for_load_state()
    assert phone.locator('#item-overall_satisfaction input[value="5"]').is_checked()
    assert phone.locator("#q_comments").input_value() == "Chờ hơi lâu."


def test_the_language_switch_is_at_the_top_and_survives_the_flow(phone, live):
    answers = answers_for(live)
    phone.goto(live.qr_path)
    assert phone.locator("html").get_attribute("lang") == "vi"
    english = phone.get_by_role("button", name="English")
    assert english.bounding_box()["y"] < phone.locator("h1").bounding_box()["y"]
    english.click()
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == "Overall"
    fill_page(phone, answers)
    next_page(phone)
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == "A. Access to the service"
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


def test_a_forged_or_missing_token_is_refused_kindly(phone, live):
    payload, signature = live.qr_path[3:].split(".")
    reply = phone.goto(f"/s/{payload[::-1]}.{signature}")
    assert reply.status == 404
    assert phone.locator("h1").inner_text() == "Đường dẫn này không dùng được"
    reply = phone.goto("/s/")
    assert reply.status == 404
    assert phone.locator("h1").inner_text() == "Đường dẫn này không dùng được"
    assert "Đăng nhập cán bộ" not in phone.content()
    shot(phone, "404")


axe_module = pytest.importorskip("axe_playwright_python.sync_playwright",
                                 reason="axe-playwright-python is not installed (dev extra)")


def violations(page) -> list[str]:
    """Every axe-core violation, of any impact."""
    results = axe_module.Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} ({len(v['nodes'])} node(s))"
            for v in results.response["violations"]]


@pytest.mark.parametrize("width,height", [(360, 800), (412, 915), (1920, 1080), (1080, 1920)])
def test_every_phone_state_has_no_axe_violation(browser, live, width, height):
    """The same pages on phones, and on a desktop or a kiosk-sized screen (a web link)."""
    answers = answers_for(live)
    small = width < 800
    context = browser.new_context(viewport={"width": width, "height": height},
                                  has_touch=small, is_mobile=small, base_url=live.url)
    page = context.new_page()
    seen = {}
    page.goto(live.qr_path)
    seen["first"] = violations(page)
    fill_page(page, answers)
    next_page(page)
    next_page(page)  # nothing answered on the second page: the error summary
    seen["errors"] = violations(page)
    page.context.clear_cookies()
    next_page(page)
    seen["expired"] = violations(page)
    for _ in range(20):  # the follow-ups revealed
        if page.locator("#item-e1_gave_feedback").count():
            break
        fill_page(page, answers)
        next_page(page)
    page.locator('#item-e1_gave_feedback input[value="1"]').check()
    seen["follow-ups"] = violations(page)
    page.goto("/s/")
    seen["404"] = violations(page)
    page.goto("/thanks")
    seen["thanks"] = violations(page)
    context.close()
    assert seen == {state: [] for state in seen}


FIRST_PAINT = """() => new Promise((resolve, reject) => {
    const found = () => performance.getEntriesByName("first-contentful-paint")[0];
    if (found()) return resolve(found().startTime);
    new PerformanceObserver((list, observer) => {
        if (found()) { observer.disconnect(); resolve(found().startTime); }
    }).observe({type: "paint", buffered: true});
    setTimeout(() => reject(new Error("no first-contentful-paint within 10 s")), 10000);
})"""


def test_the_first_page_paints_within_2_5_s_on_fast_3g(browser, live):
    """Chrome DevTools' "Fast 3G": 562.5 ms round trip, 1.44 Mbit/s down, 675 kbit/s up."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True,
                                  is_mobile=True, base_url=live.url)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 562.5, "downloadThroughput": 1.44e6 / 8 * 0.9,
        "uploadThroughput": 675e3 / 8 * 0.9})
    page.goto(live.qr_path, wait_until="load")
    # Headless Chromium records the paint once a frame is produced, shortly after "load":
    # wait for it with a PerformanceObserver. (wait_for_function polls through eval, which
    # the page's CSP forbids when the entry is not there at the first look.)
    paint = page.evaluate(FIRST_PAINT)
    context.close()
    assert paint is not None and paint <= 2500, paint
