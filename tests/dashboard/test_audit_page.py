"""The audit log page in words (#17): names of actions, records and fields, and each change as
field: old → new; never a Python dict."""

from __future__ import annotations

import re

from tests.dashboard.conftest import PASSWORD, login
from tests.dashboard.test_defaults_and_words import visible


def test_the_audit_log_shows_readable_changes(demo):
    app, _ = demo
    from survey.extensions import db
    from survey.services import audit
    from survey.services.accounts import create_user

    with app.app_context():
        create_user("admin1", PASSWORD, "admin")
        audit.record("admin1", "update", "unit", "ST-H01",
                     old={"name_vi": "Huyện Cũ", "level": "district", "active": True},
                     new={"name_vi": "Huyện Mới", "level": "district", "active": False})
        audit.record("admin1", "update", "user", "analyst1",
                     old={"role": "analyst", "unit": None}, new={"role": "unit_officer",
                                                                 "unit": "ST-H01"})
        audit.record("designer1", "update_draft", "questionnaire", "land_survey",
                     old={"value": {"items": ["q1", "q2"], "title": "Cũ"}},
                     new={"value": {"items": ["q1"], "title": "Mới"}})
        db.session.commit()
    client = login(app, "admin1")
    page = client.get("/admin/audit?lang=vi")
    assert page.status_code == 200
    text = visible(page.text)
    assert "{'" not in page.text and "': " not in text and "name_vi" not in text
    rows = page.text.split('id="audit"', 1)[1]
    unit = next(r for r in rows.split("<tr>") if "<code>ST-H01</code>" in r)
    assert "Đơn vị" in unit and "thay đổi" in unit
    assert re.search(r"<strong>tên \(tiếng Việt\)</strong>: <del>Huyện Cũ</del> → "
                     r"<ins>Huyện Mới</ins>", unit)
    assert re.search(r"<strong>đang hoạt động</strong>: <del>có</del> → <ins>không</ins>", unit)
    assert "cấp" not in visible(unit)  # unchanged fields are left out
    draft = next(r for r in rows.split("<tr>") if "land_survey" in r)
    assert "Phiếu khảo sát" in draft and "số câu hỏi: q1, q2; tiêu đề: Cũ" in draft
    user = next(r for r in rows.split("<tr>") if "analyst1</code>" in r)
    assert "unit_officer" not in user and "Cán bộ đơn vị" in user, user
    english = visible(client.get("/admin/audit?lang=en").text)
    assert "name (Vietnamese)" in english and "active" in english


def test_the_audit_log_shows_local_time(demo):
    """Officers read times on the province's clock (UTC+7), not UTC."""
    from datetime import UTC, datetime, timedelta

    app, _ = demo
    from survey.extensions import db
    from survey.services import audit
    from survey.services.accounts import create_user

    with app.app_context():
        create_user("admin_clock", PASSWORD, "admin")
        entry = audit.record("admin_clock", "update", "unit", "TIME-CHECK",
                             old={"a": 1}, new={"a": 2})
        db.session.flush()
        entry.at = datetime(2025, 12, 31, 18, 30, 5, tzinfo=UTC)
        db.session.commit()
    client = login(app, "admin_clock")
    local = datetime(2025, 12, 31, 18, 30, 5, tzinfo=UTC) + timedelta(hours=7)
    row = next(r for r in client.get("/admin/audit?lang=vi").text.split("<tr>")
               if "TIME-CHECK" in r)
    assert local.strftime("%d/%m/%Y %H:%M:%S") in row  # 01/01/2026 01:30:05
    row = next(r for r in client.get("/admin/audit?lang=en").text.split("<tr>")
               if "TIME-CHECK" in r)
    assert "2026-01-01 01:30:05" in row
