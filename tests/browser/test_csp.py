"""The Content-Security-Policy, enforced by real Chromium, breaks none of the staff pages.

The citizen pages (phone, kiosk), the dashboard and the designer are driven by their own browser
tests; run them with `-p tests.browser.csp_watch` to fail on any violation there too.
"""

from __future__ import annotations

import pytest

from survey.extensions import db
from survey.services.accounts import create_user
from tests.browser.csp_watch import PROBE, is_violation, watch
from tests.design.helpers import PASSWORD

pytestmark = pytest.mark.browser

SERVICE_WORKER_READY = """() => Promise.race([
  navigator.serviceWorker.ready.then(() => "ready"),
  new Promise((done) => setTimeout(() => done("not registered within 10 s"), 10000))])"""


@pytest.fixture(scope="module")
def staff(live):
    with live.app.app_context():
        create_user("boss", PASSWORD, "admin")
        db.session.commit()
        db.session.remove()
    return live


@pytest.fixture
def office(browser, staff):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=staff.url)
    page = context.new_page()
    yield page
    context.close()


def log_in(page) -> None:
    page.goto("/auth/login")
    page.fill("#username", "boss")
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/")


def test_the_policy_blocks_an_injected_inline_script(office):
    violations = watch(office)
    office.goto(f"/auth/login?{PROBE}=1")
    # Chromium reports the blocked script on the console: wait for that report.
    with office.expect_console_message(is_violation):
        office.evaluate("""() => { const s = document.createElement("script");
            s.textContent = "window.injected = true"; document.body.append(s); }""")
    assert office.evaluate("window.injected === undefined")
    assert violations and "script-src" in violations[0]


def test_staff_pages_show_without_a_violation(office, staff):
    violations = watch(office)
    log_in(office)
    for url in ("/security/anomalies", "/admin/units", "/admin/users", "/admin/desks",
                "/admin/audit", "/kiosks", "/posters/HN-X01/MC1", "/design/", "/auth/password"):
        response = office.goto(url)
        assert response.status == 200, url
    # the receipt code page: its Print button works without an inline handler
    office.goto("/dossier-tokens/new")
    office.fill("#dossier_code", "HS-0001")
    office.locator("form button[type=submit]").last.click()
    office.locator("[data-print]").wait_for()
    office.evaluate("window.print = () => { window.printed = true; }")
    office.locator("[data-print]").click()
    assert office.evaluate("window.printed === true")
    assert violations == []


def test_citizen_pages_show_without_a_violation(office, staff):
    violations = watch(office)
    office.goto(staff.qr_path)
    office.locator("form").first.wait_for()
    office.goto(staff.kiosk_path)
    office.locator("#start").wait_for()
    # The kiosk registers its service worker: wait until it is active (a worker-src or
    # connect-src refusal would leave it unregistered, and this would time out).
    assert office.evaluate(SERVICE_WORKER_READY) == "ready"
    assert violations == []
