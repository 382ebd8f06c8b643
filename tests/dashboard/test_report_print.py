"""The HTML report printed from Chromium: the document alone on A4 (no site menu, user name
or skip link), its charts drawn; the print and a screenshot are kept as artifacts."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.services.periods import last_complete_year
from tests.browser.conftest import launched_chromium
from tests.dashboard.conftest import serve, sign_in
from tests.dashboard.report_readers import Pdf, keep

pytestmark = [pytest.mark.browser, pytest.mark.slow]
YEAR = last_complete_year()


@pytest.fixture(scope="module")
def server(demo):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no /usr/bin/chromium")
    yield from serve(demo[0])


@pytest.fixture(scope="module")
def page(server):
    for browser in launched_chromium():
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        tab = context.new_page()
        sign_in(tab, server, lang="vi")
        tab.goto(server + f"/dashboard/report?year={YEAR}&lang=vi")
        yield tab
        context.close()


def test_the_screen_shows_sentences_charts_and_downloads(page):
    assert page.locator("#download-docx").is_visible() and page.locator("#download-pdf")
    assert page.locator("p.sentence").count() >= 2
    widths = page.eval_on_selector_all(".report-chart img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 2 and all(w > 0 for w in widths)


def test_print_is_the_document_alone_on_a4(page):
    page.emulate_media(media="print")
    for hidden in ("header.top", "a.skip", ".dash-tabs", "form.filters"):
        assert not page.locator(hidden).first.is_visible(), hidden
    visible = page.evaluate("document.body.innerText")
    assert "analyst1" not in visible and "Đăng xuất" not in visible
    screenshot = page.screenshot(full_page=True)
    keep(f"report-page-print-{YEAR}.png", screenshot)
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    keep(f"report-page-print-{YEAR}.pdf", pdf)
    printed = Pdf(pdf)
    # Chromium's PDF splits Vietnamese letters into runs: compare the text without spaces.
    text = "".join(printed.text.split())
    assert "analyst1" not in text and "Bỏqua" not in text and "Đăngxuất" not in text
    assert "Hồsơtiếpnhận" in text and printed.image_xobjects() >= 2
    box = printed.reader.pages[0].mediabox  # A4 is 595 × 842 points
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    # The appendix fits the page's width: nothing is cut at the right margin.
    overflow = page.evaluate("""() => {
        const t = document.getElementById('appendix');
        return t.scrollWidth - t.parentElement.clientWidth; }""")
    assert overflow <= 1
    page.emulate_media(media="screen")
