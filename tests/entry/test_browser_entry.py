"""In a real browser: a clerk uploads paper questionnaires, watches the progress bar of the
background job move, and reads the summary; a bad file lists its problems in Vietnamese.
Screenshots go to tests/browser/screenshots/ (not committed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.extensions import db
from survey.models import Response
from survey.services.accounts import create_user
from tests.browser import test_accessibility as a11y  # a module: its tests stay there
from tests.browser.conftest import launched_chromium
from tests.design.helpers import PASSWORD
from tests.live_server import start

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).parents[1] / "browser" / "screenshots"
ROWS = 25_000  # a few seconds of work: the bar is seen between 0 and 100


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder = tmp_path_factory.mktemp("entry")
    server = start(folder, JOBS_INLINE_MAX_BYTES=0, JOBS_DIR=str(folder / "jobs"))
    live = next(server)
    with live.app.app_context():
        create_user("clerk", PASSWORD, "data_entry")
        db.session.commit()
        db.session.remove()
    yield live
    jobs = live.app.extensions.get("hailong_jobs")
    if jobs is not None and jobs.consumer is not None:
        jobs.consumer.stop()
    next(server, None)


@pytest.fixture
def clerk(browser, live):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live.url,
                                  locale="vi-VN")
    page = context.new_page()
    page.goto("/auth/login")
    page.fill("#username", "clerk")
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    yield page
    context.close()


def paper(path: Path, rows: int, bad_row: int | None = None) -> Path:
    lines = ["submitted_at,rating,reason,comment"]
    for i in range(rows):
        lines.append(f"{1 + i % 28:02d}/{1 + i % 12:02d}/2025,{2 + i % 2},,")
    if bad_row is not None:
        lines[bad_row - 1] = "30/02/2025,3,,"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def choose_and_upload(page, file: Path) -> None:
    page.goto("/")
    page.get_by_role("link", name="Phiếu giấy").click()  # the role's menu leads here
    page.wait_for_url("**/entry/")
    assert a11y.serious(page) == []
    page.select_option("#questionnaire", "dossier_rating")
    page.select_option("#unit", "HN-X01")
    page.set_input_files("#file", str(file))
    page.get_by_role("button", name="Tải lên và nhập phiếu").click()


def test_a_large_upload_shows_its_progress_then_the_summary(clerk, live, tmp_path):
    SHOTS.mkdir(exist_ok=True)
    choose_and_upload(clerk, paper(tmp_path / "phieu.csv", ROWS))
    clerk.wait_for_url("**/entry/jobs/*")
    bar = clerk.locator("#job-bar")
    # every value the bar takes, recorded in the page as the status polls move it
    clerk.evaluate("""() => {
        const bar = document.getElementById('job-bar');
        window.seen = [bar.value];
        new MutationObserver(() => window.seen.push(bar.value))
            .observe(bar, {childList: true, characterData: true, subtree: true});
    }""")
    bar.wait_for(state="visible")
    clerk.wait_for_function("() => window.seen.some(v => v > 0 && v < 100)", timeout=60_000)
    clerk.screenshot(path=str(SHOTS / "entry-progress.png"))
    clerk.locator("#job-summary").wait_for(timeout=120_000)  # after the reload
    summary = clerk.locator("#job-summary").inner_text()
    assert f"phieu.csv: {ROWS} phiếu đã được lưu, 0 phiếu đã có từ trước." == summary
    clerk.screenshot(path=str(SHOTS / "entry-done.png"), full_page=True)
    assert a11y.serious(clerk) == []  # (not while it runs: the page reloads when done)
    assert live.count_responses() == ROWS


def test_a_bad_file_lists_its_problems_in_vietnamese_and_stores_nothing(clerk, live,
                                                                       tmp_path):
    before = live.count_responses()
    choose_and_upload(clerk, paper(tmp_path / "sai.csv", 3_000, bad_row=1_500))
    clerk.locator("#job-problems").wait_for(timeout=120_000)
    cells = clerk.locator("#job-problems tbody tr").first.locator("td").all_inner_texts()
    assert cells[:3] == ["sai.csv", "1500", "submitted_at"]
    assert "tháng 2 năm 2025 không có ngày 30" in cells[3]
    assert clerk.locator("h1").inner_text() == "Không dòng nào được nhập"
    clerk.screenshot(path=str(SHOTS / "entry-rejected.png"), full_page=True)
    assert a11y.serious(clerk) == []
    with live.app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Response)).scalar() \
            == before
        db.session.remove()
