"""The kiosk: reset after thank-you and after the idle timeout, the press guard, offline queue."""

from __future__ import annotations

import time

from survey.extensions import db
from survey.models import Kiosk

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


def rate(page, value: int) -> None:
    page.locator("#start").click()
    page.locator(f'#item-rating input[value="{value}"]').locator("..").click()
    page.wait_for_timeout(400)  # the auto-advance, and past the press guard
    page.locator(".step.final button[type=submit]").click()


def test_thank_you_then_a_fresh_form_with_nothing_left(kiosk_page, live):
    before = live.count_responses()
    kiosk_page.goto(live.kiosk_path)
    entries = kiosk_page.evaluate("history.length")  # about:blank, then the kiosk
    assert kiosk_page.locator("#attract").is_visible()
    rate(kiosk_page, 3)
    assert kiosk_page.locator("#thanks").is_visible()
    kiosk_page.locator("#attract").wait_for(state="visible", timeout=5000)
    assert wait_until(lambda: live.count_responses() == before + 1)
    assert wait_until(lambda: kiosk_page.evaluate(LEFT_BEHIND)["queued"] == 0)
    assert kiosk_page.evaluate(LEFT_BEHIND) == {"checked": 0, "typed": 0, "local": 0,
                                                 "session": 0, "history": entries,
                                                 "queued": 0}


def test_the_idle_timeout_counts_down_and_discards_the_form(kiosk_page, live):
    before = live.count_responses()
    kiosk_page.goto(live.kiosk_path)
    entries = kiosk_page.evaluate("history.length")
    kiosk_page.locator("#start").click()
    kiosk_page.locator('#item-rating input[value="1"]').locator("..").click()
    kiosk_page.locator("#item-reason").wait_for(state="visible")
    kiosk_page.locator('#item-reason input[value="long_wait"]').locator("..").click()
    kiosk_page.locator("#idle").wait_for(state="visible", timeout=5000)
    assert kiosk_page.locator("#countdown").inner_text() in {"1", "2"}
    kiosk_page.locator("#attract").wait_for(state="visible", timeout=5000)
    assert kiosk_page.locator("#idle").is_hidden()
    left = kiosk_page.evaluate(LEFT_BEHIND)
    assert left["checked"] == 0 and left["queued"] == 0 and left["history"] == entries
    assert live.count_responses() == before


def test_repeated_presses_are_ignored_and_counted(kiosk_page, live):
    with live.app.app_context():
        counted = db.session.execute(db.select(Kiosk.ignored_presses)).scalar_one()
        db.session.remove()
    kiosk_page.goto(live.kiosk_path)
    kiosk_page.locator("#start").click()
    kiosk_page.locator('#item-rating input[value="3"]').locator("..").dblclick()
    kiosk_page.wait_for_timeout(400)
    kiosk_page.locator(".step.final button[type=submit]").click()

    def ignored():
        with live.app.app_context():
            value = db.session.execute(db.select(Kiosk.ignored_presses)).scalar_one()
            db.session.remove()
        return value

    assert wait_until(lambda: ignored() > counted)


def test_offline_answers_wait_and_are_each_stored_exactly_once(kiosk_page, live):
    before = live.count_responses()
    kiosk_page.goto(live.kiosk_path)
    kiosk_page.context.set_offline(True)
    for value in (1, 2, 3):
        kiosk_page.locator("#attract").wait_for(state="visible", timeout=5000)
        if value == 1:
            kiosk_page.locator("#start").click()
            kiosk_page.locator('#item-rating input[value="1"]').locator("..").click()
            kiosk_page.wait_for_timeout(400)
            kiosk_page.locator("#next").click()  # the reason is optional
            kiosk_page.wait_for_timeout(200)  # presses closer than the guard's interval are ignored
            kiosk_page.locator("#next").click()
            kiosk_page.wait_for_timeout(200)
            kiosk_page.locator(".step.final button[type=submit]").click()
        else:
            rate(kiosk_page, value)
    kiosk_page.locator("#attract").wait_for(state="visible", timeout=5000)
    note = kiosk_page.locator("#queue")
    assert wait_until(lambda: note.inner_text().endswith(": 3"), timeout=5), (
        note.inner_text(), live.count_responses() - before)
    assert note.is_visible()
    assert live.count_responses() == before
    kiosk_page.context.set_offline(False)
    assert wait_until(lambda: live.count_responses() == before + 3, timeout=30)
    note.wait_for(state="hidden", timeout=10000)
    time.sleep(1)
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
    kiosk_page.goto(live.kiosk_path)
    kiosk_page.context.set_offline(True)
    for value in (3, 2, 3):
        kiosk_page.locator("#attract").wait_for(state="visible", timeout=5000)
        rate(kiosk_page, value)
    kiosk_page.locator("#attract").wait_for(state="visible", timeout=5000)
    note = kiosk_page.locator("#queue")
    assert wait_until(lambda: note.inner_text().endswith(": 3"), timeout=5), note.inner_text()
    spoiled = kiosk_page.evaluate(SPOIL_FIRST)  # sent first: the outbox is read in id order
    kiosk_page.context.set_offline(False)
    assert wait_until(lambda: live.count_responses() == before + 2, timeout=30)
    assert wait_until(lambda: kiosk_page.evaluate(REFUSED) == [spoiled], timeout=10)
    assert wait_until(lambda: "1" in note.inner_text() and note.is_visible(), timeout=20)
