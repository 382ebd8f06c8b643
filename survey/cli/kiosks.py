"""`hailong kiosk ...`: register kiosks, switch them off, re-issue their links."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from survey.extensions import db


@click.group()
def kiosk() -> None:
    """Kiosks at the one-stop desks."""


def _print_link(row) -> None:
    from survey.services.tokens import kiosk_token

    click.echo(f"Kiosk {row.id} ({row.name}): open /k/{kiosk_token(row)} on the kiosk")


@kiosk.command("create")
@click.argument("name")
@click.option("--unit", "unit_code", required=True)
@click.option("--desk", "desk_code")
@click.option("--questionnaire", default="dossier_rating", show_default=True)
@with_appcontext
def create(name: str, unit_code: str, desk_code: str | None, questionnaire: str) -> None:
    """Register a kiosk and print its link."""
    from survey.services.kiosks import KioskRequestInvalid, create_kiosk

    try:
        row = create_kiosk(name, unit_code, desk_code, questionnaire, actor="cli")
    except KioskRequestInvalid as invalid:
        db.session.rollback()
        raise click.ClickException(str(invalid)) from None
    db.session.commit()
    _print_link(row)


@kiosk.command("revoke")
@click.argument("kiosk_id", type=int)
@with_appcontext
def revoke(kiosk_id: int) -> None:
    """Switch a kiosk off; its link stops working."""
    from survey.services.kiosks import KioskRequestInvalid, revoke_kiosk

    try:
        revoke_kiosk(kiosk_id, actor="cli")
    except KioskRequestInvalid as invalid:
        raise click.ClickException(str(invalid)) from None
    db.session.commit()
    click.echo(f"Kiosk {kiosk_id} switched off.")


@kiosk.command("reissue")
@click.argument("kiosk_id", type=int)
@with_appcontext
def reissue(kiosk_id: int) -> None:
    """Give a kiosk a new link (the old one stops working) and print it."""
    from survey.services.kiosks import KioskRequestInvalid, reissue_kiosk

    try:
        row = reissue_kiosk(kiosk_id, actor="cli")
    except KioskRequestInvalid as invalid:
        raise click.ClickException(str(invalid)) from None
    db.session.commit()
    _print_link(row)
