"""Invariants the database itself enforces, whatever code writes to it."""

from datetime import datetime

import pytest
from sqlalchemy.exc import IntegrityError, StatementError

from survey.extensions import db
from survey.models import Answer, DossierStat, ServiceArea, User
from tests import factories


def test_answer_needs_a_value_or_missing_code(ctx):
    r = factories.response(factories.version(), factories.unit())
    db.session.add(Answer(response_id=r.id, item_code="q1"))
    with pytest.raises(IntegrityError, match="has_value"):
        db.session.flush()


def test_missing_code_excludes_a_value(ctx):
    r = factories.response(factories.version(), factories.unit())
    db.session.add(Answer(response_id=r.id, item_code="q1", value_int=4, missing_code=98))
    with pytest.raises(IntegrityError, match="missing_code"):
        db.session.flush()


def test_unknown_channel_is_refused(ctx):
    with pytest.raises(IntegrityError, match="channel"):
        factories.response(factories.version(), factories.unit(), channel="fax")


def test_answers_are_deleted_with_their_response(ctx):
    r = factories.response(factories.version(), factories.unit())
    db.session.add(Answer(response_id=r.id, item_code="q1", value_int=5))
    db.session.flush()
    db.session.delete(r)
    db.session.flush()
    assert db.session.execute(db.select(db.func.count()).select_from(Answer)).scalar() == 0


def test_unit_officer_needs_a_unit(ctx):
    db.session.add(User(username="o", password_hash="x", role="unit_officer"))
    with pytest.raises(IntegrityError, match="officer_unit"):
        db.session.flush()


def test_unbalanced_dossier_statistics_are_refused(ctx):
    u = factories.unit()
    area = db.session.execute(db.select(ServiceArea).filter_by(code="land")).scalar_one()
    stat = DossierStat(
        period_kind="year", year=2024, period_number=0, unit_id=u.id, service_area_id=area.id,
        received_online=10, received_direct=5, carried_over=0,
        resolved_early=3, resolved_on_time=10, resolved_late=1, pending_within=0,
        pending_overdue=0,
    )
    db.session.add(stat)
    with pytest.raises(IntegrityError, match="balanced"):
        db.session.flush()


def test_naive_timestamps_are_refused(ctx):
    with pytest.raises(StatementError, match="naive"):
        factories.response(
            factories.version(), factories.unit(), submitted_at=datetime(2025, 1, 1)
        )


def test_timestamps_come_back_aware(ctx):
    r = factories.response(factories.version(), factories.unit())
    db.session.commit()
    db.session.expire_all()
    assert r.submitted_at.utcoffset().total_seconds() == 0
