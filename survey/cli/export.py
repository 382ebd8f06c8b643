"""`hailong export`: responses as CSV, XLSX, SPSS .sav or JSON, with an optional codebook.

An export holds one stream (the sample survey unless --stream or --questionnaire says
otherwise; docs/METHODOLOGY.md §7): its file is named by that stream when --out is a directory or
left out, and the command says on stderr how many responses of the other stream it left out.
On a terminal a progress bar runs on stderr; piped or redirected, nothing but the messages.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click
from flask.cli import with_appcontext

from survey.cli.report import filter_args, filter_options, option_error
from survey.services.exports import FORMATS

STEP = 1_000  # rows between two moves of the progress bar
STREAM_WORDS = {"survey": "sample survey", "dossier_rating": "per-dossier rating"}


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="File format (default: from the --out extension, else csv).")
@click.option("--out", type=click.Path(file_okay=True, path_type=Path), default=None,
              help="The file to write, or a directory for a file named by stream and years "
                   "(hailong-survey-2025.csv); default: that name in the current directory.")
@click.option("--codebook", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the codebook (variables, labels, value labels) as CSV.")
@click.option("--lang", type=click.Choice(("vi", "en")), default="vi",
              help="Language of the labels in .sav and .xlsx files.")
@click.option("--quarantined", type=click.Choice(("exclude", "include", "only")),
              default="exclude", show_default=True,
              help="Quarantined responses count in no figure and are left out; an "
                   "administrator may take them too, or only them.")
@filter_options
@with_appcontext
def export(fmt: str | None, out: Path | None, codebook: Path | None, lang: str,
           quarantined: str, **options) -> None:
    """Export responses in the layout `hailong import-responses` reads back."""
    from survey.services import exports
    from survey.services.exports.writers import ExportTooLarge
    from survey.services.reporting import ScopeError
    from survey.services.reporting.arguments import scope_from

    named = out is not None and not out.is_dir()
    fmt = fmt or (out.suffix.lstrip(".").lower() if named else "csv")
    if fmt not in FORMATS:
        raise click.BadParameter(f"give --format ({', '.join(FORMATS)})", param_hint="--format")
    args = filter_args(options)
    try:
        scope = scope_from(args)
        table = exports.export_table(scope, quarantined=quarantined)
        stream = table.stream
        counted = exports.count_stream(scope, stream, quarantined)
        years = exports.years_of(scope, counted)
        table.about = replace(table.about, years=years)
        if not named:
            out = (out or Path.cwd()) / exports.file_name(stream, years, fmt)
        with _progress(counted.responses, stream) as bar:
            rows = _Counter(table.rows, bar)
            exports.write(fmt, table.columns, rows, out, lang, table.about)
    except ScopeError as error:
        raise option_error(error) from error
    except ExportTooLarge as error:
        out.unlink(missing_ok=True)
        raise click.ClickException(str(error)) from error
    if codebook:
        exports.write_codebook(table.columns, codebook)
    click.echo(f"{rows.count} response(s) written to {out} ({STREAM_WORDS[stream]} stream).")
    if "stream" not in args and not scope.questionnaires:
        _tell_left_out(scope, stream, quarantined)


def _tell_left_out(scope, stream: str, quarantined: str) -> None:
    """An export without --stream takes the sample survey: say what it did not take."""
    from survey.services import exports

    other = exports.other_stream(stream)
    left = exports.count_stream(scope, other, quarantined).responses
    if left:
        click.echo(f"Note: {left} {STREAM_WORDS[other]} response(s) in these filters were left "
                   f"out: an export holds one stream, never both (METHODOLOGY §7). Add "
                   f"--stream {other} to export them.", err=True)


def _progress(total: int, stream: str):
    """A progress bar on stderr when it is a terminal; hidden when piped or redirected."""
    stderr = sys.stderr  # looked up now: a test runner may have replaced it
    return click.progressbar(length=total, label=f"Exporting the {STREAM_WORDS[stream]} stream",
                             file=stderr, hidden=not _is_terminal(stderr), show_pos=True,
                             show_percent=True)


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


class _Counter:
    """Counts the rows a writer consumed, without collecting them, and moves the bar."""

    def __init__(self, rows, bar):
        self.rows, self.bar, self.count = rows, bar, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            if self.count % STEP == 0:
                self.bar.update(STEP)
            yield row
        self.bar.update(self.count % STEP)
