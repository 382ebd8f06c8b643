"""The same demo and commands on PostgreSQL give the same data as on SQLite."""

import pytest

from survey.extensions import db
from survey.services.demo import load_demo
from tests.conftest import make_app
from tests.survey.test_demo import fingerprint

pytestmark = pytest.mark.postgres


def test_demo_on_postgres_equals_demo_on_sqlite(pg_ctx, tmp_path):
    load_demo(scale=0.03)
    db.session.commit()
    on_postgres = fingerprint()
    lite = make_app(f"sqlite:///{tmp_path / 'lite.db'}")
    with lite.app_context():
        db.create_all()
        load_demo(scale=0.03)
        db.session.commit()
        on_sqlite = fingerprint()
        db.engine.dispose()
    assert on_postgres == on_sqlite and len(on_postgres) > 100


def test_init_twice_and_create_user_on_postgres(pg_database):
    app = make_app(pg_database)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0 and "password:" in first.output, first.output
    assert runner.invoke(args=["init"]).exit_code == 0
    made = runner.invoke(args=["create-user", "hoa", "--role", "designer"], input="x" * 12 + "\n")
    assert made.exit_code == 0, made.output
    with app.app_context():
        db.engine.dispose()
