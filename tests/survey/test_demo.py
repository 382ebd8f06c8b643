"""The demo data set: realistic, deterministic, and careful with real data."""

import pytest
from sqlalchemy import case, func

from survey.extensions import db
from survey.models import Answer, DossierStat, Response, ServiceArea
from survey.services.demo import load_demo
from tests import factories
from tests.conftest import make_app


def overall_shares() -> dict[tuple[str, int], float]:
    satisfied = func.sum(case((Answer.value_int >= 4, 1), else_=0))
    rows = db.session.execute(
        db.select(ServiceArea.code, Response.year, satisfied, func.count())
        .join(Response, Response.service_area_id == ServiceArea.id)
        .join(Answer, Answer.response_id == Response.id)
        .where(Answer.item_code == "overall_satisfaction", Answer.value_int.is_not(None))
        .group_by(ServiceArea.code, Response.year)
    ).all()
    return {(area, year): k / n for area, year, k, n in rows}


def fingerprint() -> list[tuple]:
    """Counts per item and value; sorted in Python since engines order NULLs differently."""
    rows = db.session.execute(
        db.select(Answer.item_code, Answer.value_int, Answer.missing_code, func.count())
        .group_by(Answer.item_code, Answer.value_int, Answer.missing_code)
    ).all()
    return sorted((tuple(r) for r in rows), key=lambda r: tuple(str(x) for x in r))


@pytest.mark.slow
def test_full_demo_looks_like_the_real_thing(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        shares = overall_shares()
        years = sorted({year for _, year in shares})
        assert len(years) >= 3 and years == list(range(years[0], years[-1] + 1))
        areas = {area for area, _ in shares}
        assert areas == {"land", "id_card", "marriage", "construction"}
        per_year = db.session.execute(
            db.select(Response.year, func.count()).group_by(Response.year)
        ).all()
        assert all(n >= 2000 for _, n in per_year)
        for area in areas:  # satisfaction rises from the first to the last year
            assert shares[(area, years[-1])] > shares[(area, years[0])] + 0.05
        last = {area: shares[(area, years[-1])] for area in areas}
        assert any(s >= 0.8 for s in last.values()) and any(s < 0.8 for s in last.values())
        comments = db.session.execute(
            db.select(Answer.value_text).where(Answer.item_code.in_(["comments", "comment"]))
        ).scalars().all()
        assert len(comments) > 100 and any("ộ" in c or "ủ" in c for c in comments)
        assert db.session.execute(db.select(func.count(DossierStat.id))).scalar() > 50


def test_demo_is_deterministic(tmp_path):
    prints = []
    for name in ("a", "b"):
        app = make_app(f"sqlite:///{tmp_path / name}.db")
        with app.app_context():
            db.create_all()
            load_demo(scale=0.03)
            db.session.commit()
            prints.append(fingerprint())
            db.engine.dispose()
    assert prints[0] == prints[1] and len(prints[0]) > 100


def test_demo_refuses_real_responses_unless_forced(app, runner):
    with app.app_context():
        office = factories.unit("REAL")
        factories.response(factories.version(), office)
        db.session.commit()
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code == 1 and "1 response(s) that are not demo data" in refused.output
    skipped = runner.invoke(args=["demo", "--if-empty"])
    assert skipped.exit_code == 0 and "not loaded" in skipped.output
    with app.app_context():
        assert db.session.execute(db.select(func.count(Response.id))).scalar() == 1


def test_demo_twice_is_a_no_op_and_force_reloads(app):
    with app.app_context():
        load_demo(scale=0.02)
        db.session.commit()
        count = db.session.execute(db.select(func.count(Response.id))).scalar()
        assert load_demo(scale=0.02) == "The demo data set is already loaded."
        load_demo(force=True, scale=0.02)
        db.session.commit()
        assert db.session.execute(db.select(func.count(Response.id))).scalar() == count
