"""How a command fails: the session rolled back and one clear line, never a traceback."""

from __future__ import annotations

import click

from survey.extensions import db


def fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)
