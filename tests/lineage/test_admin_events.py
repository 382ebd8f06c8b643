"""The admin pages of units' lives: they render in Vietnamese and English, need the admin role
and a CSRF token, record an event from the form (errors beside the field at fault), and list a
bad events file's problems by row and column without recording anything."""

from __future__ import annotations

import io
import re

import pytest

from survey.extensions import db
from survey.models import AuditEntry, UnitEvent
from tests.conftest import csrf_from
from tests.design.helpers import login, staffed_app
from tests.lineage.reform import build, get


@pytest.fixture
def app(tmp_path):
    app = staffed_app(f"sqlite:///{tmp_path / 'admin.db'}")
    with app.app_context():
        build()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def admin(app):
    client = app.test_client()
    login(client, "admin")
    return client


def events() -> int:
    return db.session.execute(db.select(db.func.count(UnitEvent.id))).scalar()


def test_the_pages_render_in_vietnamese_and_english(admin):
    page = admin.get("/admin/unit-events?lang=vi")
    assert page.status_code == 200
    assert "Biến động đơn vị" in page.text and "Nhập sự kiện từ tệp CSV" in page.text
    page = admin.get("/admin/unit-events?lang=en")
    assert "Unit events" in page.text and "Import events from CSV" in page.text
    life = admin.get("/admin/units/A/life?lang=vi")
    assert life.status_code == 200
    assert "Ghi một sự kiện" in life.text and "Sáp nhập" in life.text
    assert "Record an event" in admin.get("/admin/units/A/life?lang=en").text
    assert admin.get("/admin/units/NOPE/life").status_code == 404


@pytest.mark.parametrize("role", ["unit_officer", "analyst", "designer", "data_entry"])
def test_only_an_admin_may_open_or_post(app, role):
    client = app.test_client()
    login(client, role)
    token = csrf_from(client.get("/auth/password").text)
    assert client.get("/admin/unit-events").status_code == 403
    assert client.get("/admin/units/A/life").status_code == 403
    posted = client.post("/admin/units/A/life", data={
        "csrf_token": token, "kind": "merge", "effective": "2025-07-01",
        "decision_number": "N1", "successors": "AB"})
    assert posted.status_code == 403
    with app.app_context():
        assert events() == 0


def test_a_visitor_is_sent_to_the_login(app):
    client = app.test_client()
    page = client.get("/admin/unit-events")
    assert page.status_code == 302 and "/auth/login" in page.headers["Location"]


def test_the_form_records_an_event_and_needs_its_csrf_token(app, admin):
    data = {"kind": "merge", "effective": "2025-07-01", "decision_number": "1656/NQ-UBTVQH15",
            "decision_date": "2025-06-16", "successors": "AB", "note": "theo Nghị quyết"}
    assert admin.post("/admin/units/A/life", data=data).status_code == 400
    token = csrf_from(admin.get("/admin/units/A/life").text)
    done = admin.post("/admin/units/A/life", data={**data, "csrf_token": token})
    assert done.status_code == 302
    page = admin.get("/admin/units/A/life?lang=vi")
    assert "01/07/2025" in page.text and "1656/NQ-UBTVQH15" in page.text
    assert "Đã ghi sự kiện" in page.text
    successor = admin.get("/admin/units/AB/life?lang=vi").text
    assert "Kế thừa từ A" in successor
    audit = admin.get("/admin/audit?lang=vi").text
    assert "đã sáp nhập" in audit
    with app.app_context():
        assert get("A").valid_to.isoformat() == "2025-07-01"
        entry = db.session.execute(db.select(AuditEntry).filter_by(action="merge")).scalar_one()
        assert entry.actor == "admin"


def test_a_refused_event_shows_the_reason_beside_its_field(app, admin):
    token = csrf_from(admin.get("/admin/units/E/life").text)
    page = admin.post("/admin/units/E/life?lang=vi", data={
        "csrf_token": token, "kind": "split", "effective": "2025-07-01",
        "decision_number": "N1", "successors": "E1=0.5; E2=0.4"})
    assert page.status_code == 200
    assert "tổng các tỷ lệ là 0.9, không phải 1" in page.text
    page = admin.post("/admin/units/D1/life?lang=en", data={
        "csrf_token": token, "kind": "abolish", "effective": "2025-07-01",
        "decision_number": "N1"})
    assert "D1 still holds A, B on 01/07/2025" in page.text
    with app.app_context():
        assert events() == 0


def test_a_bad_upload_lists_its_problems_by_row_and_column(app, admin):
    token = csrf_from(admin.get("/admin/unit-events").text.replace("events-csrf_token",
                                                                   "csrf_token"))
    header = "unit_code,event,effective_date,decision_number,successors\n"
    body = header + "A,merge,01/07/2025,N1,AB\nB,merge,13/13/2025,N1,AB\n"
    page = admin.post("/admin/unit-events/import?lang=vi", data={
        "events-csrf_token": token,
        "events-file": (io.BytesIO(body.encode()), "reform.csv")},
        content_type="multipart/form-data")
    assert page.status_code == 422
    assert "Chưa nhập reform.csv" in page.text
    assert "<td>3</td><td><code>effective_date</code></td>" in page.text
    assert "không có tháng 13" in page.text
    with app.app_context():
        assert events() == 0
    good = header + "A,merge,01/07/2025,N1,AB\nB,merge,01/07/2025,N1,AB\n"
    done = admin.post("/admin/unit-events/import", data={
        "events-csrf_token": token,
        "events-file": (io.BytesIO(good.encode()), "reform.csv")},
        content_type="multipart/form-data")
    assert done.status_code == 302
    with app.app_context():
        assert events() == 2
    listed = admin.get("/admin/unit-events?lang=vi").text
    assert "Đã ghi 2 sự kiện" in listed and listed.count("1656") == 0


def test_the_latest_event_can_be_undone_with_the_csrf_token(app, admin):
    token = csrf_from(admin.get("/admin/units/A/life").text)
    admin.post("/admin/units/A/life", data={
        "csrf_token": token, "kind": "merge", "effective": "2025-07-01",
        "decision_number": "N1", "successors": "AB"})
    page = admin.get("/admin/units/A/life?lang=vi").text
    assert "Hủy sự kiện mới nhất của đơn vị này" in page
    undo_token = re.search(r'name="undo-csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert admin.post("/admin/units/A/undo-last-event").status_code == 400
    done = admin.post("/admin/units/A/undo-last-event", data={"undo-csrf_token": undo_token})
    assert done.status_code == 302
    assert "Đã hủy sự kiện Sáp nhập ngày 01/07/2025" in admin.get("/admin/units/A/life").text
    with app.app_context():
        assert events() == 0 and get("A").valid_to is None
    again = admin.post("/admin/units/A/undo-last-event", data={"undo-csrf_token": undo_token})
    assert again.status_code == 302
    assert "A chưa có sự kiện nào được ghi" in admin.get("/admin/units/A/life").text


def test_a_new_commune_is_added_on_the_units_page_with_its_first_day(app, admin):
    page = admin.get("/admin/units?lang=vi").text
    assert "Tồn tại từ ngày" in page
    token = re.search(r'name="unit-csrf_token"[^>]*value="([^"]+)"', page).group(1)
    done = admin.post("/admin/units", data={
        "unit-csrf_token": token, "unit-code": "X99", "unit-name_vi": "Xã Mới",
        "unit-level": "commune", "unit-parent": "P", "unit-valid_from": "2025-07-01"})
    assert done.status_code == 302
    with app.app_context():
        assert get("X99").valid_from.isoformat() == "2025-07-01"
        assert get("X99").path == "/P/X99/"


def test_an_event_ahead_of_its_day_says_when_and_where_things_will_be_carried(app, admin):
    """A split recorded months ahead keeps its carry_to; the page and the message say where the
    kiosks and officers will go and on which day, and `carry_due` moves them then."""
    from datetime import date

    from survey.models import User
    from survey.services.accounts import create_user
    from survey.services.lineage.attached import carry_due
    from survey.services.lineage.dates import local_today

    day = local_today().replace(day=1, month=1, year=local_today().year + 1)
    with app.app_context():
        create_user("officer_e", "mot-mat-khau-dai", "unit_officer", "E")
        db.session.commit()
    token = csrf_from(admin.get("/admin/units/E/life").text)
    done = admin.post("/admin/units/E/life?lang=vi", data={
        "kind": "split", "effective": day.isoformat(), "decision_number": "9/NQ",
        "successors": "E1=0.6; E2=0.4", "carry_to": "E2", "csrf_token": token},
        follow_redirects=True)
    words = f"sẽ được chuyển sang E2 vào ngày {day:%d/%m/%Y}"
    assert done.status_code == 200 and words in done.text
    assert words in admin.get("/admin/units/E/life?lang=vi").text
    english = admin.get("/admin/units/E/life?lang=en").text
    assert f"will be carried to E2 on {day:%d/%m/%Y}" in english
    with app.app_context():
        assert get("E").valid_to == day
        officer = db.session.execute(db.select(User).filter_by(username="officer_e")).scalar_one()
        assert officer.unit.code == "E"  # not yet
        carry_due("cron", day - date.resolution)
        assert officer.unit.code == "E"
        carry_due("cron", day)
        db.session.commit()
        assert officer.unit.code == "E2"
