"""`hailong report --json`: the analysis API's documents from the command line."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

REPORTS = ("indices", "trends", "elements", "weighted")
FILTER_OPTIONS = ("questionnaire", "service-area", "unit", "level", "channel",
                  "respondent-type", "from", "to", "stream")


def filter_options(command):
    """The API's filters as options (--service-area for service_area, and so on)."""
    for name in reversed(FILTER_OPTIONS):
        target = {"from": "year_from", "to": "year_to"}.get(name, name.replace("-", "_"))
        command = click.option(f"--{name}", target)(command)
    return command


def filter_args(options: dict) -> dict:
    """Click's option values back to the API's parameter names, dropping the unset ones."""
    names = {"year_from": "from", "year_to": "to"}
    return {names.get(k, k): v for k, v in options.items() if v is not None}


@click.command()
@click.argument("report", type=click.Choice(REPORTS), default="indices")
@click.option("--json", "as_json", is_flag=True, required=True,
              help="Print JSON (the only format for now).")
@filter_options
@click.option("--by")
@click.option("--measure")
@click.option("--rollup")
@with_appcontext
def report(report: str, as_json: bool, **options) -> None:
    """Print a report (indices, trends, elements, weighted) as the API would answer it."""
    from survey.api.errors import BadParameter
    from survey.api.params import parse_scope, parse_shape
    from survey.services import reporting
    from survey.services.reporting.elements import elements
    from survey.services.reporting.weighted import weighted

    args = filter_args(options)
    benchmark = current_app.config["SATISFACTION_BENCHMARK"]
    try:
        scope = parse_scope(args, None)
        if report in ("indices", "trends"):
            grouping, measure = parse_shape(args, "year" if report == "indices" else "")
            stream = reporting.resolve_stream(scope)
            run = reporting.indices if report == "indices" else reporting.trends
            document = run(scope, grouping, measure, benchmark, stream)
        elif report == "elements":
            document = elements(scope, benchmark)
        else:
            document = weighted(scope, benchmark)
    except (BadParameter, reporting.ScopeError) as error:
        name = getattr(error, "name", None) or getattr(error, "parameter", "")
        raise click.BadParameter(str(error), param_hint=f"--{name.replace('_', '-')}") from error
    click.echo(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))
