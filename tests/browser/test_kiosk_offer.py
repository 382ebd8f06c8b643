"""The JavaScript kiosk's thank-you screen after a dissatisfied tap (#23): in Vietnamese, what
happens next and a QR code to scan with one's own phone (decoded here from a screenshot of the
screen, as a phone's camera would, to the /f/ link that opens the contact form); for a limited
time, then the screen resets with nothing left of it. A satisfied tap never shows it.

Screenshots are saved under tests/browser/screenshots/ like the other kiosk tests.
"""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import KIOSK_CONFIG, past_the_press_guard
from tests.browser.test_kiosk import face, rate, responses, shot, wait_until

zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp is a dev extra (decodes QR)")
Image = pytest.importorskip("PIL.Image")

# Whether the offer was ever on screen, whatever the timers did meanwhile.
WATCH_OFFER = """() => {
  window.offerShown = false;
  const box = document.getElementById("offer");
  new MutationObserver(() => { if (!box.hidden) window.offerShown = true; })
    .observe(box, {attributes: true, attributeFilter: ["hidden"]});
}"""


def first_tap_answered(page, value: int = 1) -> None:
    """Tap a face and wait until the server's answer to it has reached the page (the kiosk
    reads the offer from it): a loaded machine must not let the short test thank-you screen
    (KIOSK_THANKS_SECONDS = 1) run out before the answer arrives."""
    with page.expect_response(lambda r: r.url.endswith("/api/v1/responses")
                              and r.request.method == "POST") as answer:
        face(page, value).click()
    assert answer.value.status == 201


def decoded(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png)).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image)
            if r.format == zxingcpp.BarcodeFormat.QRCode]


def test_a_dissatisfied_tap_shows_what_happens_next_and_a_qr_code(kiosk_page, live):
    before = len(responses(live))
    kiosk_page.clock.install()
    kiosk_page.goto(live.kiosk_path)
    kiosk_page.locator("#start").click()
    first_tap_answered(kiosk_page)
    kiosk_page.locator("#item-reason").wait_for(state="visible")
    assert wait_until(lambda: len(responses(live)) == before + 1, timeout=10)
    kiosk_page.locator('#item-reason input[value="long_wait"]').locator("..").click()
    kiosk_page.locator("#item-comment").wait_for(state="visible")
    kiosk_page.locator("#next").click()
    kiosk_page.locator("#send").wait_for(state="visible")
    past_the_press_guard(kiosk_page)
    kiosk_page.locator("#send").click()
    kiosk_page.locator("#thanks").wait_for(state="visible")
    offer = kiosk_page.locator("#offer")
    expect(offer).to_be_visible(timeout=5000)
    expect(offer).to_contain_text("Điều gì tiếp theo")
    expect(offer).to_contain_text("ngày làm việc")
    expect(offer).to_contain_text("Quét mã bằng điện thoại")
    expect(kiosk_page.locator("#done")).to_have_text("Xong")
    # The amend (the reason) reached the server, and the screen still offers the case.
    assert wait_until(lambda: responses(live)[-1]["answers"].get("reason") == "long_wait")
    shot(kiosk_page, "1024-offer-vi")
    links = decoded(kiosk_page.locator("#offer-qr svg").screenshot())
    # A portrait kiosk too: the code whole on screen and big enough to scan from arm's length.
    for width, height in ((1024, 768), (768, 1024)):
        kiosk_page.set_viewport_size({"width": width, "height": height})
        box = kiosk_page.locator("#offer-qr svg").bounding_box()
        assert box["width"] >= 180 and box["x"] >= 0 and box["y"] >= 0
        assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, box
        assert kiosk_page.locator("#done").bounding_box()["y"] < height
    shot(kiosk_page, "768-offer-vi")
    assert len(links) == 1 and links[0].startswith(live.url + "/f/"), links
    # Nothing personal on the kiosk: no field to type in, no answer echoed.
    assert offer.locator("input, textarea").count() == 0
    assert "long_wait" not in offer.inner_html()
    # The link opens the contact form, on a phone.
    form = kiosk_page.context.request.get(links[0])
    assert form.status == 200 and 'name="address"' in form.text()
    # Then the screen resets as ever (KIOSK_IDLE + COUNTDOWN seconds here) and forgets it.
    kiosk_page.locator("#attract").wait_for(
        state="visible",
        timeout=(KIOSK_CONFIG["KIOSK_IDLE_SECONDS"] + KIOSK_CONFIG["KIOSK_COUNTDOWN_SECONDS"]
                 + 10) * 1000)
    assert kiosk_page.locator("#offer").is_hidden()
    assert kiosk_page.locator("#offer-qr").inner_html() == ""


def dissatisfied_without_follow_up(page, online: bool = True) -> None:
    """One face, "Không hài lòng", then past the optional reason and comment to "send"."""
    page.locator("#start").click()
    if online:
        first_tap_answered(page)
    else:
        face(page, 1).click()
    page.locator("#item-reason").wait_for(state="visible")
    past_the_press_guard(page)
    page.locator("#next").click()
    page.locator("#item-comment").wait_for(state="visible")
    past_the_press_guard(page)
    page.locator("#next").click()
    page.locator("#send").wait_for(state="visible")
    past_the_press_guard(page)
    page.locator("#send").click()
    page.locator("#thanks").wait_for(state="visible")


def test_in_english_when_the_kiosk_is_switched(kiosk_page, live):
    before = len(responses(live))
    kiosk_page.clock.install()
    kiosk_page.goto(live.kiosk_path + "?lang=en")
    dissatisfied_without_follow_up(kiosk_page)
    offer = kiosk_page.locator("#offer")
    expect(offer).to_be_visible(timeout=5000)
    expect(offer).to_contain_text("What happens next")
    expect(offer).to_contain_text("working days")
    expect(offer).to_contain_text("Scan with your phone to leave a way to reach you (optional)")
    expect(kiosk_page.locator("#done")).to_have_text("Finish")
    assert len(responses(live)) == before + 1
    shot(kiosk_page, "1024-offer-en")
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    found = axe.Axe().run(kiosk_page).response["violations"]
    assert [v["id"] for v in found if v["impact"] in ("serious", "critical")] == []


def test_an_answer_queued_offline_is_offered_nothing(kiosk_page, live):
    """No server answer, no offer: the screen says nothing it cannot keep, and the answer
    sent later, when the citizen is gone, brings nothing onto the next citizen's screen."""
    before = len(responses(live))
    kiosk_page.clock.install()
    kiosk_page.goto(live.kiosk_path)
    kiosk_page.evaluate(WATCH_OFFER)
    kiosk_page.context.set_offline(True)
    dissatisfied_without_follow_up(kiosk_page, online=False)
    shot(kiosk_page, "1024-thanks-offline")
    kiosk_page.locator("#attract").wait_for(state="visible", timeout=12000)
    assert len(responses(live)) == before
    kiosk_page.context.set_offline(False)
    assert wait_until(lambda: len(responses(live)) == before + 1, timeout=30)
    kiosk_page.locator("#queue").wait_for(state="hidden", timeout=10000)  # answered
    assert kiosk_page.evaluate("window.offerShown") is False
    kiosk_page.locator("#start").click()  # the next citizen's screen has none either
    assert kiosk_page.locator("#offer").is_hidden()


def test_finish_ends_the_offer_at_once(kiosk_page, live):
    before = len(responses(live))
    kiosk_page.clock.install()
    kiosk_page.goto(live.kiosk_path)
    kiosk_page.locator("#start").click()
    first_tap_answered(kiosk_page)
    kiosk_page.locator("#item-reason").wait_for(state="visible")
    assert wait_until(lambda: len(responses(live)) == before + 1, timeout=10)
    # Straight on, skipping the optional reason and comment: the first tap's answer carries
    # the offer, and nothing new is sent.
    past_the_press_guard(kiosk_page)
    kiosk_page.locator("#next").click()
    kiosk_page.locator("#item-comment").wait_for(state="visible")
    past_the_press_guard(kiosk_page)
    kiosk_page.locator("#next").click()
    kiosk_page.locator("#send").wait_for(state="visible")
    past_the_press_guard(kiosk_page)
    kiosk_page.locator("#send").click()
    expect(kiosk_page.locator("#offer")).to_be_visible(timeout=5000)
    kiosk_page.locator("#done").click()
    kiosk_page.locator("#attract").wait_for(state="visible", timeout=3000)
    assert kiosk_page.locator("#offer").is_hidden()


def test_a_satisfied_tap_shows_no_offer(kiosk_page, live):
    before = len(responses(live))
    kiosk_page.goto(live.kiosk_path)
    kiosk_page.evaluate(WATCH_OFFER)
    rate(kiosk_page, 3)
    shot(kiosk_page, "1024-thanks-satisfied")
    assert wait_until(lambda: len(responses(live)) == before + 1, timeout=10)
    # The server has answered (the outbox is empty) and the short thank-you has run out.
    kiosk_page.locator("#attract").wait_for(state="visible", timeout=12000)
    assert kiosk_page.evaluate("window.offerShown") is False
    assert kiosk_page.locator("#offer-qr").inner_html() == ""
