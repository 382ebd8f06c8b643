"""Element E's case figures on the dashboard's unit page: the cases of the year shown, under
that unit, counted as the test counts them; none for a unit without cases."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from survey.extensions import db
from survey.models import Unit
from survey.services.feedback import cases
from tests.dashboard.conftest import analyst, demo  # noqa: F401  (module fixtures)


def test_the_unit_page_shows_its_cases_beside_element_e(demo, analyst):  # noqa: F811
    app, _ = demo
    page = analyst.get("/dashboard/unit/ST-H01?lang=en").text
    year = int(re.search(r"The five SIPAS elements, (\d{4})", page).group(1))
    assert 'id="feedback-e"' not in page
    with app.app_context():
        unit = db.session.execute(db.select(Unit).filter_by(code="ST-H01")).scalar_one()
        opened = datetime(year, 3, 2, 3, 0, tzinfo=UTC)  # a Monday morning in Hà Nội
        made = [cases.open_case(None, unit, "comment", "test", now=opened) for _ in range(3)]
        cases.answer(made[0], "Đúng hạn.", "test")  # answered now: years after its deadline
        made[1].answered_at = made[1].opened_at.replace(day=4)  # two days after: on time
        made[1].status, made[1].answer = "answered", "Đã trả lời."
        # a case of another year is not counted
        cases.open_case(None, unit, "comment", "test", now=opened.replace(year=year - 1))
        db.session.commit()
    page = analyst.get("/dashboard/unit/ST-H01?lang=en").text
    line = re.search(r'<p class="note" id="feedback-e">(.*?)</p>', page, re.S).group(1)
    # 3 cases; judged: the 2 answered + the 1 open long past its deadline; on time: 1
    assert f"3 feedback cases opened in {year}" in line
    assert "answered by their deadline: 1 of 3 due" in line
    assert "median days to answer" in line
    vietnamese = analyst.get("/dashboard/unit/ST-H01?lang=vi").text
    assert "Yếu tố E trên thực tế: 3 phản ánh" in vietnamese
    other = analyst.get("/dashboard/service/land?lang=en").text
    assert 'id="feedback-e"' not in other  # the cases have no service area
