"""Exports on PostgreSQL: the same file as on SQLite for the same data (drivers differ in what
they return for UUIDs and timestamps; the export writes them the same way)."""

import pytest

from survey.extensions import db
from survey.services import exports
from survey.services.demo import load_demo
from survey.services.reporting import Scope
from tests.conftest import make_app

pytestmark = pytest.mark.postgres


def _csv(stream: str, out) -> str:
    table = exports.export_table(Scope(stream=stream), chunk=50)  # several chunks
    exports.write_csv(table.columns, table.rows, out)
    return out.read_text(encoding="utf-8")


def test_csv_export_on_postgres_equals_sqlite(pg_ctx, tmp_path):
    load_demo(scale=0.02)
    db.session.commit()
    on_postgres = {s: _csv(s, tmp_path / f"pg-{s}.csv") for s in ("survey", "dossier_rating")}
    lite = make_app(f"sqlite:///{tmp_path / 'lite.db'}")
    with lite.app_context():
        db.create_all()
        load_demo(scale=0.02)
        db.session.commit()
        on_sqlite = {s: _csv(s, tmp_path / f"lite-{s}.csv") for s in on_postgres}
        db.engine.dispose()
    for stream, text in on_postgres.items():
        lines = text.splitlines()
        assert len(lines) > 20, stream
        # response ids are random per load: compare everything after them
        assert [line.split(",", 1)[1] for line in lines] == [
            line.split(",", 1)[1] for line in on_sqlite[stream].splitlines()], stream
