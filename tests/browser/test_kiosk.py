"""The kiosk: the first tap stores the answer, follow-ups amend it, the screen resets clean,
the press guard, the offline queue, SVG faces and a layout that fills both orientations.

Screenshots of each state are saved under tests/browser/screenshots/ (not committed) for a
reviewer to look at.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from survey.extensions import db
from survey.models import Answer, Kiosk, Response
from survey.services.responses import answer_value
from tests.browser.conftest import past_the_press_guard

SHOTS = Path(__file__).parent / "screenshots"

LEFT_BEHIND = """async () => {
  const db = await new Promise((ok) => {
    const r = indexedDB.open("hailong-kiosk"); r.onsuccess = () => ok(r.result); });
  const queued = await new Promise((ok) => {
    const r = db.transaction("outbox").objectStore("outbox").count();
    r.onsuccess = () => ok(r.result); });
  db.close();
  return {checked: document.querySelectorAll("input:checked").length,
          typed: [...document.querySelectorAll("textarea, input[type=text]")]
                   .filter(e => e.value).length,
          local: localStorage.length, session: sessionStorage.length,
          history: history.length, queued: queued};
}"""


def wait_until(check, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"kiosk-{name}.png"))


def face(page, value: int):
    return page.locator(f'#item-rating input[value="{value}"]').locator("..")


def rate(page, value: int) -> None:
    """A satisfied citizen (2 or 3): one tap, then the thank-you screen."""
    page.locator("#start").click()
    face(page, value).click()
    page.locator("#thanks").wait_for(state="visible", timeout=5000)


def responses(live) -> list[dict]:
    """Every stored response's answers, oldest first."""
    with live.app.app_context():
        rows = db.session.execute(db.select(Response).order_by(Response.id)).scalars().all()
        found = []
        for row in rows:
            answers = db.session.execute(
                db.select(Answer).filter_by(response_id=row.id)).scalars()
            found.append({"id": str(row.uuid),
                          "answers": {a.item_code: answer_value(a) for a in answers}})
        db.session.remove()
        return found


def test_thank_you_then_a_fresh_form_with_nothing_left(kiosk_page, live):
    before = live.count_responses()
    kiosk_page.goto(live.kiosk_path)
    entries = kiosk_page.evaluate("history.length")  # about:blank, then the kiosk
    assert kiosk_page.locator("#attract").is_visible()
    rate(kiosk_page, 3)  # one tap: no "send?" step for a satisfied citizen
    kiosk_page.locator("#attract").wait_for(state="visible", timeout=12000)
    assert wait_until(lambda: live.count_responses() == before + 1)
    assert wait_until(lambda: kiosk_page.evaluate(LEFT_BEHIND)["queued"] == 0)
    assert kiosk_page.evaluate(LEFT_BEHIND) == {"checked": 0, "typed": 0, "local": 0,
                                                 "session": 0, "history": entries,
                                                 "queued": 0}


CLEAN_SCREEN = """() => ({
  checked: document.querySelectorAll("input:checked").length,
  chosen: document.querySelectorAll(".opt:has(input:checked)").length,
  typed: [...document.querySelectorAll("textarea, input[type=text]")].filter(e => e.value).length,
  steps: [...document.querySelectorAll(".step")].filter(s => !s.hidden).length,
  firstStep: !document.querySelector(".step").hidden,
  saved: !document.getElementById("saved").hidden,
  errors: [...document.querySelectorAll(".error")].filter(e => !e.hidden).length,
})"""


def test_walk_away_after_one_tap_stores_one_response_and_the_next_screen_is_clean(
        kiosk_page, live):
    before = responses(live)
    kiosk_page.goto(live.kiosk_path)
    kiosk_page.locator("#start").click()
    started = time.monotonic()
    face(kiosk_page, 1).click()
    kiosk_page.locator("#item-reason").wait_for(state="visible")
    assert wait_until(lambda: len(responses(live)) == len(before) + 1, timeout=10)
    stored_after = time.monotonic() - started
    assert responses(live)[-1]["answers"] == {"rating": 1}  # stored before any "send"
    assert kiosk_page.locator("#saved").is_visible()
    shot(kiosk_page, "1024-after-first-tap")
    # The citizen leaves: countdown, then the attract screen (5 s idle + 2 s countdown here).
    kiosk_page.locator("#idle").wait_for(state="visible", timeout=12000)
    shot(kiosk_page, "1024-idle-countdown")
    kiosk_page.locator("#attract").wait_for(state="visible", timeout=12000)
    reset_after = time.monotonic() - started
    assert kiosk_page.locator("#idle").is_hidden()
    assert kiosk_page.evaluate(LEFT_BEHIND)["queued"] == 0
    kiosk_page.locator("#start").click()  # the next citizen
    assert kiosk_page.evaluate(CLEAN_SCREEN) == {
        "checked": 0, "chosen": 0, "typed": 0, "steps": 1, "firstStep": True, "saved": False,
        "errors": 0}
    assert kiosk_page.locator("#item-rating").is_visible()
    shot(kiosk_page, "1024-next-citizen")
    assert len(responses(live)) == len(before) + 1  # nothing more was sent
    print(f"stored {stored_after:.2f} s after the tap; attract screen after {reset_after:.2f} s")


def test_the_idle_timeout_keeps_what_was_answered_and_clears_the_screen(kiosk_page, live):
    before = len(responses(live))
    kiosk_page.goto(live.kiosk_path)
    entries = kiosk_page.evaluate("history.length")
    kiosk_page.locator("#start").click()
    face(kiosk_page, 1).click()
    kiosk_page.locator("#item-reason").wait_for(state="visible")
    kiosk_page.locator('#item-reason input[value="long_wait"]').locator("..").click()
    kiosk_page.locator("#idle").wait_for(state="visible", timeout=12000)
    assert kiosk_page.locator("#countdown").inner_text() in {"1", "2"}
    kiosk_page.locator("#attract").wait_for(state="visible", timeout=12000)
    assert kiosk_page.locator("#idle").is_hidden()
    assert wait_until(lambda: kiosk_page.evaluate(LEFT_BEHIND)["queued"] == 0)
    left = kiosk_page.evaluate(LEFT_BEHIND)
    assert left["checked"] == 0 and left["history"] == entries
    stored = responses(live)
    assert len(stored) == before + 1  # the reason amended the response of the first tap
    assert stored[-1]["answers"] == {"rating": 1, "reason": "long_wait"}


def test_a_follow_up_amends_the_same_response(kiosk_page, live):
    before = len(responses(live))
    kiosk_page.clock.install()
    kiosk_page.goto(live.kiosk_path)
    kiosk_page.locator("#start").click()
    face(kiosk_page, 1).click()
    kiosk_page.locator("#item-reason").wait_for(state="visible")
    assert wait_until(lambda: len(responses(live)) == before + 1, timeout=10)
    first_id = responses(live)[-1]["id"]
    kiosk_page.locator('#item-reason input[value="staff_attitude"]').locator("..").click()
    kiosk_page.locator("#item-comment").wait_for(state="visible")
    kiosk_page.locator("#item-comment textarea").fill("Cán bộ không hướng dẫn")
    shot(kiosk_page, "1024-comment")
    kiosk_page.locator("#next").click()
    kiosk_page.locator("#send").wait_for(state="visible")
    shot(kiosk_page, "1024-send")
    past_the_press_guard(kiosk_page)
    kiosk_page.locator("#send").click()
    kiosk_page.locator("#thanks").wait_for(state="visible")
    shot(kiosk_page, "1024-thanks")
    want = {"rating": 1, "reason": "staff_attitude", "comment": "Cán bộ không hướng dẫn"}
    assert wait_until(lambda: responses(live)[-1]["answers"] == want, timeout=10), \
        responses(live)[-1]
    stored = responses(live)
    assert len(stored) == before + 1 and stored[-1]["id"] == first_id
    with live.app.app_context():
        from survey.services import aggregates

        assert aggregates.differences() == []
        db.session.remove()


EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\U0001F000-\U0001F2FF]")


def test_faces_are_svg_with_a_text_label_and_no_emoji(kiosk_page, live):
    kiosk_page.goto(live.kiosk_path)
    kiosk_page.locator("#start").click()
    html = kiosk_page.content()
    assert not EMOJI.search(html), EMOJI.findall(html)
    faces = kiosk_page.locator("#item-rating .opt")
    assert faces.count() == 3
    for i in range(3):
        option = faces.nth(i)
        assert option.locator("svg.face-svg").count() == 1
        box = option.locator("svg").bounding_box()
        assert box["width"] >= 100 and box["height"] >= 100
        assert option.locator(".opt-text").inner_text().strip()
    fills = kiosk_page.eval_on_selector_all(
        "#item-rating svg circle[r='46']", "cs => cs.map(c => c.getAttribute('fill'))")
    assert len(set(fills)) == 3  # each face its own colour


def violations(page) -> list[str]:
    """axe-core's violations of any impact (skipped when the dev extra is missing)."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = axe.Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {len(v['nodes'])} node(s)"
            for v in results.response["violations"]]


def box(page, selector: str) -> dict:
    found = page.locator(selector).bounding_box()
    assert found is not None, selector
    return found


def assert_lower(found: dict, height: int, share: float = 0.4) -> None:
    """Entirely on screen, and starting below the top `share` of it (within reach)."""
    assert found["y"] >= share * height, found
    assert found["y"] + found["height"] <= height + 0.5, found


@pytest.mark.parametrize("width,height", [(1080, 1920), (1920, 1080)],
                         ids=["portrait", "landscape"])
def test_the_layout_fills_the_screen_with_large_targets_within_reach(browser, live, width,
                                                                     height):
    context = browser.new_context(viewport={"width": width, "height": height},
                                  base_url=live.url, has_touch=True)
    page = context.new_page()
    name = "portrait" if height > width else "landscape"
    portrait = height > width
    try:
        page.clock.install()
        page.goto(live.kiosk_path)
        shot(page, f"{name}-attract")
        assert violations(page) == [], "attract"
        start = box(page, "#start")
        assert start["height"] >= 90 and start["width"] >= 0.5 * min(width, 1100)
        for i in range(page.locator(".lang a").count()):
            link = page.locator(".lang a").nth(i).bounding_box()
            assert link["height"] >= 90
            if portrait:
                assert_lower(link, height)
        if portrait:
            assert_lower(start, height)
        page.locator("#start").click()
        page.locator("#item-rating").wait_for(state="visible")
        shot(page, f"{name}-faces")
        assert violations(page) == [], "faces"
        faces = [page.locator("#item-rating .opt").nth(i).bounding_box() for i in range(3)]
        for found in faces:
            assert found["width"] >= 90 and found["height"] >= 150, found
            assert found["y"] + found["height"] <= height
            if portrait:
                assert_lower(found, height, 0.5)
        # The faces use the screen: together at least half its width.
        assert sum(f["width"] for f in faces) >= 0.5 * width
        page.locator("#item-rating .opt").nth(0).tap()
        page.locator("#item-reason").wait_for(state="visible")
        shot(page, f"{name}-reason")
        assert violations(page) == [], "reason"
        reasons = page.locator("#item-reason .opt")
        for i in range(reasons.count()):
            found = reasons.nth(i).bounding_box()
            assert found["height"] >= 90
            if portrait:
                assert_lower(found, height)
        for control in ("#back", "#next"):
            found = box(page, control)
            assert found["height"] >= 90 and found["width"] >= 90
            if portrait:
                assert_lower(found, height)
        past_the_press_guard(page)
        page.locator("#next").tap()
        page.locator("#item-comment").wait_for(state="visible")
        past_the_press_guard(page)
        page.locator("#next").tap()
        page.locator("#send").wait_for(state="visible")
        # the press feedback (a scaled control) ends before measuring
        expect(page.locator(".pressed, .ignored")).to_have_count(0)
        shot(page, f"{name}-send")
        assert violations(page) == [], "send"
        send, back = box(page, "#send"), box(page, "#back")
        assert send["width"] >= back["width"] - 0.5 and send["height"] >= back["height"]
        if portrait:
            assert_lower(send, height)
            assert_lower(back, height)
        print(f"{name}: start {start}, faces {faces}, send {send}, back {back}")
    finally:
        context.close()


def test_every_press_shows_and_an_ignored_press_shakes(kiosk_page, live):
    kiosk_page.goto(live.kiosk_path)
    kiosk_page.locator("#start").click()
    target = face(kiosk_page, 1)
    box_ = target.bounding_box()
    x, y = box_["x"] + box_["width"] / 2, box_["y"] + box_["height"] / 2
    kiosk_page.mouse.move(x, y)
    kiosk_page.mouse.down()
    assert "pressed" in target.get_attribute("class")
    kiosk_page.mouse.up()
    kiosk_page.mouse.down()  # far within the guard's interval: ignored
    assert "ignored" in target.get_attribute("class")
    shot(kiosk_page, "1024-ignored-press")
    kiosk_page.mouse.up()


def test_repeated_presses_are_ignored_and_counted(kiosk_page, live):
    with live.app.app_context():
        counted = db.session.execute(db.select(Kiosk.ignored_presses)).scalar_one()
        db.session.remove()
    kiosk_page.goto(live.kiosk_path)
    kiosk_page.locator("#start").click()
    face(kiosk_page, 3).dblclick()
    kiosk_page.locator("#attract").wait_for(state="visible", timeout=12000)
    # The second press came after the first answer was queued: it is reported with the next.
    rate(kiosk_page, 2)

    def ignored():
        with live.app.app_context():
            value = db.session.execute(db.select(Kiosk.ignored_presses)).scalar_one()
            db.session.remove()
        return value

    assert wait_until(lambda: ignored() > counted)


def test_offline_answers_wait_and_are_each_stored_exactly_once(kiosk_page, live):
    before = live.count_responses()
    kiosk_page.clock.install()
    kiosk_page.goto(live.kiosk_path)
    kiosk_page.context.set_offline(True)
    for value in (1, 2, 3):
        kiosk_page.locator("#attract").wait_for(state="visible", timeout=12000)
        if value == 1:
            kiosk_page.locator("#start").click()
            face(kiosk_page, 1).click()
            kiosk_page.locator("#item-reason").wait_for(state="visible")
            past_the_press_guard(kiosk_page)
            kiosk_page.locator("#next").click()  # the reason is optional
            kiosk_page.locator("#item-comment").wait_for(state="visible")
            past_the_press_guard(kiosk_page)
            kiosk_page.locator("#next").click()
            kiosk_page.locator("#send").wait_for(state="visible")
            past_the_press_guard(kiosk_page)
            kiosk_page.locator("#send").click()
        else:
            rate(kiosk_page, value)
    kiosk_page.locator("#attract").wait_for(state="visible", timeout=12000)
    note = kiosk_page.locator("#queue")
    assert wait_until(lambda: note.inner_text().endswith(": 3"), timeout=5), (
        note.inner_text(), live.count_responses() - before)
    assert note.is_visible()
    assert live.count_responses() == before
    kiosk_page.context.set_offline(False)
    assert wait_until(lambda: live.count_responses() == before + 3, timeout=30)
    # Hidden only once a flush round has ended with the outbox empty: every send has had its
    # answer, and nothing is left to send twice.
    note.wait_for(state="hidden", timeout=10000)
    assert kiosk_page.evaluate(LEFT_BEHIND)["queued"] == 0
    assert live.count_responses() == before + 3


SPOIL_FIRST = """async () => {
  const db = await new Promise((ok) => {
    const r = indexedDB.open("hailong-kiosk"); r.onsuccess = () => ok(r.result); });
  const all = await new Promise((ok) => {
    const r = db.transaction("outbox").objectStore("outbox").getAll();
    r.onsuccess = () => ok(r.result); });
  all.sort((a, b) => a.id < b.id ? -1 : 1);
  const spoiled = Object.assign({}, all[0], {answers: {rating: 7}});
  await new Promise((ok) => {
    const tx = db.transaction("outbox", "readwrite");
    tx.objectStore("outbox").put(spoiled); tx.oncomplete = ok; });
  db.close();
  return spoiled.id;
}"""

REFUSED = """async () => {
  const db = await new Promise((ok) => {
    const r = indexedDB.open("hailong-kiosk"); r.onsuccess = () => ok(r.result); });
  const ids = await new Promise((ok) => {
    const r = db.transaction("refused").objectStore("refused").getAllKeys();
    r.onsuccess = () => ok(r.result); });
  db.close();
  return ids;
}"""


def test_a_refused_answer_is_set_aside_and_the_queue_goes_on(kiosk_page, live):
    """One answer the server refuses (422) must not hold back the answers queued after it."""
    before = live.count_responses()
    kiosk_page.clock.install()
    kiosk_page.goto(live.kiosk_path)
    kiosk_page.context.set_offline(True)
    for value in (3, 2, 3):
        kiosk_page.locator("#attract").wait_for(state="visible", timeout=12000)
        rate(kiosk_page, value)
    kiosk_page.locator("#attract").wait_for(state="visible", timeout=12000)
    note = kiosk_page.locator("#queue")
    assert wait_until(lambda: note.inner_text().endswith(": 3"), timeout=5), note.inner_text()
    spoiled = kiosk_page.evaluate(SPOIL_FIRST)  # sent first: the outbox is read in id order
    kiosk_page.context.set_offline(False)
    assert wait_until(lambda: live.count_responses() == before + 2, timeout=30)
    assert wait_until(lambda: kiosk_page.evaluate(REFUSED) == [spoiled], timeout=10)
    assert wait_until(lambda: "1" in note.inner_text() and note.is_visible(), timeout=20)
