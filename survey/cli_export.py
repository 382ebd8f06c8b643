"""`hailong export`: responses as CSV, XLSX, SPSS .sav or JSON, with an optional codebook."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from survey.cli_report import filter_args, filter_options
from survey.services.exports import FORMATS


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="File format (default: from the --out extension).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--codebook", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the codebook (variables, labels, value labels) as CSV.")
@click.option("--lang", type=click.Choice(("vi", "en")), default="vi",
              help="Language of the .sav variable and value labels.")
@click.option("--quarantined", type=click.Choice(("exclude", "include", "only")),
              default="exclude", show_default=True,
              help="Quarantined responses count in no figure and are left out; an "
                   "administrator may take them too, or only them.")
@filter_options
@with_appcontext
def export(fmt: str | None, out: Path, codebook: Path | None, lang: str, quarantined: str,
           **options) -> None:
    """Export responses in the layout `hailong import-responses` reads back."""
    from survey.api.errors import BadParameter
    from survey.api.params import parse_scope
    from survey.services import exports
    from survey.services.exports.writers import ExportTooLarge
    from survey.services.reporting import ScopeError

    fmt = fmt or out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise click.BadParameter(f"give --format ({', '.join(FORMATS)})", param_hint="--format")
    args = filter_args(options)
    try:
        table = exports.export_table(parse_scope(args, None), quarantined=quarantined)
        counted = _Counter(table.rows)
        exports.write(fmt, table.columns, counted, out, lang)
    except (BadParameter, ScopeError) as error:
        name = getattr(error, "name", None) or getattr(error, "parameter", "")
        raise click.BadParameter(str(error), param_hint=f"--{name.replace('_', '-')}") from error
    except ExportTooLarge as error:
        out.unlink(missing_ok=True)
        raise click.ClickException(str(error)) from error
    if codebook:
        exports.write_codebook(table.columns, codebook)
    click.echo(f"{counted.count} response(s) written to {out}.")


class _Counter:
    """Counts the rows a writer consumed, without collecting them."""

    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row
