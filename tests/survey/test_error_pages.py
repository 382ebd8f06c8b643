"""Error pages for people (Vietnamese first, no staff links on citizens' paths), JSON for the
API, and HTML pages compressed for visitors who are not logged in."""

from __future__ import annotations

import gzip
import re

from survey.extensions import db
from survey.services import tokens
from survey.services.accounts import create_user
from tests.collect.conftest import make_world
from tests.conftest import csrf_from, make_app

STAFF_LINK = "Đăng nhập cán bộ"


def test_a_citizen_path_without_its_token_is_a_vietnamese_404_without_staff_links(client):
    page = client.get("/s/")
    assert page.status_code == 404 and 'lang="vi"' in page.text
    assert "<h1>Đường dẫn này không dùng được</h1>" in page.text
    assert "quét lại mã" in page.text and "Mã lỗi: 404" in page.text
    assert STAFF_LINK not in page.text and "Not Found" not in page.text
    client.get("/lang/en")
    english = client.get("/r/")
    assert english.status_code == 404 and "<h1>This link does not work</h1>" in english.text


def test_a_staff_path_404_keeps_the_staff_login(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "<h1>Không tìm thấy trang</h1>" in page.text
    assert STAFF_LINK in page.text


def test_the_api_still_answers_json(client):
    answer = client.get("/api/v1/no-such-thing")
    assert answer.status_code == 404 and answer.is_json


def test_a_staff_form_with_an_expired_token_gets_a_page_that_says_so(client):
    page = client.post("/auth/login", data={"username": "x", "password": "y"})
    assert page.status_code == 400 and "<h1>Không đọc được biểu mẫu</h1>" in page.text


def test_too_many_tries_says_how_long_to_wait_and_keeps_retry_after(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'r.db'}", RATELIMIT_ENABLED=True,
                   RATELIMIT_STORAGE_URI="memory://", FORM_RATE_LIMIT="100 per minute",
                   FORM_TOKEN_RATE_LIMIT="1 per minute")
    with app.app_context():
        db.create_all()
    client = app.test_client()
    client.post("/s/some.token")
    page = client.post("/s/some.token")
    assert page.status_code == 429 and int(page.headers["Retry-After"]) > 0
    assert "Quá nhiều lượt gửi" in page.text and STAFF_LINK not in page.text
    waited = re.search(r"Xin đợi (\d+) giây rồi thử lại", page.text)
    assert waited and abs(int(waited.group(1)) - int(page.headers["Retry-After"])) <= 1
    with app.app_context():
        db.engine.dispose()


def test_citizen_pages_carry_no_staff_links(app, client):
    world = make_world(app)
    with app.app_context():
        url = "/s/" + tokens.qr_token(world.unit_code, world.desk_code, "land_survey")
    for path in (url, "/thanks", "/s/forged.token"):
        assert STAFF_LINK not in client.get(path).text, path
    assert STAFF_LINK in client.get("/").text


def test_pages_are_compressed_for_citizens_but_not_for_staff(app, client):
    world = make_world(app)
    with app.app_context():
        url = "/s/" + tokens.qr_token(world.unit_code, world.desk_code, "land_survey")
        create_user("lan", "mot-mat-khau-dai", "analyst")
        db.session.commit()
    page = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] in ("gzip", "br")
    assert "Accept-Encoding" in page.headers["Vary"]
    if page.headers["Content-Encoding"] == "gzip":
        assert "Xin chào" in gzip.decompress(page.data).decode()
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers and "Xin chào" in plain.text
    token = csrf_from(client.get("/auth/login").text)
    client.post("/auth/login", data={"username": "lan", "password": "mot-mat-khau-dai",
                                     "csrf_token": token})
    staff = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert staff.status_code == 200 and "Content-Encoding" not in staff.headers
