"""`hailong records ...`: the procedure catalogue, dossier statistics and the PAR INDEX."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from survey.extensions import db


@click.group()
def records() -> None:
    """Administrative records: procedures, dossier statistics, PAR INDEX."""


def _import(function, file: Path):
    from survey.cli.progress import bar
    from survey.services.imports import ImportRejected

    try:
        with bar(f"Checking {file.name}") as progress:
            result = function(file.read_bytes(), str(file), progress=progress)
    except ImportRejected as rejected:
        db.session.rollback()
        raise click.ClickException(str(rejected)) from None
    db.session.commit()
    return result


@records.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_stats(file: Path) -> None:
    """Import dossier statistics (CSV or XLSX); re-importing a period replaces it."""
    from survey.services.records.imports import import_dossier_stats

    result = _import(import_dossier_stats, file)
    click.echo(f"{result.rows} row(s) imported, {result.replaced} old row(s) replaced.")


@records.command("procedures")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_procedures(file: Path) -> None:
    """Import the procedure catalogue: code,name_vi,name_en,service_area,level,procedure_group."""
    from survey.services.records.imports import import_procedures as run

    result = _import(run, file)
    click.echo(f"{result.created} procedure(s) created, {result.updated} updated.")


@records.command("template")
def template() -> None:
    """Print a CSV template for the dossier statistics."""
    from survey.services.records.imports import stats_template_csv

    click.echo(stats_template_csv(), nl=False)


@records.command("par-index")
@click.argument("year", type=click.IntRange(1990, 2200))
@click.argument("score", type=click.FloatRange(0, 100))
@click.option("--rank", type=click.IntRange(1, 1000))
@click.option("--method-break", is_flag=True, help="The method changed from the year before.")
@click.option("--note", default="")
@with_appcontext
def par_index(year: int, score: float, rank: int | None, method_break: bool, note: str) -> None:
    """Enter (or correct) one year of the PAR INDEX."""
    from survey.services.records.par_index import set_entry

    set_entry(year, score, rank, method_break, note, actor="cli")
    db.session.commit()
    click.echo(f"PAR INDEX {year}: {score}")
