"""Shared checks that the Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from survey.extensions import db
from survey.models import comment_search


def upgrade_and_compare(app) -> list:
    """Upgrade an empty database to head; return the differences from the models."""
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_name": comment_search.include_name})
            return compare_metadata(context, db.metadata)


def round_trip(app) -> set[str]:
    """Downgrade to nothing and upgrade again; return the tables that exist after."""
    with app.app_context():
        downgrade(revision="base")
        upgrade()
        return set(db.inspect(db.engine).get_table_names())
