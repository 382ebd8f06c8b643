"""axe-core (bundled by axe-playwright-python, no network) finds no serious violations."""

from __future__ import annotations

import pytest

axe_module = pytest.importorskip("axe_playwright_python.sync_playwright",
                                 reason="axe-playwright-python is not installed (dev extra)")


def serious(page) -> list[str]:
    results = axe_module.Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} node(s))"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_phone_pages_have_no_serious_violations(phone, live):
    phone.goto(live.qr_path)
    assert serious(phone) == []
    phone.locator("button[value=next]").click()  # nothing answered: every item shows an error
    phone.wait_for_load_state()
    assert phone.locator(".q.has-error").count() > 0
    assert serious(phone) == []
    phone.goto("/s/forged.context")
    assert serious(phone) == []


def test_kiosk_screens_have_no_serious_violations(kiosk_page, live):
    kiosk_page.goto(live.kiosk_path)
    assert serious(kiosk_page) == []
    kiosk_page.locator("#start").click()
    assert kiosk_page.locator("#item-rating").is_visible()
    assert serious(kiosk_page) == []


def test_the_check_itself_catches_an_unlabelled_radio(kiosk_page):
    kiosk_page.set_content('<html lang="vi"><body><main><input type="radio" name="x">'
                           '<p style="color:#bbb">mờ</p></main></body></html>')
    assert serious(kiosk_page)
