"""The offline kiosk in real Chromium: a long time offline, and a server that answers 503.

A kiosk that was offline for hours has hundreds of answers in its outbox; when the network
returns it sends them all, and each is stored exactly once. A kiosk whose server answers 503
(its disk is full, its database down) keeps its answers until the server is back, keeps working
from its service worker's copy of the page, and then delivers everything exactly once.
"""

from __future__ import annotations

import time

import pytest

from tests import live_server
from tests.browser.conftest import KIOSK_CONFIG, launched_chromium
from tests.reliability import faults
from tests.reliability.kiosk import (
    ANSWER_QUICKLY,
    judge,
    press,
    queued_ids,
    stored_ids,
    wait_until,
)
from tests.reliability.settings import KIOSK_ANSWERS

pytestmark = pytest.mark.browser

# No thank-you pause: the next citizen can start at once, so that touches go quickly.
FAST_KIOSK = {**KIOSK_CONFIG, "KIOSK_THANKS_SECONDS": 0}
PRESSED = 5  # answers given by touch; the rest through the form's own submit handler
RETRY_MS = 15_000  # kiosk.js sends its outbox again every 15 s


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, as in tests/browser; closed with this module (one Playwright at a
    time, and none left running beside the load scenarios)."""
    yield from launched_chromium()


@pytest.fixture
def kiosk(chromium):
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def live(tmp_path):
    yield from live_server.start(tmp_path, **FAST_KIOSK)


def test_a_kiosk_offline_for_a_long_time_syncs_every_answer_exactly_once(kiosk, live, results):
    """Hundreds of answers queue offline, then all go when the network comes back.

    The first few are given by touch, like a citizen; pressing hundreds that way would take
    minutes (each answer is three touches with the press guard and the auto-advance between),
    so the rest go through the kiosk form's own submit handler in page.evaluate: kiosk.js
    still builds each entry, gives it its id and puts it in the outbox.
    """
    kiosk.goto(live.url + live.kiosk_path)
    kiosk.context.set_offline(True)
    for n in range(PRESSED):
        press(kiosk, 2 + n % 2, FAST_KIOSK["KIOSK_PRESS_INTERVAL_MS"])
    kiosk.evaluate(ANSWER_QUICKLY, KIOSK_ANSWERS - PRESSED)
    assert wait_until(lambda: len(queued_ids(kiosk)) == KIOSK_ANSWERS, timeout=30)
    waiting = set(queued_ids(kiosk))
    assert kiosk.locator("#queue").inner_text().endswith(f": {KIOSK_ANSWERS}")
    assert stored_ids(live.app) == []

    statuses: list[int] = []
    kiosk.context.on("response", lambda r: statuses.append(r.status)
                     if r.url.endswith("/api/v1/responses") else None)
    began = time.monotonic()
    kiosk.context.set_offline(False)  # the "online" event sends the outbox
    synced = wait_until(lambda: queued_ids(kiosk) == [], timeout=180, page=kiosk)
    took = time.monotonic() - began
    kiosk.wait_for_timeout(1000)  # nothing more arrives afterwards
    stored = stored_ids(live.app)
    found = judge(results, f"kiosk offline, {KIOSK_ANSWERS} queued", "SQLite", waiting,
                  stored, took, statuses, f"{PRESSED} answers by touch, the rest through the "
                  "form's submit handler; synced one by one when the network came back")
    assert synced, f"{len(queued_ids(kiosk))} answers still queued"
    assert not found, found
    kiosk.locator("#queue").wait_for(state="hidden", timeout=10000)


@pytest.fixture
def small_disk(tmp_path):
    reason = faults.mount_unavailable_reason(tmp_path)
    if reason:
        pytest.skip(reason)
    with faults.Tmpfs(tmp_path / "disk", megabytes=16) as disk:
        yield disk


@pytest.fixture
def live_on_small_disk(small_disk):
    yield from live_server.start(small_disk.path, **FAST_KIOSK)


def test_a_kiosk_keeps_its_answers_while_the_server_answers_503(kiosk, small_disk,
                                                                 live_on_small_disk, results):
    """The database's disk is full: each send answers 503; the outbox keeps every answer,
    and kiosk.js's own periodic retry delivers them once the disk has room again."""
    live = live_on_small_disk
    kiosk.clock.install()  # the 15 s retry is fast-forwarded, not waited for
    statuses: list[tuple[int, str | None]] = []
    # On the context: once the service worker controls the page, its fetches are reported
    # there rather than on the page.
    kiosk.context.on("response", lambda r: statuses.append(
        (r.status, r.headers.get("retry-after"))) if r.url.endswith("/api/v1/responses")
        else None)
    kiosk.goto(live.url + live.kiosk_path)
    small_disk.fill()
    for n in range(3):
        press(kiosk, 2 + n % 2, FAST_KIOSK["KIOSK_PRESS_INTERVAL_MS"])
    assert wait_until(lambda: len(statuses) >= 3, page=kiosk)
    assert {s for s, _ in statuses} == {503} and {r for _, r in statuses} == {"5"}
    assert wait_until(lambda: len(queued_ids(kiosk)) == 3)
    waiting = set(queued_ids(kiosk))
    assert kiosk.locator("#queue").inner_text().endswith(": 3")
    kiosk.clock.fast_forward(RETRY_MS)  # still full: tried again, kept again
    assert wait_until(lambda: len(statuses) >= 4, page=kiosk)
    assert len(queued_ids(kiosk)) == 3 and stored_ids(live.app) == []

    small_disk.free()
    began = time.monotonic()
    kiosk.clock.fast_forward(RETRY_MS)
    synced = wait_until(lambda: queued_ids(kiosk) == [], page=kiosk)
    took = time.monotonic() - began
    stored = stored_ids(live.app)
    found = judge(results, "kiosk, disk full (503)", "SQLite", waiting, stored, took,
                  [s for s, _ in statuses], "3 answers by touch while the database's disk was "
                  "full; kept through two 503 rounds, sent by the 15 s retry once freed")
    assert synced and not found, found
    assert statuses[-1][0] == 201
    kiosk.locator("#queue").wait_for(state="hidden", timeout=10000)


def test_a_kiosk_reloaded_while_its_database_is_down_runs_from_its_service_worker(
        kiosk, postgres_target, serve, results):
    """PostgreSQL refuses the kiosk's database: the page itself answers 503, so a kiosk that
    reloads (after an English-speaking citizen, or a power cut) shows the copy its service
    worker kept, queues the answers, and delivers them once the database is back."""
    server = serve(postgres_target)
    url = f"http://127.0.0.1:{server.port}/k/{postgres_target.kiosk_tokens[0]}"
    kiosk.clock.install()
    kiosk.goto(url)
    kiosk.evaluate("navigator.serviceWorker.ready.then(() => true)")
    kiosk.reload()  # controlled by the service worker now, which keeps a copy of the page
    assert wait_until(lambda: kiosk.evaluate("caches.match(location.href).then(r => !!r)"),
                      page=kiosk)
    with faults.postgres_refusing(postgres_target.url):
        direct = kiosk.request.get(url)  # not through the service worker
        assert direct.status == 503 and "Hệ thống tạm thời gián đoạn" in direct.text()
        kiosk.reload()
        kiosk.locator("#attract").wait_for(state="visible")
        press(kiosk, 3, interval_ms=700)  # the production default press interval
        kiosk.evaluate(ANSWER_QUICKLY, 1)
        assert wait_until(lambda: len(queued_ids(kiosk)) == 2, page=kiosk), (
            queued_ids(kiosk), kiosk.locator("#queue").inner_text(), server.errors()[-2000:])
        waiting = set(queued_ids(kiosk))
        kiosk.clock.fast_forward(RETRY_MS)  # still down: kept
        kiosk.wait_for_timeout(500)
        assert len(queued_ids(kiosk)) == 2
    began = time.monotonic()
    kiosk.clock.fast_forward(RETRY_MS)
    synced = wait_until(lambda: queued_ids(kiosk) == [], page=kiosk)
    took = time.monotonic() - began
    stored = stored_ids(postgres_target.app(), dispose=True)
    found = judge(results, "kiosk, database down, page reloaded", "PostgreSQL", waiting,
                  stored, took, [503] * len(server.server_times(503)),
                  "the kiosk page answered 503 and came from the service worker's copy; "
                  "2 answers kept, sent by the 15 s retry once the database was back")
    assert synced and not found, found
