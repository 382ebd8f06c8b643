"""The storage layer against a real PostgreSQL server."""

import uuid

import pytest
from sqlalchemy.exc import IntegrityError

from survey.extensions import db
from survey.models import Answer, Response
from tests import factories
from tests.migrations_check import round_trip, upgrade_and_compare

pytestmark = pytest.mark.postgres


def test_migrations_build_the_model_schema(pg_app):
    assert upgrade_and_compare(pg_app) == []
    assert set(db.metadata.tables) <= round_trip(pg_app)


def test_duplicate_response_uuid_is_refused(pg_ctx):
    v, u = factories.version(), factories.unit()
    same = uuid.uuid4()
    factories.response(v, u, uuid=same)
    with pytest.raises(IntegrityError):
        factories.response(v, u, uuid=same)


def test_answer_without_response_is_refused(pg_ctx):
    db.session.add(Answer(response_id=987654, item_code="q1", value_int=3))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_vietnamese_text_round_trips(pg_ctx):
    r = factories.response(factories.version(), factories.unit())
    comment = "Cán bộ tiếp đón nhiệt tình, thủ tục nhanh gọn. Cảm ơn!"
    db.session.add(Answer(response_id=r.id, item_code="comment", value_text=comment))
    db.session.commit()
    stored = db.session.execute(
        db.select(Answer.value_text).filter_by(response_id=r.id)
    ).scalar_one()
    assert stored == comment
    assert db.session.get(Response, r.id).uuid == r.uuid
