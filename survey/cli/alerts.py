"""`hailong alerts watch | digest | rebuild`: the early warnings' daily and weekly runs (#23).

Meant for cron or a systemd timer (docs/EARLY_WARNING.md#schedule): `watch` each night for
yesterday, `digest` on Monday morning for the week before. Both are idempotent: watching a day
again creates and e-mails nothing twice, and a week's digest goes once to each address.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.extensions import db


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date as YYYY-MM-DD", param_hint=name) \
            from None


@click.group()
def alerts() -> None:
    """Early warnings: the daily watch, the weekly digest."""


@alerts.command("watch")
@click.option("--day", "day_text", default=None, help="the local day to watch, YYYY-MM-DD "
              "(default: yesterday)")
@click.option("--base-url", default="", help="the site's address, for the link in the e-mail "
              "(e.g. https://hailong.example.vn)")
@with_appcontext
def watch_command(day_text: str | None, base_url: str) -> None:
    """Refresh the daily roll-ups, watch the day, store and e-mail the new alerts."""
    from survey.services.alerts import AlertError, mail, watch

    day = _day(day_text, "--day")
    root = base_url.rstrip("/")
    try:
        watched = watch.watch(day, actor="cli")
        db.session.commit()
        notified = mail.notify(mail.pending(), current_app.config,
                               link_for=lambda alert: f"{root}/alerts/{alert.id}")
        db.session.commit()
    except AlertError as problem:
        db.session.rollback()
        raise click.ClickException(str(problem)) from None
    click.echo(f"{watched.day:%Y-%m-%d}: {watched.series} unit x service series with ratings, "
               f"{watched.charted} charted; {watched.kiosks} kiosk(s) with responses")
    told = {n.alert_id: n.detail for n in notified}
    for alert in watched.created:
        place = alert.unit.code + (f" kiosk {alert.kiosk_id} {alert.hour}h"
                                   if alert.kind == "burst" else "")
        click.echo(f"alert {alert.id} {alert.kind} {place}: {alert.statistic:.2f} > "
                   f"{alert.threshold:.2f}; {told.get(alert.id, '')}")
    click.echo(f"{len(watched.created)} new alert(s); {watched.existing} found already")


@alerts.command("digest")
@click.option("--week", "week_text", default=None, help="a day of the week to summarise, "
              "YYYY-MM-DD (default: last week)")
@click.option("--base-url", default="", help="the site's address, for the link in the e-mail")
@click.option("--force", is_flag=True, help="send again to addresses that had this week's")
@with_appcontext
def digest_command(week_text: str | None, base_url: str, force: bool) -> None:
    """E-mail the weekly digest to each recipient address, once."""
    from survey.models import now_utc
    from survey.services.alerts import AlertError, daily, mail

    day = _day(week_text, "--week") or daily.local_day(now_utc()) - timedelta(days=7)
    week = mail.week_of(day)
    try:
        done = mail.digest(week, current_app.config, link=f"{base_url.rstrip('/')}/alerts/",
                           force=force)
        db.session.commit()
    except AlertError as problem:
        db.session.rollback()
        raise click.ClickException(str(problem)) from None
    for item in done:
        state = "already sent" if item.already else item.detail
        click.echo(f"digest for {item.recipient_units}: {item.alerts} alert(s); {state}")
    if not done:
        click.echo("no recipient: set ALERT_EMAILS or FEEDBACK_LEADER_EMAILS")
    click.echo(f"week of {week:%Y-%m-%d}: {sum(d.sent for d in done)} digest(s) sent")


@alerts.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Recount the daily roll-ups of every day from the answers."""
    from survey.models import now_utc
    from survey.services.alerts import daily

    done = daily.rebuild(now_utc())
    db.session.commit()
    click.echo(f"{done.days} day(s) recounted: {done.rating_rows} unit x service day(s), "
               f"{done.kiosk_rows} kiosk hour(s)")
