"""The `hailong` console command: a FlaskGroup with the project's own commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from survey.extensions import db


def _create_app():
    from survey import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """hailong: citizen satisfaction with one-stop public services."""


def register(app) -> None:
    from survey.cli_aggregates import aggregates
    from survey.cli_backup import backup, restore
    from survey.cli_export import export
    from survey.cli_investigation import investigation
    from survey.cli_kiosks import kiosk
    from survey.cli_links import link, years
    from survey.cli_questionnaires import questionnaire
    from survey.cli_records import records
    from survey.cli_report import report
    from survey.cli_responses import responses
    from survey.cli_units import carry_due, events_import, events_list

    for command in (events_import, events_list, carry_due):
        units.add_command(command)

    for command in (init, demo, create_user, api_key, units, questionnaire, report,
                    import_responses, export, records, aggregates, backup, restore, kiosk,
                    link, years, investigation):
        app.cli.add_command(command)
    app.cli.add_command(responses)
    from survey.cli_feedback import feedback

    app.cli.add_command(feedback)
    from survey.jobs.cli import jobs

    app.cli.add_command(jobs)


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


@click.command()
@with_appcontext
def init() -> None:
    """Create or migrate the schema and load the reference data (safe to run twice)."""
    from flask_migrate import upgrade

    from survey.services.accounts import ensure_admin
    from survey.services.questionnaires import load_and_publish_builtins
    from survey.services.reference import load_service_areas

    upgrade()
    added = load_service_areas()
    published = [r.version for r in load_and_publish_builtins() if r.created]
    login = ensure_admin()
    db.session.commit()
    click.echo(f"Schema is current; {added} service area(s) added.")
    for version in published:
        click.echo(f"Published built-in questionnaire {version.questionnaire.code} "
                   f"version {version.number}.")
    if login:
        click.secho("An admin account was created. Its password is shown only this once:",
                    bold=True)
        click.secho(f"    username: {login[0]}\n    password: {login[1]}", fg="green", bold=True)


@click.command()
@click.option("--force", is_flag=True, help="Load even when real responses exist.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) if responses exist.")
@with_appcontext
def demo(force: bool, if_empty: bool) -> None:
    """Load the demo data set (a fictional province, three years of responses)."""
    from survey.services.demo import DemoRefused, load_demo

    try:
        summary = load_demo(force=force, skip_if_not_empty=if_empty)
    except DemoRefused as refused:
        _fail(str(refused))
    db.session.commit()
    click.echo(summary)


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, help="admin, designer, analyst, unit_officer, data_entry")
@click.option("--unit", "unit_code", help="Unit code (required for unit_officer).")
@with_appcontext
def create_user(username: str, role: str, unit_code: str | None) -> None:
    """Create a staff account; the password is read from a prompt or standard input."""
    from survey.services.accounts import AccountError
    from survey.services.accounts import create_user as create

    try:
        create(username, _read_password(), role, unit_code)
    except AccountError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"User {username!r} created with role {role}.")


@click.group("api-key")
def api_key() -> None:
    """API keys for machine clients (Authorization: Bearer KEY)."""


@api_key.command("create")
@click.argument("name")
@click.option("--role", required=True)
@click.option("--unit", "unit_code")
@with_appcontext
def api_key_create(name: str, role: str, unit_code: str | None) -> None:
    """Create a key and print it once; only its hash is stored."""
    from survey.services.accounts import AccountError, create_api_key

    try:
        new = create_api_key(name, role, unit_code)
    except AccountError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"API key {name!r} created. Store it now, it is not shown again:", err=True)
    click.echo(new.key)


@click.group()
def units() -> None:
    """The unit hierarchy."""


@units.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def units_import(file: Path) -> None:
    """Import units from CSV: code,name_vi,name_en,level,parent_code."""
    from survey.services.imports import ImportRejected
    from survey.services.units import import_units_file

    try:
        result = import_units_file(file.read_bytes(), str(file))
    except ImportRejected as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"{result.created} unit(s) created, {result.updated} updated.")
    current_app.logger.info("units imported from %s", file)


@click.command("import-responses")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_responses(file: Path) -> None:
    """Import paper questionnaires from CSV or XLSX (nothing is imported if any row is wrong)."""
    from survey.cli_progress import bar
    from survey.services.imports import ImportRejected
    from survey.services.paper_import import import_file

    try:
        with bar(f"Checking {file.name}") as progress:
            result = import_file(file, progress=progress)
    except (ImportRejected, UnicodeDecodeError) as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"{result.imported} response(s) imported, {result.already_present} already "
               "present.")
