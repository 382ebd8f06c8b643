"""The `hailong` console command: a FlaskGroup with the project's own commands, one module per
command group in this package."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup


def _create_app():
    from survey import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """hailong: citizen satisfaction with one-stop public services."""


def register(app) -> None:
    # Imported here, not at the top: the commands pull in the services, which need the app's
    # extensions set up first.
    from survey.cli.accounts import api_key, create_user
    from survey.cli.aggregates import aggregates
    from survey.cli.alerts import alerts
    from survey.cli.backup import backup, restore
    from survey.cli.bootstrap import demo, init
    from survey.cli.export import export
    from survey.cli.feedback import feedback
    from survey.cli.investigation import investigation
    from survey.cli.jobs import jobs
    from survey.cli.kiosks import kiosk
    from survey.cli.links import link, years
    from survey.cli.questionnaires import questionnaire
    from survey.cli.records import records
    from survey.cli.report import report
    from survey.cli.responses import import_responses, responses
    from survey.cli.units import units

    for command in (init, demo, create_user, api_key, units, questionnaire, report,
                    import_responses, responses, export, records, aggregates, backup, restore,
                    kiosk, link, years, investigation, feedback, alerts, jobs):
        app.cli.add_command(command)
