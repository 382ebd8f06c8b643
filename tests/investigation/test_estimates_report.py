"""The council report (DOCX and PDF) carries the year's sampled investigation in its own
section beside the open collection's figures (#20), and the feedback cases' figures beside
element E (#23); read back with the independent readers of tests/dashboard."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from survey.extensions import db
from survey.models import Investigation, Unit
from survey.models.feedback import FeedbackCase
from survey.services.council_report import numbers as fmt
from survey.services.investigation.estimates import estimates
from tests.dashboard.report_readers import Docx, Pdf
from tests.design.helpers import login
from tests.investigation.estimates_world import CODE, estimates_app

NBSP = "\u00a0"


def _at(day: int, month: int = 3) -> datetime:
    return datetime(2025, month, day, 3, 0, tzinfo=UTC)


# (opened, due, answered): on time after 2 days; late after 12 days; unanswered, overdue;
# one still within its deadline at any "now" in 2025 would not be judged, but 2025 is over.
CASES = ((_at(3), _at(13), _at(5)), (_at(3), _at(13), _at(15)), (_at(4), _at(14), None))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with estimates_app(tmp_path_factory.mktemp("report")) as app:
        with app.app_context():
            unit = db.session.execute(db.select(Unit).filter_by(code="D1")).scalar_one()
            for opened, due, answered in CASES:
                db.session.add(FeedbackCase(
                    unit_id=unit.id, opened_at=opened, due_at=due, answered_at=answered,
                    status="answered" if answered else "received",
                    answer="Đã trả lời" if answered else ""))
            db.session.commit()
            investigation = db.session.execute(
                db.select(Investigation).filter_by(code=CODE)).scalar_one()
            expected = estimates(investigation, domains=("all", "service_area"))
        client = app.test_client()
        login(client, "analyst")
        yield app, client, expected


def _overall(expected: dict) -> dict:
    return next(r for r in expected["rows"]
                if r["domain"] == "all" and r["measure"] == "overall")


def test_docx_has_the_investigation_section_beside_the_open_figures(world):
    _, client, expected = world
    answer = client.get("/dashboard/report.docx?year=2025&lang=vi")
    assert answer.status_code == 200
    doc = Docx(answer.data)
    headings = [p for p in doc.paragraphs if re.match(r"(I|II|III|IV|V|VI|VII)\. [A-ZĐ]", p)]
    assert any(h.endswith("KẾT QUẢ ĐIỀU TRA XÃ HỘI HỌC (KHẢO SÁT CHỌN MẪU)") for h in headings)
    # numbered in order, the open collection's first
    assert [h.split(".")[0] for h in headings] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    assert headings[0].endswith("KẾT QUẢ CHUNG")
    row = _overall(expected)
    share, ci = fmt.pct(row["estimate"], "vi"), fmt.pct_range(row["ci_low"], row["ci_high"], "vi")
    [line] = [p for p in doc.paragraphs if p.startswith("Điều tra xã hội học 2025 (")]
    assert f"Tỷ lệ hài lòng có trọng số {share} (khoảng tin cậy 95 %: {ci}" in line
    table = doc.table_starting("Chỉ tiêu")
    assert table[1][:4] == ["Tỷ lệ hài lòng (câu hỏi chung)", fmt.integer(row["n"], "vi"),
                            share, ci]
    assert table[1][4] == fmt.number(row["se"] * 100, 2, "vi")
    areas = doc.table_starting("Lĩnh vực (điều tra)")
    assert {r[0] for r in areas[1:]} == {"Đất đai", "Hộ tịch"} or len(areas) == 3
    assert "never pooled" not in doc.text and "not_established" not in doc.text


def test_element_e_carries_the_feedback_figures(world):
    _, client, _ = world
    doc = Docx(client.get("/dashboard/report.docx?year=2025&lang=vi").data)
    table = doc.table_starting("Yếu tố")
    [e_row] = [r for r in table[1:] if r[0].startswith("E.")]
    # judged 3 (two answered, one overdue), on time 1; median of 2 and 12 days = 7
    assert e_row[3] == f"1/3 (33,3{NBSP}%)"
    assert e_row[4] == "7,0"
    assert any(p.startswith("Bên cạnh yếu tố E") and "tiếp nhận 3 phản ánh" in p
               for p in doc.paragraphs)
    others = [r for r in table[1:] if not r[0].startswith("E.")]
    assert others and all(r[3] == "–" for r in others)


def test_pdf_and_english_carry_the_section(world):
    _, client, expected = world
    pdf = Pdf(client.get("/dashboard/report.pdf?year=2025&lang=vi").data)
    row = _overall(expected)
    assert "KẾT QUẢ ĐIỀU TRA XÃ HỘI HỌC" in pdf.text
    flat = " ".join(pdf.text.replace(NBSP, " ").split())
    assert f"Tỷ lệ hài lòng có trọng số {fmt.pct(row['estimate'], 'vi')}".replace(NBSP, " ") \
        in flat
    english = Docx(client.get("/dashboard/report.docx?year=2025&lang=en").data)
    assert "SOCIOLOGICAL INVESTIGATION (SAMPLE SURVEY) RESULTS" in english.text
    assert f"Weighted share satisfied {fmt.pct(row['estimate'], 'en')}" in english.text


def test_an_investigation_without_answers_says_so():
    from survey.services.council_report.beside import investigation_section

    inv = {"code": "X", "name": "Điều tra X", "period_from": "2025-01-01",
           "period_to": "2025-12-31", "sample": {"sampled": 90, "respondents": 0},
           "overall": None, "index": None, "elements": {}, "areas": []}
    section, next_table = investigation_section({"investigations": [inv]}, {}, "vi", 4)
    assert "Điều tra X (01/01/2025–31/12/2025): chọn mẫu 90 hồ sơ, chưa có phiếu hoàn thành." \
        in section.blocks
    assert next_table == 4  # no table for it
    assert investigation_section({"investigations": []}, {}, "vi", 4) == (None, 4)
