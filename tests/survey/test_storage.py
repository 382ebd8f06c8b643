"""The storage layer on each database the app runs on (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set), with the schema the migrations build, as in production."""

import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy.exc import IntegrityError

from survey.extensions import db
from survey.models import Answer, Response
from survey.services.reference import load_service_areas
from tests import factories
from tests.conftest import make_app
from tests.migrations_check import round_trip, upgrade_and_compare


@pytest.fixture
def empty(database_url):
    app = make_app(database_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def migrated(empty):
    with empty.app_context():
        upgrade()
        load_service_areas()
        db.session.commit()
        yield
        db.session.rollback()


def test_migrations_build_the_model_schema(empty):
    assert upgrade_and_compare(empty) == []
    assert set(db.metadata.tables) <= round_trip(empty)


def test_duplicate_response_uuid_is_refused(migrated):
    v, u = factories.version(), factories.unit()
    same = uuid.uuid4()
    factories.response(v, u, uuid=same)
    with pytest.raises(IntegrityError):
        factories.response(v, u, uuid=same)


def test_answer_without_response_is_refused(migrated):
    db.session.add(Answer(response_id=987654, item_code="q1", value_int=3))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_vietnamese_text_round_trips(migrated):
    r = factories.response(factories.version(), factories.unit())
    response_id, response_uuid = r.id, r.uuid
    comment = "Cán bộ tiếp đón nhiệt tình, thủ tục nhanh gọn. Cảm ơn!"
    db.session.add(Answer(response_id=response_id, item_code="comment", value_text=comment))
    db.session.commit()
    db.session.expunge_all()  # read back from the database, not the session's objects
    stored = db.session.execute(
        db.select(Answer.value_text).filter_by(response_id=response_id)
    ).scalar_one()
    assert stored == comment
    assert db.session.get(Response, response_id).uuid == response_uuid
