"""#18 A Kobo/ODK form uploaded in the designer: imported, and every construct not carried
over listed at its sheet, row and column (never dropped silently)."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import pytest

from survey.extensions import db
from survey.models import Questionnaire
from tests.design.helpers import login, make_users, prefixed_token

CORPUS = Path(__file__).parents[1] / "questionnaires" / "corpus"


@pytest.fixture
def designer_client(app):
    make_users(app)
    client = app.test_client()
    login(client, "designer")
    return client


def test_a_kobo_form_is_imported_with_a_report_of_what_was_not_carried_over(app,
                                                                            designer_client):
    data = (CORPUS / "yes_or_no_question.xlsx").read_bytes()
    token = prefixed_token(designer_client.get("/design/").text, "xls")
    page = designer_client.post("/design/import", data={
        "xls-csrf_token": token, "xls-file": (io.BytesIO(data), "yes_or_no_question.xlsx")},
        content_type="multipart/form-data")
    assert page.status_code == 200
    rows = [[unescape(c).strip() for c in re.findall(r"<td>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", page.text, re.S)]
    rows = [r for r in rows if r]
    assert ["survey", "1", "C (label:english)",
            "không có nội dung tiếng Việt: dùng nội dung tiếng english của cột này thay thế"] \
        in rows
    assert all(len(r) == 4 and r[0] in ("survey", "choices", "settings") for r in rows)
    assert 'href="/design/yes_or_no_question/"' in page.text
    with app.app_context():
        row = db.session.execute(db.select(Questionnaire).filter_by(
            code="yes_or_no_question")).scalar_one()
        assert row.code == "yes_or_no_question"


def test_a_legacy_xls_uploads_and_the_page_offers_it(app, designer_client):
    index = designer_client.get("/design/").text
    assert 'accept=".xlsx,.xls,.yaml,.yml"' in index
    assert "Tệp XLSForm (.xlsx, .xls) hoặc YAML (.yaml)" in unescape(index)
    data = (CORPUS / "text_and_integer.xls").read_bytes()
    page = designer_client.post("/design/import", data={
        "xls-csrf_token": prefixed_token(index, "xls"),
        "xls-file": (io.BytesIO(data), "text_and_integer.xls")},
        content_type="multipart/form-data")
    assert page.status_code in (200, 302)
    with app.app_context():
        assert db.session.execute(db.select(Questionnaire).filter_by(
            code="text_and_integer")).scalar_one()
