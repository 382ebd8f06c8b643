"""`hailong units ...`: the unit hierarchy and the units' lives (import the tree, import and list
the events that merged, split, renamed, moved or abolished units, carry what is attached when an
event falls due; issue #19)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.cli.errors import fail
from survey.extensions import db


@click.group()
def units() -> None:
    """The unit hierarchy."""


@units.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def units_import(file: Path) -> None:
    """Import units from CSV: code,name_vi,name_en,level,parent_code."""
    from survey.services.imports import ImportRejected
    from survey.services.units import import_units_file

    try:
        result = import_units_file(file.read_bytes(), str(file))
    except ImportRejected as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"{result.created} unit(s) created, {result.updated} updated.")
    current_app.logger.info("units imported from %s", file)


@units.command("events-import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def events_import(file: Path) -> None:
    """Import unit events (merge, split, rename, move, abolish) from CSV, in date order."""
    from survey.services.imports import ImportRejected
    from survey.services.lineage.events_import import import_events_file

    try:
        result = import_events_file(file.read_bytes(), str(file))
    except ImportRejected as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"{result.recorded} event(s) recorded, {result.carried} attached thing(s) "
               "moved to successors.")


@units.command("events")
@click.option("--unit", "unit_code", help="Only the events of this unit (and those that made it).")
@with_appcontext
def events_list(unit_code: str | None) -> None:
    """List the recorded unit events, by date."""
    from survey.models import Unit
    from survey.services.lineage.events import all_events, unit_events

    if unit_code:
        unit = db.session.execute(db.select(Unit).filter_by(code=unit_code)).scalar_one_or_none()
        if unit is None:
            raise click.ClickException(f"unknown unit {unit_code!r}")
        rows = unit_events(unit)
    else:
        rows = all_events()
    for event in rows:
        detail = "; ".join(f"{s.unit.code}={s.share:g}" for s in event.successors)
        if event.kind == "move":
            detail = (f"{event.old_parent.code if event.old_parent else '-'} -> "
                      f"{event.new_parent.code if event.new_parent else '-'}")
        elif event.kind == "rename":
            detail = f"{event.old_name_vi} -> {event.new_name_vi}"
        decided = f" ({event.decision_date:%d/%m/%Y})" if event.decision_date else ""
        click.echo(f"{event.effective:%d/%m/%Y}  {event.unit.code:<16} {event.kind:<8} "
                   f"{detail}  [{event.decision_number}{decided}]")
    if not rows:
        click.echo("No unit events recorded.")


@units.command("carry-due")
@with_appcontext
def carry_due() -> None:
    """Move the kiosks, desks, tokens and accounts of units whose end came since their event
    was recorded ahead of its day (run daily, e.g. from cron)."""
    from survey.services.lineage.attached import carry_due as carry

    done = carry(actor="cli")
    db.session.commit()
    click.echo(f"{sum(c.total for c in done)} attached thing(s) moved.")
