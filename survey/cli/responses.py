"""`hailong import-responses FILE` (paper questionnaires) and `hailong responses ...`: set a burst
aside, put it back, list what is set aside, delete responses.

Times without an offset are the province's local time (UTC+7), as in every import.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from survey.cli.errors import fail
from survey.extensions import db

ACTOR = "cli"


@click.group()
def responses() -> None:
    """Stored responses: set aside from the figures, put back, or removed."""


class _Instant(click.ParamType):
    name = "time"

    def convert(self, value, param, ctx):
        from survey.services.periods import LOCAL_TZ

        if isinstance(value, datetime):
            return value
        try:
            at = datetime.fromisoformat(value.strip())
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time, e.g. 2025-03-04T09:30:00", param, ctx)
        return at if at.tzinfo else at.replace(tzinfo=LOCAL_TZ)


class _Uuid(click.ParamType):
    name = "uuid"

    def convert(self, value, param, ctx):
        try:
            return value if isinstance(value, uuid.UUID) else uuid.UUID(value)
        except ValueError:
            self.fail(f"{value!r} is not a response id (UUID)", param, ctx)


@responses.command()
@click.option("--kiosk", "kiosk_id", type=int, help="The kiosk the burst came through.")
@click.option("--desk", "desk_id", type=int, help="The desk whose poster QR code it came through.")
@click.option("--link", "link_id", type=int, help="The web link it came through.")
@click.option("--response", "uuids", type=_Uuid(), multiple=True,
              help="A response chosen by hand (repeat the option); instead of a source.")
@click.option("--from", "first_at", type=_Instant(), help="The first submission time included.")
@click.option("--to", "last_at", type=_Instant(), help="The last submission time included.")
@click.option("--reason", required=True, help="Why, for the audit log and the anomalies page.")
@with_appcontext
def quarantine(kiosk_id: int | None, desk_id: int | None, link_id: int | None,
               uuids: tuple[uuid.UUID, ...], first_at: datetime | None,
               last_at: datetime | None, reason: str) -> None:
    """Set aside the responses through one source within a time window (or chosen by hand):
    they stay stored but count in no figure until restored."""
    from survey.services.responses import admin as response_admin

    chosen = {name: value for name, value in (("kiosk", kiosk_id), ("desk", desk_id),
                                              ("link", link_id)) if value is not None}
    if len(chosen) + bool(uuids) != 1:
        raise click.UsageError("give exactly one of --kiosk, --desk, --link or --response")
    try:
        if uuids:
            if first_at or last_at:
                raise click.UsageError("--from and --to go with a source, not with --response")
            row = response_admin.quarantine_responses(uuids, reason, ACTOR)
        else:
            if first_at is None or last_at is None:
                raise click.UsageError("give the window with --from and --to")
            (source, source_id), = chosen.items()
            row = response_admin.quarantine_burst(source, source_id, first_at, last_at, reason,
                                                  ACTOR)
    except response_admin.QuarantineError as error:
        fail(str(error))
    db.session.commit()
    if row is None:
        click.echo("Nothing to quarantine: no such response is left in the figures.")
    else:
        click.echo(f"Quarantine {row.id}: {row.responses} response(s) set aside.")


@responses.command()
@click.argument("quarantine_id", type=int)
@with_appcontext
def restore(quarantine_id: int) -> None:
    """Put a quarantine's responses back into the figures."""
    from survey.services.responses import admin as response_admin

    try:
        restored = response_admin.restore(quarantine_id, ACTOR)
    except response_admin.QuarantineError as error:
        fail(str(error))
    db.session.commit()
    if restored:
        click.echo(f"Quarantine {quarantine_id}: {restored} response(s) restored.")
    else:
        click.echo(f"Quarantine {quarantine_id} was restored already; nothing changed.")


@responses.command("quarantines")
@with_appcontext
def list_quarantines() -> None:
    """The latest quarantines, newest first."""
    from survey.services.responses import admin as response_admin

    for q in response_admin.quarantines():
        status = (f"restored {q.restored_at:%Y-%m-%d %H:%M} by {q.restored_by}"
                  if q.restored_at else "in quarantine")
        click.echo(f"{q.id}\t{q.kind}\t{q.source_name or '-'}\t{q.first_at.isoformat()}\t"
                   f"{q.last_at.isoformat()}\t{q.responses}\t{status}\t{q.reason}")


@responses.command()
@click.argument("uuids", nargs=-1, required=True, type=_Uuid())
@click.option("--reason", required=True, help="Why, for the audit log.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def delete(uuids: tuple[uuid.UUID, ...], reason: str, yes: bool) -> None:
    """Delete responses for good (test entries, spam); their answers leave the figures.
    Prefer quarantine, which can be undone."""
    from survey.services.responses import admin as response_admin

    if not reason.strip():  # the audit log is the only trace a deletion leaves
        raise click.BadParameter("say why the responses are deleted", param_hint="--reason")
    ids = response_admin.response_ids(uuids)
    missing = [str(u) for u in uuids if u not in ids]
    if missing:
        raise click.ClickException(f"no response {missing[0]}; nothing deleted")
    if not yes:
        click.confirm(f"Delete {len(ids)} response(s) for good?", abort=True)
    deleted = response_admin.delete_responses(ids.values(), ACTOR, reason.strip())
    db.session.commit()
    click.echo(f"{deleted} response(s) deleted.")


@click.command("import-responses")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_responses(file: Path) -> None:
    """Import paper questionnaires from CSV or XLSX (nothing is imported if any row is wrong)."""
    from survey.cli.progress import bar
    from survey.services.imports import ImportRejected
    from survey.services.paper_import import import_file

    try:
        with bar(f"Checking {file.name}") as progress:
            result = import_file(file, progress=progress)
    except (ImportRejected, UnicodeDecodeError) as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"{result.imported} response(s) imported, {result.already_present} already "
               "present.")
