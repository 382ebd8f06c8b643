"""Alembic environment, run by Flask-Migrate inside the application context."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from survey.models import comment_search

config = context.config
# Keep the application's loggers: Alembic's default would silence them after a migration.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
engine = target_db.engine
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # An autogenerate that finds no change writes no empty revision file.
        if getattr(config.cmd_opts, "autogenerate", False):
            if directives[0].upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("compare_type", True)
    # the comment search's FTS5 tables and GIN index are made by hand, not by the models
    conf_args.setdefault("include_name", comment_search.include_name)

    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a SQLite table by copy, drop and rename; the drop would
            # break the foreign keys of the tables that reference it (SQLite counts those
            # breaks even when deferred, and a rename does not undo them). The pragma only
            # takes effect outside a transaction, so it goes to the driver's connection
            # (in autocommit: survey/database.py), around the migrations.
            _sqlite_foreign_keys(connection, on=False)
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        try:
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection, on: bool) -> None:
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
