"""`hailong link ...` and `hailong years ...`: public web links, and closing reporting years."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from survey.cli.errors import fail
from survey.extensions import db


@click.group()
def link() -> None:
    """Public web links an officer hands out (the "web" channel's proof)."""


@link.command("create")
@click.argument("label")
@click.option("--unit", "unit_code", required=True)
@click.option("--questionnaire", required=True)
@click.option("--days", type=int, help="the link stops working after this many days")
@with_appcontext
def create_link(label: str, unit_code: str, questionnaire: str, days: int | None) -> None:
    """Issue a web link and print it."""
    from survey.services.kiosks import KioskRequestInvalid
    from survey.services.tokens import link_token
    from survey.services.web_links import create_link as create

    try:
        row = create(label, unit_code, questionnaire, actor="cli", days=days)
    except KioskRequestInvalid as invalid:
        fail(str(invalid))
    db.session.commit()
    click.echo(f"Web link {row.id} ({row.label}): open /w/{link_token(row)}")


@link.command("revoke")
@click.argument("link_id", type=int)
@with_appcontext
def revoke_link(link_id: int) -> None:
    """Switch a web link off."""
    from survey.services.kiosks import KioskRequestInvalid
    from survey.services.web_links import revoke_link as revoke

    try:
        revoke(link_id, actor="cli")
    except KioskRequestInvalid as invalid:
        fail(str(invalid))
    db.session.commit()
    click.echo(f"Web link {link_id} switched off.")


@click.group()
def years() -> None:
    """Reporting years: close one when its report is signed, so its figures cannot move."""


@years.command("close")
@click.argument("year", type=int)
@with_appcontext
def close(year: int) -> None:
    """Refuse every answer dated in YEAR from now on (the year must have ended)."""
    from survey.services.closed_years import YearError, close_year

    try:
        close_year(year, actor="cli")
    except YearError as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"{year} is closed for reporting.")


@years.command("reopen")
@click.argument("year", type=int)
@click.option("--reason", required=True, help="kept in the audit log")
@with_appcontext
def reopen(year: int, reason: str) -> None:
    """Accept answers dated in YEAR again (a documented correction)."""
    from survey.services.closed_years import YearError, reopen_year

    try:
        reopen_year(year, actor="cli", reason=reason)
    except YearError as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"{year} is open again.")


@years.command("list")
@with_appcontext
def list_years() -> None:
    """Print the closed years."""
    from survey.services.closed_years import closed_years

    found = closed_years()
    click.echo(", ".join(map(str, found)) if found else "No year is closed.")
