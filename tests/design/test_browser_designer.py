"""In a real browser: build a questionnaire with a condition, publish it, put it on a kiosk,
answer it there. Uses the browser fixtures of tests/browser (Debian's Chromium, live server)."""

from __future__ import annotations

import pytest

from survey.extensions import db
from survey.models import Answer, Kiosk, QuestionnaireVersion, Response
from survey.services.accounts import create_user
from tests.browser.conftest import KIOSK_CONFIG, launched_chromium, past_the_press_guard
from tests.browser.test_kiosk import wait_until
from tests.design.helpers import PASSWORD
from tests.live_server import start

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    """Its own Chromium, closed with this module: the package-scoped one of tests/browser,
    imported here, was never closed, and every later Playwright user then failed."""
    yield from launched_chromium()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = start(tmp_path_factory.mktemp("designer"), **KIOSK_CONFIG)
    live = next(server)
    with live.app.app_context():
        create_user("reformer", PASSWORD, "designer")
        db.session.commit()
        db.session.remove()
    yield live
    next(server, None)


@pytest.fixture
def office(browser, live):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live.url)
    page = context.new_page()
    yield page
    context.close()


def add_item(page, item_type: str, code: str, label: str) -> None:
    page.locator("form.add-item select[name=type]").first.select_option(item_type)
    page.locator("form.add-item button").first.click()
    page.fill("#code", code)
    page.fill("#label_vi", label)


def _feedback(live):
    with live.app.app_context():
        stored = db.session.execute(db.select(Answer.value_text).filter_by(
            item_code="feedback")).scalar_one_or_none()
        db.session.remove()
        return stored


def test_design_publish_assign_and_answer_on_a_kiosk(office, browser, live):  # noqa: F811
    office.goto("/auth/login")
    office.fill("#username", "reformer")
    office.fill("#password", PASSWORD)
    office.locator("form button[type=submit]").last.click()
    office.goto("/design/")
    office.fill("#new-code", "desk_feedback")
    office.fill("#new-title_vi", "Góp ý tại quầy")
    office.locator("form[action$='/design/new'] button").click()
    office.wait_for_url("**/design/desk_feedback/")

    # a kiosk questionnaire: a face scale first (the first tap is the answer), then an
    # optional follow-up for the dissatisfied
    add_item(office, "rating3", "rating", "Ông/Bà đánh giá thế nào về việc giải quyết hồ sơ?")
    office.check("#required")
    office.locator("form[data-item-form] button[type=submit]").click()
    office.goto("/design/desk_feedback/")
    add_item(office, "text", "feedback", "Nội dung góp ý")
    # the condition is built from menus: item, operator, value
    office.select_option("#cond_item_0", "rating")
    office.select_option("#cond_op_0", "equals")
    office.fill("#cond_value_0", "1")
    office.locator("form[data-item-form] button[type=submit]").click()
    office.goto("/design/desk_feedback/")
    assert office.locator(".item.has-error").count() == 0

    office.goto("/design/desk_feedback/preview/phone")
    assert office.locator("#item-feedback").is_hidden()
    office.locator('#item-rating input[value="1"]').check()
    assert office.locator("#item-feedback").is_visible()

    office.goto("/design/desk_feedback/")
    office.locator("form[action$='/publish'] button").click()
    assert office.locator("text=Version 1").count() + office.locator("text=Phiên bản 1").count()
    office.select_option("#assign-kiosk", label="HN-X01 · Kiosk 1 (dossier_rating)")
    office.locator("form[action$='/assign'] button").click()
    with live.app.app_context():
        assert db.session.get(Kiosk, 1).questionnaire.code == "desk_feedback"
        db.session.remove()

    kiosk = browser.new_context(viewport={"width": 1024, "height": 768}, base_url=live.url)
    try:
        page = kiosk.new_page()
        page.clock.install()
        page.goto(live.kiosk_path)
        page.locator("#start").click()
        page.locator('#item-rating input[value="1"]').locator("..").click()
        # the tap is stored at once; the follow-up amends it
        page.locator("#item-feedback").wait_for(state="visible")
        page.locator("#item-feedback textarea, #item-feedback input[type=text]").first.fill(
            "Cần thêm ghế chờ")
        page.locator("#next").click()
        page.locator("#send").wait_for(state="visible")
        past_the_press_guard(page)
        page.locator("#send").click()
        page.locator("#thanks").wait_for(state="visible", timeout=5000)
        # the kiosk thanks at once and sends from its outbox in the background: the page must
        # stay open until the amend has arrived (closing it cancels the send)
        assert wait_until(lambda: _feedback(live) == "Cần thêm ghế chờ")
        assert live.count_responses() == 1
    finally:
        kiosk.close()
    with live.app.app_context():
        response = db.session.execute(db.select(Response)).scalar_one()
        version = db.session.get(QuestionnaireVersion, response.version_id)
        assert version.questionnaire.code == "desk_feedback"
        texts = {a.item_code: a.value_text for a in response.answers}
        assert texts.get("feedback") == "Cần thêm ghế chờ"
        db.session.remove()


def test_the_designer_chooses_a_service_area_from_a_select(office, live):
    """The area select lists the database's areas by name; the choice reaches the draft, the
    published version and so the service's trend (tests/design/test_areas_and_revisions)."""
    with live.app.app_context():
        from survey.models import Questionnaire, ServiceArea

        if not db.session.execute(db.select(ServiceArea).filter_by(code="business")).first():
            db.session.add(ServiceArea(code="business", name_vi="Đăng ký kinh doanh",
                                       name_en="Business registration"))
            db.session.commit()
        db.session.remove()
    office.goto("/auth/login")
    office.fill("#username", "reformer")
    office.fill("#password", PASSWORD)
    office.locator("form button[type=submit]").last.click()
    office.goto("/design/")
    office.fill("#new-code", "biz_area")
    office.fill("#new-title_vi", "Phiếu đăng ký kinh doanh")
    office.locator("form[action$='/design/new'] button").click()
    office.wait_for_url("**/design/biz_area/")
    assert office.title().startswith("Phiếu đăng ký kinh doanh")
    select = office.locator("#meta-service_areas")
    # labelled for assistive technology, and offering every area by its name
    assert office.locator("label[for=meta-service_areas]").count() == 1
    names = select.locator("option").all_inner_texts()
    assert "Đăng ký kinh doanh" in names and "Đất đai" in names
    select.select_option(label="Đăng ký kinh doanh")
    office.locator("form[action$='/meta'] button[type=submit]").click()
    office.wait_for_url("**/design/biz_area/")
    selected = office.locator("#meta-service_areas option:checked").all_inner_texts()
    assert selected == ["Đăng ký kinh doanh"]
    assert _serious(office) == []
    with live.app.app_context():
        draft = db.session.execute(db.select(Questionnaire).filter_by(
            code="biz_area")).scalar_one().draft
        assert draft["service_areas"] == ["business"]
        db.session.remove()


def test_a_typo_fix_is_confirmed_as_wording_and_the_diff_shows_old_and_new(office, live):
    """Continues with biz_area: an item, a version, its label corrected, the wording question
    answered in the browser, and the diff read as a user sees it."""
    from pathlib import Path

    shots = Path(__file__).parent.parent / "browser" / "screenshots"
    shots.mkdir(exist_ok=True)
    office.goto("/auth/login")
    office.fill("#username", "reformer")
    office.fill("#password", PASSWORD)
    office.locator("form button[type=submit]").last.click()
    office.goto("/design/biz_area/")
    add_item(office, "likert5", "sat", "Ông/Bà có hài lòg không?")
    office.check("#overall")
    office.locator("form[data-item-form] button[type=submit]").click()
    office.goto("/design/biz_area/")
    office.locator("form[action$='/publish'] button").click()
    office.goto("/design/biz_area/sections/0/items/0")
    office.fill("#label_vi", "Ông/Bà có hài lòng không?")
    office.locator("form[data-item-form] button[type=submit]").click()
    office.goto("/design/biz_area/")
    office.locator("form[action$='/publish'] button").click()
    office.locator("input[name=wording][value=kept]").wait_for(state="attached")
    row = office.locator("#item-sat table.changes tbody tr").first
    assert row.locator("del").inner_text() == "Ông/Bà có hài lòg không?"
    assert row.locator("ins").inner_text() == "Ông/Bà có hài lòng không?"
    office.screenshot(path=str(shots / "designer-wording-question.png"), full_page=True)
    assert _serious(office) == []
    office.locator("form[action$='/publish'] button").click()
    office.wait_for_url("**/design/biz_area/")
    office.goto("/design/biz_area/diff?old=1&new=2")
    assert office.locator("#item-sat .tag.wording").is_visible()
    assert office.locator("#item-sat del").first.inner_text() == "Ông/Bà có hài lòg không?"
    office.screenshot(path=str(shots / "designer-diff.png"), full_page=True)
    assert _serious(office) == []
    with live.app.app_context():
        from survey.models import Questionnaire

        row = db.session.execute(db.select(Questionnaire).filter_by(code="biz_area")
                                 ).scalar_one()
        assert [v.number for v in row.versions] == [1, 2]
        db.session.remove()


def _serious(page) -> list[str]:
    """axe-core's serious and critical violations (the dev extra's axe-playwright-python)."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = axe.Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} node(s))"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
