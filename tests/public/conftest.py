"""One small demo province for the public scoreboard's tests (demo at scale 0.1: about 150
answers a year, so districts, communes and two services fall under 30 and complementary
suppression hides larger neighbours too)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from survey.extensions import db
from tests.conftest import make_app
from tests.survey import reporting_data as data


@pytest.fixture(scope="package")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("public") / "public.db"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
    keys = data.build(app, scale=0.1)
    with app.app_context():
        db.engine.dispose()
    return f"sqlite:///{path}", keys


def new_app(url: str, **config):
    """A fresh app (its own cache, like a new worker) on the demo database."""
    return make_app(url, **config)


@pytest.fixture
def demo(demo_db):
    app = new_app(demo_db[0])
    yield app, demo_db[1]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class QueryCounter:
    """Statements sent to the database by an app's engine while counting."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.statements: list[str] = []

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def queries(self) -> list[str]:
        """The statements that ask for data (not BEGIN, COMMIT, ROLLBACK, SAVEPOINT)."""
        control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
        return [s for s in self.statements if not s.lstrip().upper().startswith(control)]
