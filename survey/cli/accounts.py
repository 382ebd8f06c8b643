"""`hailong create-user` and `hailong api-key create`: staff accounts and machine clients."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from survey.cli.errors import fail
from survey.extensions import db


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
        fail(str(error))
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
        fail(str(error))
    db.session.commit()
    click.echo(f"API key {name!r} created. Store it now, it is not shown again:", err=True)
    click.echo(new.key)
