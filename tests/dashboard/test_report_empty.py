"""A new installation without any response: the council report's documents still answer,
saying there are too few data rather than failing or printing "– (n = 0)"."""

from __future__ import annotations

import pytest

from survey.extensions import db
from survey.services.accounts import create_user
from survey.services.periods import last_complete_year
from tests.conftest import make_app
from tests.dashboard.report_readers import Docx, Pdf


@pytest.fixture
def analyst(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'empty.db'}", WTF_CSRF_ENABLED=False)
    with app.app_context():
        db.create_all()
        create_user("a1", "mot-mat-khau-dai", "analyst")
        db.session.commit()
    client = app.test_client()
    client.post("/auth/login", data={"username": "a1", "password": "mot-mat-khau-dai"})
    yield client
    with app.app_context():
        db.engine.dispose()


def test_documents_without_data_say_so(analyst):
    year = last_complete_year()
    docx = analyst.get("/dashboard/report.docx?lang=vi")
    assert docx.status_code == 200
    doc = Docx(docx.data)
    assert any(p.startswith(f"Năm {year} chưa đủ dữ liệu") for p in doc.paragraphs)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in doc.text and "Nơi nhận:" in doc.text
    pdf = analyst.get("/dashboard/report.pdf?lang=vi")
    assert pdf.status_code == 200 and "chưa đủ dữ liệu" in Pdf(pdf.data).text
    page = analyst.get("/dashboard/report?lang=vi")
    assert page.status_code == 200 and 'id="too-little"' in page.text
