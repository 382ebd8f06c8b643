"""`hailong aggregates ...`: recompute or verify the maintained answer counts."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from survey.cli.progress import bar
from survey.extensions import db


@click.group()
def aggregates() -> None:
    """The answer counts the reports read."""


@aggregates.command()
@with_appcontext
def rebuild() -> None:
    """Recompute every count from the raw answers."""
    from survey.services.aggregates import rebuild as run

    with bar("Recomputing the roll-up tables") as progress:
        rows = run(progress)
    db.session.commit()
    click.echo(f"answer_count rebuilt: {rows} row(s).")


@aggregates.command()
@with_appcontext
def check() -> None:
    """Compare the counts with a fresh recomputation; exit status 1 when they differ."""
    from survey.services.aggregates import differences

    with bar("Comparing the roll-up tables") as progress:
        wrong = differences(progress)
    for table, key, kept, fresh in wrong[:20]:
        click.echo(f"{table} {key}: kept {kept}, recomputed {fresh}")
    if wrong:
        raise click.ClickException(f"{len(wrong)} count(s) differ; run `hailong aggregates "
                                   "rebuild`")
    click.echo("answer_count equals the raw answers.")


@aggregates.command()
@with_appcontext
def fold() -> None:
    """Move counts appended by submissions into the roll-ups (PostgreSQL; SQLite has none).

    Reports fold by themselves; run this from a timer when dashboards read a replica.
    """
    from survey.services.aggregates import fold as run

    click.echo(f"folded {run()} appended count(s).")
