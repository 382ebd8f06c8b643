"""`hailong jobs worker`: run background jobs in their own process (JOBS_CONSUMER=external)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group()
def jobs() -> None:
    """Background jobs (paper imports from the web)."""


@jobs.command()
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Jobs run at once (threads).")
@with_appcontext
def worker(workers: int) -> None:
    """Take queued jobs and run them until stopped (Ctrl-C or SIGTERM)."""
    from survey.jobs import jobs as queue

    consumer = queue(current_app._get_current_object()).huey.create_consumer(
        workers=workers, worker_type="thread")
    click.echo(f"running background jobs with {workers} worker thread(s)", err=True)
    consumer.run()
