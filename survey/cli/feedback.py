"""`hailong feedback escalate`: tell the units' leaders about overdue feedback cases (#23).

Meant for cron or a systemd timer (once each working morning): each overdue case is
escalated once, so running it again, or twice a day, sends nothing twice.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.extensions import db


@click.group()
def feedback() -> None:
    """Feedback cases: the deadline's follow-up."""


@feedback.command("escalate")
@click.option("--base-url", default="", help="the site's address, for the link in the e-mail "
              "(e.g. https://hailong.example.vn)")
@with_appcontext
def escalate(base_url: str) -> None:
    """Escalate every case still unanswered past its deadline to its unit's leader."""
    from survey.services.feedback import FeedbackError
    from survey.services.feedback.escalation import escalate_overdue

    root = base_url.rstrip("/")
    try:
        done = escalate_overdue(current_app.config, actor="cli",
                                link_for=lambda case: f"{root}/feedback/cases/{case.id}")
    except FeedbackError as problem:
        db.session.rollback()
        raise click.ClickException(str(problem)) from None
    db.session.commit()
    for item in done:
        click.echo(f"case {item.case_id} ({item.unit_code}): {item.detail}")
    click.echo(f"{len(done)} case(s) escalated; "
               f"{sum(1 for item in done if not item.sent)} without an e-mail sent")
