"""A sampled investigation's responses (issue #20) are marked with their investigation and
counted in no open-collection figure: the overview index, the roll-ups (maintained and
recounted), the cross-tab, the comments, the exports. An ordinary response moves each of those
figures, so every check below can fail. Migration 0016 marks the responses stored before it,
from `sample_case.response_id`, and says that the roll-ups need one rebuild."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AnswerCount, ElementPairYear, Response, SampleCase
from survey.services import aggregates, reporting
from survey.services import responses as rservice
from survey.services.exports import count_stream, export_table
from survey.services.exports.codes import SAMPLED_LEFT_OUT, About
from survey.services.exports.xlsx import method_lines
from survey.services.investigation import cases, fieldwork
from survey.services.reporting import Grouping, Measure, References, Scope, cache
from survey.services.reporting.comments import comments
from survey.services.reporting.crosstab import crosstab_report
from survey.services.responses import admin as response_admin
from tests.investigation.fieldwork_helpers import fieldwork_app, investigation

STREAM = "dossier_rating"
SCOPE = Scope(stream=STREAM)


@pytest.fixture
def app(tmp_path):
    with fieldwork_app(tmp_path) as app:
        with app.app_context():
            # 35 ordinary answers, so the index is shown (n >= 30): 23 satisfied, 12 not
            for i in range(35):
                _ordinary(3 if i % 3 else 1)
        yield app


def _ordinary(rating: int, comment: str | None = None) -> int:
    """An open-collection paper answer of district D1, as the paper import stores one."""
    answers = {"rating": rating, **({"comment": comment} if comment else {})}
    return rservice.submit({"id": str(uuid.uuid4()), "questionnaire": STREAM, "unit": "D1",
                            "service_area": "land", "channel": "paper",
                            "submitted_at": "2025-06-01T10:00:00+07:00", "answers": answers},
                           "vi", data_entry=True).response_id


def _case_ids(n: int) -> list[int]:
    return list(db.session.execute(select(SampleCase.id).order_by(SampleCase.id).limit(n))
                .scalars())


def _by_link(case_id: int, rating: int, comment: str) -> int:
    token = cases.issue_link(db.session.get(SampleCase, case_id))
    found = fieldwork.link_case(token)
    db.session.commit()
    answers = {"rating": rating, **({"reason": "long_wait", "comment": comment}
                                    if rating == 1 else {})}
    return fieldwork.submit_by_link(token, {
        "id": str(uuid.uuid4()), "questionnaire": found.questionnaire_code,
        "unit": found.unit_code, "service_area": found.service_area, "answers": answers},
        "vi").response_id


def _on_paper(case_id: int, rating: int) -> int:
    found = fieldwork.paper_case(investigation(), db.session.get(SampleCase, case_id))
    return fieldwork.submit_paper(case_id, {
        "id": str(uuid.uuid4()), "questionnaire": found.questionnaire_code,
        "unit": found.unit_code, "service_area": found.service_area,
        "answers": {"rating": rating}}, "vi", "col1",
        submitted_at="2025-06-02T09:00:00+07:00").response_id


def _figures() -> dict:
    """Every open-collection figure the tests compare, read fresh: the reports' cache is kept
    per data version, which a rebuild or a migration does not change (a restart empties it)."""
    cache.clear()
    refs = References.load()
    index = reporting.indices(SCOPE, Grouping(("year",)), Measure("overall"), 0.8, STREAM,
                              refs)["rows"]
    cross = crosstab_report(SCOPE, "rating", "channel", refs)
    found, _ = comments(SCOPE, per_page=100, refs=refs)
    rolled = {model.__tablename__: db.session.execute(select(func.sum(model.n))).scalar()
              for model in (AnswerCount,)}
    exported = {mode: sum(1 for _ in export_table(SCOPE, quarantined=mode).rows)
                for mode in ("exclude", "include", "only")}
    return {"index": [(r["year"], r["n"], r["satisfied"]) for r in index],
            "cross": (cross["columns"], cross["result"]["counts"]),
            "comments": sorted(c.text for c in found),
            "rolled": rolled,
            "exported": exported,
            "counted": count_stream(SCOPE, STREAM).responses}


def test_an_investigation_response_moves_no_open_figure_and_an_ordinary_one_does(app):
    with app.app_context():
        before = _figures()
        assert before["index"] == [(2025, 35, 23)]  # by hand: i % 3 != 0 for 23 of 35
        assert before["exported"] == {"exclude": 35, "include": 35, "only": 0}

        first, second = _case_ids(2)
        by_link = _by_link(first, 1, "chờ lâu quá")
        on_paper = _on_paper(second, 1)
        inv_id = investigation().id
        stored = {r.id: r for r in db.session.execute(
            select(Response).where(Response.id.in_([by_link, on_paper]))).scalars()}
        assert {r.investigation_id for r in stored.values()} == {inv_id}
        assert {r.channel for r in stored.values()} == {"web", "paper"}
        assert not any(r.in_figures for r in stored.values())
        assert _figures() == before
        # the maintained roll-ups equal a recount from the raw answers, which skips them too
        assert aggregates.differences() == []
        aggregates.rebuild()
        db.session.commit()
        assert _figures() == before
        # nor is it a kiosk burst's or a too-good desk's material
        assert db.session.execute(select(func.count()).select_from(Response).where(
            Response.in_figures)).scalar_one() == 35

        ordinary = _ordinary(1, "chờ lâu quá")
        after = _figures()
        assert db.session.get(Response, ordinary).in_figures
        assert after["index"] == [(2025, 36, 23)]
        assert after["cross"][1] == [[c + 1 for c in before["cross"][1][0]],
                                     before["cross"][1][1]]  # row "1" gains one
        assert after["comments"] == ["chờ lâu quá"] and before["comments"] == []
        assert after["rolled"]["answer_count"] == before["rolled"]["answer_count"] + 1
        assert after["exported"] == {"exclude": 36, "include": 36, "only": 0}
        assert after["counted"] == before["counted"] + 1 == 36


def test_deleting_or_quarantining_an_investigation_response_keeps_the_roll_ups_exact(app):
    with app.app_context():
        response_id = _by_link(_case_ids(1)[0], 3, "")
        before = _figures()
        found = db.session.get(Response, response_id)
        with pytest.raises(response_admin.QuarantineError, match="sampled investigation"):
            response_admin.quarantine_responses([found.uuid], "thử", "admin")
        db.session.rollback()
        # deleting it subtracts nothing: its answers were never counted
        assert response_admin.delete_responses([response_id], "admin", "thử") == 1
        db.session.commit()
        assert aggregates.differences() == []
        assert _figures() == before


def test_the_export_says_that_investigations_are_left_out():
    vi = [line for line in method_lines(About(STREAM), 0, "vi")]
    en = [line for line in method_lines(About(STREAM), 0, "en")]
    assert ["Điều tra chọn mẫu", SAMPLED_LEFT_OUT[0]] in vi
    assert ["Sampled investigations", SAMPLED_LEFT_OUT[1]] in en


def test_migration_0016_marks_the_responses_stored_before_it(tmp_path, capsys):
    """A database at 0015 whose investigation response was counted in the roll-ups (as every
    response was then): 0016 marks it from its case and says to rebuild; the rebuild then
    takes it out of the figures."""
    from flask_migrate import downgrade, stamp, upgrade

    with fieldwork_app(tmp_path) as app, app.app_context():
        # the test schema is the models' (create_all), which is what the migrations build
        stamp(revision="0016")
        _ordinary(3)
        baseline = _figures()
        pairs_before = db.session.execute(select(func.sum(ElementPairYear.n))).scalar()
        first, second = _case_ids(2)
        response_ids = [_by_link(first, 1, "chờ lâu quá"), _on_paper(second, 3)]
        inv_id = investigation().id
        db.session.remove()

        # Triggers that read `response` stop SQLite from rebuilding the table (0016's
        # downgrade); in a real chain the later revisions that made them drop them first.
        triggers = db.session.execute(db.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
        for name, _ in triggers:
            db.session.execute(db.text(f'DROP TRIGGER "{name}"'))
        db.session.commit()
        downgrade(revision="0015")
        assert "investigation_id" not in {
            c["name"] for c in db.inspect(db.engine).get_columns("response")}
        # as 0015's store did: the answers counted in every roll-up
        counted = response_admin.count_responses(Response.id.in_(response_ids), sign=1)
        db.session.commit()
        assert counted == 2

        capsys.readouterr()
        upgrade(revision="0016")  # its log goes to stderr (migrations/alembic.ini)
        told = capsys.readouterr().err
        marked = db.session.execute(select(Response.id, Response.investigation_id).where(
            Response.investigation_id.is_not(None)).order_by(Response.id)).all()
        assert [tuple(row) for row in marked] == [(rid, inv_id) for rid in response_ids]
        assert "2 response(s)" in told and "hailong aggregates rebuild" in told
        for _, sql in triggers:
            db.session.execute(db.text(sql))
        db.session.commit()
        # until the rebuild the roll-ups still hold them, and the check says so
        assert aggregates.differences() != []
        assert _figures()["rolled"] != baseline["rolled"]
        aggregates.rebuild()
        db.session.commit()
        assert aggregates.differences() == []
        assert _figures() == baseline
        assert db.session.execute(select(func.sum(ElementPairYear.n))).scalar() == pairs_before
        db.engine.dispose()


# A database at 0015, written in SQL as that revision's schema has it (the models have moved
# on): a questionnaire, a unit, an investigation with one frame dossier drawn and completed by
# response 1; response 2 is an ordinary one.
AT_0015 = [
    "INSERT INTO questionnaire (id, code, kind, title_vi, title_en, status, updated_at) "
    "VALUES (1, 'q', 'survey', 'Phiếu', '', 'active', '2025-01-01 00:00:00')",
    "INSERT INTO questionnaire_version (id, questionnaire_id, number, definition, content_hash, "
    "published_at, published_by) VALUES (1, 1, 1, '{}', '" + "0" * 64 + "', "
    "'2025-01-01 00:00:00', 'test')",
    "INSERT INTO unit (id, code, name_vi, name_en, level, path) "
    "VALUES (1, 'P', 'Tỉnh', '', 'province', '/1/')",
    "INSERT INTO investigation (id, code, name, questionnaire_id, period_from, period_to, "
    "status, seed, design, frame_file, frame_rows, created_by, created_at) VALUES (7, 'DT', "
    "'Điều tra', 1, '2025-01-01', '2025-12-31', 'fieldwork', 1, '{}', 'f.csv', 1, 'test', "
    "'2025-01-01 00:00:00')",
    "INSERT INTO frame_dossier (id, investigation_id, line, dossier_code, procedure_code, "
    "unit_id, service_area_id, applicant_type, resolved_on, stratum_key, psu_key) "
    "VALUES (1, 7, 2, 'HS-1', 'LAND-01', 1, 1, 'individual', '2025-03-01', 'all', 'HS-1')",
    *(f"INSERT INTO response (id, uuid, version_id, unit_id, channel, submitted_at, "
      f"received_at, year, month) VALUES ({i}, '{uuid.UUID(int=i).hex}', 1, 1, 'web', "
      f"'2025-06-01 03:00:00', '2025-06-01 03:00:00', 2025, 6)" for i in (1, 2)),
    "INSERT INTO sample_case (id, investigation_id, frame_dossier_id, stratum_key, psu_key, "
    "psu_probability, unit_probability, inclusion, design_weight, status, status_at, "
    "response_id) VALUES (1, 7, 1, 'all', 'HS-1', 1, 0.5, 0.5, 2, 'completed', "
    "'2025-06-01 03:00:00', 1)",
]


def test_migration_0016_backfills_on_each_engine(database_url, capsys):
    from flask_migrate import upgrade

    from tests.conftest import make_app

    app = make_app(database_url)
    with app.app_context():
        upgrade(revision="0015")
        for statement in AT_0015:
            db.session.execute(db.text(statement))
        db.session.commit()
        capsys.readouterr()
        upgrade(revision="0016")
        assert "1 response(s)" in capsys.readouterr().err
        marked = db.session.execute(db.text(
            "SELECT id, investigation_id FROM response ORDER BY id")).all()
        assert [tuple(row) for row in marked] == [(1, 7), (2, None)]
        db.session.remove()
        db.engine.dispose()
