"""The events file on SQLite and on PostgreSQL: the savepoint that makes a bad file record
nothing, the path refresh of a move and the carry of a merge behave the same on both."""

from __future__ import annotations

import pytest

from survey.extensions import db
from survey.models import Desk, UnitEvent, User
from survey.services.accounts import create_user
from survey.services.imports import ImportRejected
from survey.services.lineage.events_import import import_events_csv
from tests.conftest import make_app
from tests.lineage.reform import REFORM, TODAY, build, get
from tests.lineage.test_events_import import HEADER, REFORM_FILE


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    with app.app_context():
        db.create_all()
        build()
        db.session.add(Desk(unit=get("A"), code="MC", name_vi="Bàn"))
        create_user("officer_a", "correct horse battery", "unit_officer", "A")
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_bad_file_then_the_reform(app):
    with app.app_context():
        bad = REFORM_FILE + "B,merge,01/07/2025,N1,,E1,,,,\n"  # B merged twice on one day
        with pytest.raises(ImportRejected) as rejected:
            import_events_csv(bad, "reform.csv", "lan", today=TODAY)
        assert [(p.row, p.column) for p in rejected.value.problems] == [(9, "effective_date")]
        db.session.rollback()
        assert db.session.execute(db.select(db.func.count(UnitEvent.id))).scalar() == 0
        assert get("A").valid_to is None and get("F").path == "/P/D2/F/"
        assert import_events_csv(REFORM_FILE, "reform.csv", "lan", today=TODAY).recorded == 7
        db.session.commit()
    with app.app_context():
        assert get("D2").valid_to == REFORM and get("F1").path == "/P/F/F1/"
        desk = db.session.execute(db.select(Desk)).scalar_one()
        assert (desk.unit.code, desk.code) == ("AB", "A.MC")
        officer = db.session.execute(db.select(User).filter_by(username="officer_a")).scalar_one()
        assert officer.unit.code == "AB"


def test_only_the_header_is_wrong(app):
    with app.app_context(), pytest.raises(ImportRejected) as rejected:
        import_events_csv(HEADER.replace("event,", "kind,") + "A,merge,01/07/2025,N1,,AB,,,,\n",
                          "x.csv", today=TODAY)
    assert [(p.row, p.column) for p in rejected.value.problems] == [(1, "event")]
