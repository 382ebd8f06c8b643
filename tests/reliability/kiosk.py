"""Driving the kiosk page in Chromium: its outbox in IndexedDB, and answers given quickly."""

from __future__ import annotations

import time

from survey.extensions import db
from tests.reliability.results import Row

# The ids waiting in the kiosk's outbox (IndexedDB "hailong-kiosk", store "outbox"). Opened at
# whatever version kiosk.js made it (which adds stores as it grows), after the page opened it.
QUEUED_IDS = """async () => {
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open("hailong-kiosk");
    r.onupgradeneeded = () => r.result.createObjectStore("outbox", {keyPath: "id"});
    r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error); });
  const keys = await new Promise((ok) => {
    const r = db.transaction("outbox").objectStore("outbox").getAllKeys();
    r.onsuccess = () => ok(r.result); });
  db.close();
  return keys;
}"""

# Answer through the kiosk form's own submit handler (kiosk.js builds the entry, gives it its
# id and puts it in the outbox) without the screens in between: a rating, then submit.
ANSWER_QUICKLY = """async (n) => {
  const form = document.getElementById("kiosk-form");
  for (let i = 0; i < n; i++) {
    form.querySelector(`#item-rating input[value="${1 + i % 3}"]`).checked = true;
    form.requestSubmit();
    await new Promise((ok) => setTimeout(ok, 0));
  }
}"""


def queued_ids(page) -> list[str]:
    return page.evaluate(QUEUED_IDS)


def wait_until(check, timeout: float = 30.0, page=None) -> bool:
    """Poll `check`; with a `page`, wait through Playwright, which meanwhile delivers the
    page's events to their listeners (a plain sleep would hold them back)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        if page is None:
            time.sleep(0.2)
        else:
            page.wait_for_timeout(200)
    return check()


def press(page, value: int, interval_ms: int) -> None:
    """A citizen's answer by touch: start, then a face (2 or 3: no reason asked), which is
    the answer: kiosk.js queues it at once and thanks the citizen.

    Touches closer than the kiosk's press interval are ignored as double taps (the touch
    before "start" was the previous citizen's face), so each waits that long.
    """
    page.locator("#attract").wait_for(state="visible", timeout=10000)
    page.wait_for_timeout(interval_ms + 50)
    page.locator("#start").click()
    page.wait_for_timeout(interval_ms + 50)
    page.locator(f'#item-rating input[value="{value}"]').locator("..").click()
    page.locator("#kiosk-form").wait_for(state="hidden", timeout=10000)  # queued: thanks


def stored_ids(app, dispose: bool = False) -> list[str]:
    """Every stored response id, repeated as often as it is stored."""
    from survey.models import Response

    with app.app_context():
        ids = db.session.execute(db.select(Response.uuid)).scalars().all()
        db.session.remove()
        if dispose:  # an app made only to look: close its connections now
            db.engine.dispose()
    return [str(i) for i in ids]


def judge(results: list[Row], scenario: str, database: str, waiting: set[str],
          stored: list[str], seconds: float, statuses: list[int], note: str) -> list[str]:
    """Record the kiosk's row of the results table; the problems found (empty: held).

    "acknowledged" is what the kiosk took from citizens (its thank-you screen), kept in its
    outbox until the server stored it.
    """
    found = []
    if lost := waiting - set(stored):
        found.append(f"{len(lost)} queued answer(s) not stored")
    if extra := set(stored) - waiting:
        found.append(f"{len(extra)} stored response(s) the kiosk never queued")
    if duplicates := len(stored) - len(set(stored)):
        found.append(f"{duplicates} answer(s) stored twice")
    errors = sum(1 for status in statuses if status >= 500 and status != 503)
    if errors:
        found.append(f"{errors} 5xx other than 503")
    results.append(Row(scenario, database, 1, round(seconds, 1), len(waiting), len(stored),
                       duplicates, errors, statuses.count(503), 0,
                       round(len(set(stored)) / seconds, 1) if seconds else 0.0, None, None,
                       note, found))
    return found
