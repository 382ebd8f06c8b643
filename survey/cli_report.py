"""`hailong report --json`: the analysis API's documents from the command line."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

REPORTS = ("indices", "trends", "elements", "weighted")


@click.command()
@click.argument("report", type=click.Choice(REPORTS), default="indices")
@click.option("--json", "as_json", is_flag=True, required=True,
              help="Print JSON (the only format for now).")
@click.option("--questionnaire")
@click.option("--service-area")
@click.option("--unit")
@click.option("--level")
@click.option("--channel")
@click.option("--respondent-type")
@click.option("--from", "year_from")
@click.option("--to", "year_to")
@click.option("--stream")
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

    args = {("from" if k == "year_from" else "to" if k == "year_to" else k): v
            for k, v in options.items() if v is not None}
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
