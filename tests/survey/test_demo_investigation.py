"""The demo's sampled investigations (issue #20): a frame that is the records' resolved
dossiers, a seeded draw, and partial fieldwork stored through the fieldwork services, without
changing anything else of the demo."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func

from survey.extensions import db
from survey.models import (
    Answer,
    DossierStat,
    FrameDossier,
    Investigation,
    ProcedureGroup,
    Response,
    SampleCase,
    ServiceArea,
    Unit,
    User,
)
from survey.models.investigation import CASE_STATUSES, CaseEvent, FrameContact
from survey.services import aggregates
from survey.services.demo import investigation as demo_inv
from survey.services.demo import load_demo
from survey.services.demo import province as P
from survey.services.investigation.contacts import contact_of
from tests.conftest import make_app

KEY = "q7dmh2DgUgOtl3vK9fmHkmpWJ2sG2B9bYMsNfAQwTjw="
SCALE = 0.02
LAND, MARRIAGE = demo_inv.demo_codes(2025)
MERGED = {code: change[0][0] for code, kind, change in P.REFORM_EVENTS if kind == "merge"}


def _load(path, key: str = "", investigations: bool = True):
    app = make_app(f"sqlite:///{path}", CONTACT_KEY=key)
    with app.app_context():
        db.create_all()
        load_demo(scale=SCALE, investigations=investigations)
        db.session.commit()
    return app


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    base = tmp_path_factory.mktemp("demo_inv")
    loaded = {"key": _load(base / "key.db", KEY), "plain": _load(base / "plain.db"),
              "none": _load(base / "none.db", investigations=False)}
    yield loaded
    for app in loaded.values():
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _investigation(code: str) -> Investigation:
    return db.session.execute(db.select(Investigation).filter_by(code=code)).scalar_one()


def _cases(code: str) -> list[tuple]:
    """(dossier code, stratum, status, π) of every case, in the draw's order."""
    return [tuple(row) for row in db.session.execute(
        db.select(FrameDossier.dossier_code, SampleCase.stratum_key, SampleCase.status,
                  SampleCase.inclusion)
        .join(FrameDossier, FrameDossier.id == SampleCase.frame_dossier_id)
        .join(Investigation, Investigation.id == SampleCase.investigation_id)
        .where(Investigation.code == code).order_by(SampleCase.id))]


def test_the_frames_are_the_records_resolved_dossiers(apps):
    with apps["key"].app_context():
        for code, area in ((LAND, "land"), (MARRIAGE, "marriage")):
            inv = _investigation(code)
            resolved = DossierStat.resolved_early + DossierStat.resolved_on_time \
                + DossierStat.resolved_late
            records: Counter = Counter()
            for unit, total in db.session.execute(
                    db.select(Unit.code, func.sum(resolved))
                    .join(Unit, Unit.id == DossierStat.unit_id)
                    .join(ProcedureGroup, ProcedureGroup.id == DossierStat.procedure_group_id)
                    .join(ServiceArea, ServiceArea.id == ProcedureGroup.service_area_id)
                    .where(DossierStat.year == 2025, ServiceArea.code == area)
                    .group_by(Unit.code)):
                # the frame import names a merged commune's dossiers by its successor
                records[MERGED.get(unit, unit)] += total
            frame = dict(db.session.execute(
                db.select(Unit.code, func.count())
                .join(FrameDossier, FrameDossier.unit_id == Unit.id)
                .where(FrameDossier.investigation_id == inv.id).group_by(Unit.code)).all())
            assert frame == dict(records) and inv.frame_rows == sum(records.values())
            days = db.session.execute(
                db.select(func.min(FrameDossier.resolved_on), func.max(FrameDossier.resolved_on))
                .where(FrameDossier.investigation_id == inv.id)).one()
            assert days[0].year == days[1].year == 2025
            assert inv.questionnaire.code == f"{area}_survey"
        # the reform: an abolished district resolved dossiers only before 1 July
        last = db.session.execute(
            db.select(func.max(FrameDossier.resolved_on))
            .join(Unit, Unit.id == FrameDossier.unit_id)
            .where(Unit.code == "ST-TP")).scalar_one()
        assert last.isoformat() < "2025-07-01"


def test_the_draws_are_stored_with_their_seeds(apps):
    with apps["key"].app_context():
        land, marriage = _investigation(LAND), _investigation(MARRIAGE)
        assert (land.seed, land.status) == (demo_inv.DRAW_SEED, "fieldwork")
        assert (marriage.seed, marriage.status) == (demo_inv.TWO_STAGE_SEED, "drawn")
        assert land.design["strata"] == ["unit", "service_area"]
        assert land.design["size"]["method"] == "sipas"
        # one stage: each stratum's π is n_h / N_h, N_h counted from the frame
        population = Counter(db.session.execute(
            db.select(FrameDossier.stratum_key)
            .where(FrameDossier.investigation_id == land.id)).scalars())
        cases = _cases(LAND)
        drawn = Counter(stratum for _, stratum, _, _ in cases)
        assert set(drawn) == set(population) and len(drawn) > 10
        for _, stratum, _, pi in cases:
            assert pi == pytest.approx(drawn[stratum] / population[stratum])
            assert drawn[stratum] >= min(30, population[stratum])
        assert sum(drawn.values()) == land.draw["n"]
        # two stages: communes by PPS, then dossiers in them; π the product
        rows = db.session.execute(
            db.select(SampleCase.psu_key, SampleCase.psu_probability,
                      SampleCase.unit_probability, SampleCase.inclusion)
            .where(SampleCase.investigation_id == marriage.id)).all()
        assert len({psu for psu, *_ in rows}) == marriage.draw["strata"]["marriage"]["psus_drawn"]
        assert any(p1 < 1 for _, p1, _, _ in rows)
        for _, p1, p2, pi in rows:
            assert pi == pytest.approx(p1 * p2)


def test_the_fieldwork_has_every_status_with_its_history(apps):
    with apps["key"].app_context():
        land = _investigation(LAND)
        collector = db.session.execute(
            db.select(User).filter_by(username=demo_inv.COLLECTOR)).scalar_one()
        assert collector.role == "data_entry" and collector.active
        cases = list(db.session.execute(
            db.select(SampleCase).where(SampleCase.investigation_id == land.id)).scalars())
        statuses = Counter(case.status for case in cases)
        assert set(statuses) == set(CASE_STATUSES)
        assert statuses["issued"] > statuses["completed"] > statuses["refused"] > 0
        channels = Counter()
        for case in cases:
            events = sorted(case.events, key=lambda e: e.id)
            assert events[0].note == "drawn" and events[-1].to_status == case.status
            if case.status != "issued":
                assert case.collector_id == collector.id and case.token_issued_at is not None
                outcome = [e for e in events if e.to_status != e.from_status][-1]
                assert outcome.actor in (collector.username, "link")
            if case.status == "completed":
                response = db.session.get(Response, case.response_id)
                assert response.investigation_id == land.id
                assert response.unit_id == case.dossier.unit_id
                channels[response.channel] += 1
            else:
                assert case.response_id is None
        assert set(channels) == {"paper", "web"}
        # the city's cases wait for a collector: unassigned, with no history but the draw's
        city = [c for c in cases if c.dossier.unit_id in set(db.session.execute(
            db.select(Unit.id).where(Unit.code.in_(["ST-TP", "ST-TP-X01", "ST-P01"])))
            .scalars())]
        assert city and all(c.collector_id is None and c.status == "issued" for c in city)
        assert db.session.execute(db.select(func.count()).select_from(CaseEvent).where(
            CaseEvent.case_id.in_([c.id for c in city]))).scalar_one() == len(city)


def _fingerprint() -> list[tuple]:
    """Counts per item and value of the open collection's answers."""
    rows = db.session.execute(
        db.select(Answer.item_code, Answer.value_int, Answer.missing_code, func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(Response.investigation_id.is_(None))
        .group_by(Answer.item_code, Answer.value_int, Answer.missing_code)).all()
    return sorted((tuple(r) for r in rows), key=lambda r: tuple(str(x) for x in r))


def test_the_rest_of_the_demo_is_unchanged_and_counts_no_investigation_answer(apps):
    with apps["none"].app_context():
        without = _fingerprint()
        assert db.session.execute(db.select(func.count(Investigation.id))).scalar_one() == 0
    with apps["key"].app_context():
        assert _fingerprint() == without and len(without) > 100
        sampled = db.session.execute(db.select(func.count(Response.id)).where(
            Response.investigation_id.is_not(None))).scalar_one()
        assert sampled > 20
        # the roll-ups the reports read hold the open collection only, and agree with it
        assert aggregates.differences() == []


def test_contacts_only_with_a_key_and_only_for_the_drawn(apps):
    with apps["key"].app_context():
        land = _investigation(LAND)
        with_key = _cases(LAND)
        sealed = db.session.execute(
            db.select(FrameContact.frame_dossier_id, FrameDossier.dossier_code)
            .join(FrameDossier, FrameDossier.id == FrameContact.frame_dossier_id)
            .where(FrameDossier.investigation_id == land.id)).all()
        drawn = set(db.session.execute(db.select(SampleCase.frame_dossier_id).where(
            SampleCase.investigation_id == land.id)).scalars())
        assert sealed and {row_id for row_id, _ in sealed} <= drawn
        assert len(sealed) < len(drawn)  # some dossiers left no contact
        found = contact_of(land.id, *sealed[0])
        assert found["phone"].startswith("0900") and found["contact_name"]
    with apps["plain"].app_context():
        assert db.session.execute(
            db.select(func.count()).select_from(FrameContact)).scalar_one() == 0
        # the same sample and fieldwork with or without contacts
        assert _cases(LAND) == with_key


def test_force_reload_replaces_the_investigations(apps):
    with apps["plain"].app_context():
        before = _cases(LAND), _cases(MARRIAGE)
        load_demo(force=True, scale=SCALE)
        db.session.commit()
        assert (_cases(LAND), _cases(MARRIAGE)) == before
        assert db.session.execute(db.select(func.count(Investigation.id))).scalar_one() == 2
