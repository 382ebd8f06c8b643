"""`hailong report --json`: the analysis API's documents from the command line; and
`hailong report council --format docx|pdf|xlsx`: the council report's files, as the
dashboard's downloads write them."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.services.periods import YEARS

REPORTS = ("indices", "trends", "elements", "weighted", "council")
COUNCIL_FORMATS = ("docx", "pdf", "xlsx")
FILTER_OPTIONS = ("questionnaire", "service-area", "unit", "level", "channel",
                  "respondent-type", "from", "to", "stream")


def filter_options(command):
    """The API's filters as options (--service-area for service_area, and so on)."""
    for name in reversed(FILTER_OPTIONS):
        target = {"from": "year_from", "to": "year_to"}.get(name, name.replace("-", "_"))
        command = click.option(f"--{name}", target)(command)
    return command


def option_error(error) -> click.BadParameter:
    """A report request refused (a ScopeError) as the option that caused it: --service-area."""
    return click.BadParameter(str(error), param_hint=f"--{error.parameter.replace('_', '-')}")


def filter_args(options: dict) -> dict:
    """Click's option values back to the API's parameter names, dropping the unset ones."""
    names = {"year_from": "from", "year_to": "to"}
    return {names.get(k, k): v for k, v in options.items() if v is not None}


@click.command()
@click.argument("report", type=click.Choice(REPORTS), default="indices")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON (indices, trends, elements, weighted).")
@click.option("--format", "file_format", type=click.Choice(COUNCIL_FORMATS),
              help="council: write the report as DOCX, PDF or XLSX.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="council: the file to write (default: its own name, e.g. "
                   "bao-cao-hai-long-2025.docx).")
@click.option("--year", type=click.IntRange(*YEARS),
              help="council: the report's year (default: the last complete year).")
@click.option("--lang", type=click.Choice(("vi", "en")), default="vi", show_default=True,
              help="council: the document's language.")
@filter_options
@click.option("--by")
@click.option("--measure")
@click.option("--rollup")
@with_appcontext
def report(report: str, as_json: bool, file_format: str | None, output: str | None,
           year: int | None, lang: str, **options) -> None:
    """Print a report (indices, trends, elements, weighted) as the API would answer it, or
    write the council report (council --format docx|pdf|xlsx)."""
    if report == "council":
        _council(file_format, output, year, lang, filter_args(options))
        return
    if not as_json:
        raise click.UsageError("--json is required for this report (the only format).")
    from survey.services import reporting
    from survey.services.reporting.arguments import scope_from, shape_from
    from survey.services.reporting.elements import elements
    from survey.services.reporting.weighted import weighted

    args = filter_args(options)
    benchmark = current_app.config["SATISFACTION_BENCHMARK"]
    try:
        scope = scope_from(args)
        if report in ("indices", "trends"):
            grouping, measure = shape_from(args, "year" if report == "indices" else "")
            stream = reporting.resolve_stream(scope)
            run = reporting.indices if report == "indices" else reporting.trends
            document = run(scope, grouping, measure, benchmark, stream)
        elif report == "elements":
            document = elements(scope, benchmark)
        else:
            document = weighted(scope, benchmark)
    except reporting.ScopeError as error:
        raise option_error(error) from error
    click.echo(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))


def _council(file_format: str | None, output: str | None, year: int | None, lang: str,
             args: dict) -> None:
    from survey.dashboard.views_report import council_file
    from survey.services import reporting
    from survey.services.reporting.arguments import scope_from

    if file_format is None:
        raise click.UsageError("council needs --format docx, pdf or xlsx.")
    # The names and words come from the request's language, as on the dashboard.
    with current_app.test_request_context(query_string={"lang": lang}):
        try:
            scope = scope_from(args)
        except reporting.ScopeError as error:
            raise option_error(error) from error
        data, name = council_file(file_format, scope, year)
    path = output or name
    with open(path, "wb") as out:
        out.write(data)
    click.echo(f"{path}: {len(data):,} bytes")
