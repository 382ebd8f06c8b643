"""The data-entry page: paper questionnaires uploaded as CSV or XLSX, all rows or none."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook

from survey.extensions import db
from survey.models import AuditEntry, Response
from tests.conftest import csrf_from
from tests.design.helpers import login

HEADER = "submitted_at,rating,reason,comment"


def csv_file(*lines: str, header: str = HEADER) -> bytes:
    return ("\ufeff" + "\n".join([header, *lines]) + "\n").encode()


def upload(client, data: bytes, filename: str = "phieu.csv", questionnaire="dossier_rating",
           unit="HN-X01", lang: str | None = None):
    if lang:
        client.get(f"/lang/{lang}")
    token = csrf_from(client.get("/entry/").text)
    return client.post("/entry/", data={
        "csrf_token": token, "questionnaire": questionnaire, "unit": unit,
        "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def stored(app) -> list[Response]:
    with app.app_context():
        return list(db.session.execute(db.select(Response).order_by(Response.submitted_at))
                    .scalars())


def problems(html: str) -> list[tuple[str, str, str, str]]:
    body = html.split('id="job-problems"', 1)[1]
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>",
                       body, re.S)
    import html as h

    return [tuple(h.unescape(c) for c in row) for row in cells]


def test_the_data_entry_menu_leads_to_the_page(app, client):
    login(client, "data_entry")
    home = client.get("/").text
    assert 'href="/entry/"' in home
    page = client.get("/entry/")
    assert page.status_code == 200
    assert 'value="dossier_rating"' in page.text and 'value="HN-X01"' in page.text


def test_a_csv_with_day_first_dates_is_stored_with_a_summary(app, client):
    login(client, "data_entry")
    data = csv_file("05/11/2025,3,,", "5/1/2025 14:30,1,long_wait,Chờ lâu",
                    "2025-06-02T09:00:00+07:00,2,,")
    response = upload(client, data)
    assert response.status_code == 200, response.text
    assert "3 phiếu đã được lưu" in response.text
    rows = stored(app)
    assert len(rows) == 3
    with app.app_context():
        from survey.services.periods import LOCAL_TZ

        local = sorted((r.submitted_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
                        r.channel, r.year, r.month) for r in rows)
    # 05/11/2025 is 5 November (day first), 5/1/2025 is 5 January
    assert local == [("2025-01-05 14:30", "paper", 2025, 1),
                     ("2025-06-02 09:00", "paper", 2025, 6),
                     ("2025-11-05 00:00", "paper", 2025, 11)]
    again = upload(client, data)
    assert "0 phiếu đã được lưu, 3 phiếu đã có" in again.text
    assert len(stored(app)) == 3
    with app.app_context():
        audit = db.session.execute(db.select(AuditEntry).filter_by(
            entity_type="paper_responses")).scalars().all()
        assert [a.actor for a in audit] == ["data_entry", "data_entry"]


def test_an_xlsx_is_stored(app, client):
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append([datetime(2025, 3, 4, 8, 15), 3.0, None, None])  # an Excel date cell
    sheet.append(["04/03/2025", 1.0, "long_wait", "Chờ lâu"])
    buffer = io.BytesIO()
    book.save(buffer)
    login(client, "admin")
    response = upload(client, buffer.getvalue(), "phieu.xlsx", lang="en")
    assert response.status_code == 200, response.text
    assert "phieu.xlsx: 2 questionnaires stored, 0 already present." in response.text
    assert [r.month for r in stored(app)] == [3, 3]


def test_a_bad_row_is_named_in_vietnamese_and_nothing_is_stored(app, client):
    login(client, "data_entry")
    data = csv_file("05/11/2025,3,,", "31/02/2025,2,,", "06/11/2025,7,,", "01/02/25,1,,")
    response = upload(client, data)
    assert response.status_code == 422
    found = problems(response.text)
    assert [(f, r, c) for f, r, c, _ in found] == [
        ("phieu.csv", "3", "submitted_at"), ("phieu.csv", "4", "rating"),
        ("phieu.csv", "5", "submitted_at")]
    assert "tháng 2 năm 2025 không có ngày 31" in found[0][3]
    assert "năm hai chữ số" in found[2][3]
    assert "Không dòng nào được nhập" in response.text
    assert stored(app) == []


def test_a_month_first_file_makes_its_slash_dates_ambiguous(app, client):
    login(client, "data_entry")
    response = upload(client, csv_file("12/25/2025,3,,", "05/11/2025,3,,"), lang="en")
    assert response.status_code == 422
    found = problems(response.text)
    assert [(r, c) for _, r, c, _ in found] == [("2", "submitted_at"), ("3", "submitted_at")]
    assert "there is no month 25" in found[0][3]
    assert "ambiguous" in found[1][3] and "row 2" in found[1][3]
    assert stored(app) == []


def test_a_row_that_contradicts_the_form_or_a_broken_file_stores_nothing(app, client):
    login(client, "data_entry")
    data = csv_file("05/11/2025,3,,,HN-X02", header=HEADER + ",unit")
    response = upload(client, data)
    assert response.status_code == 422
    assert problems(response.text)[0][1:3] == ("2", "unit")
    assert "biểu mẫu đã chọn 'HN-X01'" in problems(response.text)[0][3]
    broken = upload(client, b"PK\x03\x04 not really a workbook", "phieu.xlsx")
    assert broken.status_code == 422
    assert "không phải tệp .xlsx đọc được" in broken.text
    not_utf8 = upload(client, "submitted_at,rating\n05/11/2025,3\n".encode("utf-16"))
    assert not_utf8.status_code == 422
    assert stored(app) == []


def test_a_form_without_a_file_or_with_an_unknown_unit_is_refused(app, client):
    login(client, "data_entry")
    token = csrf_from(client.get("/entry/").text)
    response = client.post("/entry/", data={"csrf_token": token, "questionnaire":
                                            "dossier_rating", "unit": "HN-X01"})
    assert response.status_code == 400 and 'class="error"' in response.text
    response = upload(client, csv_file("05/11/2025,3,,"), unit="NOWHERE")
    assert response.status_code == 400
    assert stored(app) == []


def test_roles_and_csrf_are_enforced(app, client):
    for role in ("analyst", "designer", "unit_officer"):
        login(client, role)
        assert client.get("/entry/").status_code == 403
        assert client.post("/entry/", data={}).status_code in (400, 403)
        client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/auth/password")
                                                                  .text)})
    assert client.get("/entry/").status_code == 302  # to the login page
    login(client, "data_entry")
    response = client.post("/entry/", data={
        "questionnaire": "dossier_rating", "unit": "HN-X01",
        "file": (io.BytesIO(csv_file("05/11/2025,3,,")), "phieu.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert stored(app) == []


def test_the_upload_has_its_own_size_limit(tmp_path):
    from tests.entry.conftest import entry_app, stop_jobs

    data = csv_file(*[f"{1 + i % 28:02d}/05/2025,3,," for i in range(300)])
    for limit, status, count in ((len(data) + 1000, 200, 300), (len(data) // 2, 413, 0)):
        folder = tmp_path / str(limit)
        folder.mkdir()
        # every other request stays within 1,000 bytes
        app = entry_app(folder, MAX_CONTENT_LENGTH=1000, ENTRY_MAX_UPLOAD_BYTES=limit)
        try:
            client = app.test_client()
            login(client, "data_entry")
            response = upload(client, data)
            assert response.status_code == status, response.text[:300]
            assert len(stored(app)) == count
        finally:
            stop_jobs(app)


@pytest.mark.parametrize(("name", "data"), [
    ("rac.csv", bytes(range(256)) * 20),
    ("rac.xlsx", bytes(range(256)) * 20),
    ("rong.csv", b""),
    ("bom.csv", "\ufeff".encode()),
    ("tieu-de.csv", b"submitted_at,rating\n"),
    ("nul.csv", b"submitted_at,rating\n05/11/2025,\x003\n"),
    ("dai.csv", b"submitted_at,rating\n05/11/2025," + b"9" * 200_000 + b"\n"),
    ("ngoac.csv", b'submitted_at,rating\n"05/11/2025,3\n'),
    ("cot-la.csv", b"submitted_at,rating,khong_co\n05/11/2025,3,x\n"),
    ("ngay.csv", b"submitted_at,rating\n0/0/0000,3\n99/99/9999 99:99,3\n2025-13-45,3\n"),
])
def test_no_broken_file_gives_a_server_error_or_stores_anything(app, client, name, data):
    login(client, "data_entry")
    response = upload(client, data, name)
    assert response.status_code in (200, 422), response.text[:500]
    assert stored(app) == []
    if response.status_code == 422:
        assert problems(response.text), response.text[:500]


def test_the_template_has_the_questionnaires_columns_and_reads_back(app, client):
    login(client, "data_entry")
    page = client.get("/entry/").text
    assert "/entry/template.csv?questionnaire=dossier_rating" in page
    template = client.get("/entry/template.csv?questionnaire=dossier_rating")
    assert template.status_code == 200
    header = template.data.decode("utf-8-sig").strip()
    with app.app_context():
        from survey.services import questionnaires as qservice

        codes = [i.code for i in qservice.definition_of(
            qservice.get_version("dossier_rating")).items]
    assert header.split(",") == ["submitted_at", *codes]
    filled = template.data + b"05/11/2025,3" + b"," * (len(codes) - 1) + b"\r\n"
    response = upload(client, filled)
    assert response.status_code == 200 and len(stored(app)) == 1
    assert client.get("/entry/template.csv?questionnaire=nope").status_code == 404


STATS = ("period,unit,procedure_group,received_online,received_direct,carried_over,"
         "resolved_early,resolved_on_time,resolved_late,pending_within,pending_overdue")


def upload_stats(client, data: bytes, filename: str = "ho-so.csv", lang: str | None = None):
    if lang:
        client.get(f"/lang/{lang}")
    token = csrf_from(client.get("/entry/").text)
    return client.post("/entry/records", data={
        "stats-csrf_token": token, "stats-file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data")


def test_data_entry_imports_dossier_statistics_with_problems_in_vietnamese(app, client):
    from survey.models import DossierStat

    login(client, "data_entry")
    assert 'action="/entry/records"' in client.get("/entry/").text
    template = client.get("/entry/records-template.csv")
    assert template.status_code == 200 and template.data.decode("utf-8-sig").startswith(STATS)
    good = f"{STATS}\n2025-Q3,HN-X01,land,120,80,15,60,130,5,18,2\n".encode()
    response = upload_stats(client, good)
    assert response.status_code == 200, response.text[:500]
    assert "đã nhập 1 dòng số liệu hồ sơ, thay thế 0 dòng cũ" in response.text
    with app.app_context():
        row = db.session.execute(db.select(DossierStat)).scalar_one()
        assert (row.year, row.period_number, row.resolved_on_time) == (2025, 3, 130)
    bad = (f"{STATS}\n2025-Q5,HN-X01,land,120,80,15,60,130,5,18,2\n"
           "2025-Q4,NOPE,land,1,0,0,0,1,0,0,1\n").encode()
    response = upload_stats(client, bad)
    assert response.status_code == 422
    found = problems(response.text)
    assert found[0][:3] == ("ho-so.csv", "2", "period")
    assert "không phải kỳ dạng 2024, 2024-Q3 hoặc 2024-07" in found[0][3]
    assert ("3", "unit") in [(r, c) for _, r, c, _ in found]
    assert any("không có đơn vị 'NOPE'" in m for *_, m in found)
    assert any(c == "pending_overdue" and "đã giải quyết + đang giải quyết" in m
               for _, _, c, m in found)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(DossierStat)) \
            .scalar() == 1
    for role in ("analyst", "unit_officer"):
        other = app.test_client()
        login(other, role)
        assert other.post("/entry/records").status_code in (400, 403)
        assert other.get("/entry/records-template.csv").status_code == 403
