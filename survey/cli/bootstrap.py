"""`hailong init` and `hailong demo`: the schema, the reference data and the demo data set."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from survey.cli.errors import fail
from survey.extensions import db


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
        fail(str(refused))
    db.session.commit()
    click.echo(summary)
