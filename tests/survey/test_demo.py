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
        .where(Answer.item_code == "overall_satisfaction", Answer.value_int.is_not(None),
               Response.in_figures)  # the open collection: the investigations' are apart
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
            db.select(Response.year, func.count()).where(Response.in_figures)
            .group_by(Response.year)
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


def test_the_demo_goes_through_the_two_level_reform(tmp_path):
    """Three levels until 1 July 2025, two after: answers are recorded only under the units of
    their day, the events are the decision's, and the two views tell them apart."""
    from datetime import date

    from survey.models import Unit, UnitEvent
    from survey.services.demo import province as P
    from survey.services.reporting.cells import References, fetch_cells
    from survey.services.reporting.scope import Grouping, Measure, Scope

    app = make_app(f"sqlite:///{tmp_path / 'reform.db'}")
    with app.app_context():
        db.create_all()
        load_demo(scale=0.05)
        db.session.commit()
        units = {u.code: u for u in db.session.execute(db.select(Unit)).scalars()}
        for district in P.DISTRICTS:
            assert units[district].valid_to == P.REFORM
        kinds = sorted(db.session.execute(db.select(UnitEvent.kind)).scalars())
        assert kinds == sorted(kind for _, kind, _ in P.REFORM_EVENTS)
        months = db.session.execute(
            db.select(Unit.code, Response.year, Response.month).distinct()
            .join(Response, Response.unit_id == Unit.id).where(Response.in_figures)).all()
        # nobody answered at an office that did not exist that day (the open collection's:
        # an investigation's case is filed under its dossier's office, answered later)
        assert all(units[code].exists_on(date(year, month, 1)) for code, year, month in months)
        assert {code for code, year, _ in months if year == 2025} >= {"ST-TP", "ST-P01"}
        raw = dict(((code, year), n) for code, year, n in db.session.execute(
            db.select(Unit.code, Response.year, func.count())
            .join(Response, Response.unit_id == Unit.id)
            .join(Answer, Answer.response_id == Response.id)
            .where(Answer.item_code == "overall_satisfaction", Answer.value_int.is_not(None),
                   Response.in_figures)
            .group_by(Unit.code, Response.year)))

        def cells(view: str):
            return fetch_cells(Scope(view=view), Grouping(("unit", "year")), Measure("overall"),
                               References.load())

        recorded, today = cells("recorded"), cells("today")
        answered = {key: int(c.sum()) for key, c in recorded.counts.items()}
        assert answered == {key: n for key, n in raw.items() if n}
        assert not any(unit in P.ENDED for unit, _ in today.counts)
        # a merge adds exactly: the new ward's 2024 is its two predecessors' answers
        merged = today.counts[("ST-P01", 2024)].sum()
        assert merged == raw[("ST-TP-P01", 2024)] + raw[("ST-TP-P02", 2024)]
        assert ("ST-P01", 2024) not in today.estimated
        # Ea Lê's answers went 60/40 to its neighbours: an estimate
        assert ("ST-H02-X01", 2024) in today.estimated
        share = today.counts[("ST-H02-X02", 2024)].sum() - raw.get(("ST-H02-X02", 2024), 0)
        assert abs(share - 0.4 * raw[("ST-H02-X03", 2024)]) < 1e-9
