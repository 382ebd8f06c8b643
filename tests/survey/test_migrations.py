from survey.extensions import db
from tests.conftest import make_app
from tests.migrations_check import round_trip, upgrade_and_compare


def test_migrations_build_the_model_schema_on_sqlite(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'm.db'}")
    assert upgrade_and_compare(app) == []
    tables = round_trip(app)
    assert set(db.metadata.tables) <= tables
