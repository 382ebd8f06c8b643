"""Feedback case figures on the public scoreboard (#23, element E in practice): the share of
cases answered on time and the median days to answer, per province and unit, for the
scoreboard's year, counted here by hand; a unit under 30 judged cases shows its count only,
and a larger neighbour is hidden beside it so that the province's total cannot give it back;
served from the cache like every public page (no query on a second visit)."""

from __future__ import annotations

import shutil
import statistics
from datetime import UTC, datetime, timedelta

import pytest

from survey.extensions import db
from survey.models import FeedbackCase, Unit
from survey.services.periods import last_complete_year
from tests.public.conftest import QueryCounter, new_app


def _percent(share: float) -> str:
    return f"{share * 100:.1f}".replace(".", ",") + " %"


# district -> (answered on time after d days, answered late after d days, unanswered late)
PLAN = {0: ([5] * 20 + [3] * 10, [20] * 6, 4),  # 40 judged, 30 on time: shown
        1: ([2] * 5, [25] * 3, 2),  # 10 judged: under 30, hidden
        2: ([4] * 30, [18] * 5, 0)}  # 35 judged: hidden beside it (else 85 - 40 - 35 = 10)


@pytest.fixture
def with_cases(demo_db, tmp_path):
    path = tmp_path / "cases.db"
    shutil.copyfile(demo_db[0].removeprefix("sqlite:///"), path)
    app = new_app(f"sqlite:///{path}")
    year = last_complete_year()
    opened = datetime(year, 3, 2, 2, 0, tzinfo=UTC)
    with app.app_context():
        districts = list(db.session.execute(db.select(Unit).filter_by(level="district")
                                            .order_by(Unit.code)).scalars())[:3]
        for i, district in enumerate(districts):
            on_time, late, unanswered = PLAN[i]
            for days in on_time + late + [None] * unanswered:
                answered = None if days is None else opened + timedelta(days=days)
                db.session.add(FeedbackCase(
                    unit_id=district.id, source="rating", opened_at=opened,
                    due_at=opened + timedelta(days=14),
                    status="received" if answered is None else "answered",
                    answer="" if answered is None else "Đã trả lời.", answered_at=answered))
        from survey.services.audit import record

        record("test", "feedback.open", "feedback_case", "all")  # cases move the version
        db.session.commit()
        codes = [d.code for d in districts]
    yield app, codes
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_case_figures_are_shown_beside_the_index_and_suppressed_alike(with_cases):
    app, codes = with_cases
    visitor = app.test_client()
    year = last_complete_year()
    shown, small, beside = codes
    on_time, late, _ = PLAN[0]
    page = visitor.get(f"/public/unit/{shown}").text
    line = page[page.index('<p class="cases"'):]
    line = line[:line.index("</p>")]
    assert 'data-suppressed="false"' in line and str(year) in line
    assert _percent(30 / 40) in line and " 40 " in line
    assert "5,0" in line  # the median of 20 x 5, 10 x 3 and 6 x 20 days
    assert statistics.median(on_time + late) == 5
    for code, judged in ((small, 10), (beside, 35)):
        line = visitor.get(f"/public/unit/{code}").text
        line = line[line.index('<p class="cases"'):]
        line = line[:line.index("</p>")]
        assert 'data-suppressed="true"' in line and f"{judged} " in line
        a, b, _ = PLAN[codes.index(code)]
        assert _percent(len(a) / judged) not in line
    # the province: every case; 85 judged, 65 on time; median over 79 answered cases
    home = visitor.get("/public/").text
    line = home[home.index('<p class="cases"'):]
    line = line[:line.index("</p>")]
    answered = [d for plan in PLAN.values() for d in plan[0] + plan[1]]
    assert 'data-suppressed="false"' in line
    assert _percent(65 / 85) in line
    assert f"{statistics.median(answered):.1f}".replace(".", ",") in line
    # English on request
    english = visitor.get("/public/?lang=en").text
    assert "feedback cases due were answered on time" in english


def test_case_figures_come_from_the_cache(with_cases):
    app, codes = with_cases
    visitor = app.test_client()
    first = visitor.get(f"/public/unit/{codes[0]}").data
    with QueryCounter(app) as later:
        assert app.test_client().get(f"/public/unit/{codes[0]}").data == first
    assert later.count == 0, later.statements[:5]
