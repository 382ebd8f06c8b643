"""`hailong backup FILE` and `hailong restore FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.extensions import db
from survey.services import backup as service

FILE = click.Path(dir_okay=False, path_type=Path)
RUN = click.option("--run", "run_tools", is_flag=True,
                   help="PostgreSQL: run pg_dump/pg_restore instead of printing the recipe.")


def _url() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


def _recipe(command: service.PgCommand, run_tools: bool) -> None:
    if run_tools:
        try:
            service.run(command)
        except service.BackupError as error:
            raise click.ClickException(str(error)) from error
        return
    click.echo("PostgreSQL is backed up with its own tools. Run (the password, if any, is read "
               "from PGPASSWORD or ~/.pgpass):")
    click.echo(f"    {command.shown()}")
    click.echo("or add --run to let hailong run it.")


@click.command("backup")
@click.argument("file", type=FILE)
@RUN
@with_appcontext
def backup(file: Path, run_tools: bool) -> None:
    """Copy the database to FILE; safe while the server is running."""
    try:
        database = service.sqlite_file(_url())
        if database is None:
            _recipe(service.pg_dump_command(_url(), file), run_tools)
            if run_tools:
                click.echo(f"Backed up to {file}.")
            return
        service.backup_sqlite(db.engine, file)
    except service.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up {database} to {file}.")


def _pg_responses() -> int:
    from sqlalchemy import inspect

    from survey.models import Response

    if not inspect(db.engine).has_table(Response.__tablename__):
        return 0
    return db.session.execute(db.select(db.func.count()).select_from(Response)).scalar_one()


@click.command("restore")
@click.argument("file", type=FILE)
@click.option("--force", is_flag=True, help="Replace a database that holds responses.")
@RUN
@with_appcontext
def restore(file: Path, force: bool, run_tools: bool) -> None:
    """Replace the database by the backup FILE (stop the server first)."""
    try:
        database = service.sqlite_file(_url())
        if database is None:
            if run_tools:
                held = _pg_responses()
                db.session.remove()
                if held and not force:
                    raise service.BackupError(
                        f"the database holds {held} response(s); restoring would replace them."
                        " Use --force if that is what you want")
            _recipe(service.pg_restore_command(_url(), file), run_tools)
            if run_tools:
                click.echo(f"Restored from {file}.")
            return
        db.session.remove()
        service.restore_sqlite(db.engine, file, database, force=force)
    except service.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {database} from {file}.")
