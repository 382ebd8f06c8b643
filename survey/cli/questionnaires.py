"""`hailong questionnaire ...`: validate, load, publish, diff and export definitions."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

import questionnaires as qn
from survey.cli.errors import fail
from survey.extensions import db


@click.group()
def questionnaire() -> None:
    """Questionnaire definitions and their published versions."""


XLSFORM_SUFFIXES = (".xlsx", ".xls")


def _validate_xlsform(path: Path, strict: bool) -> bool:
    """Dry-run import of an XLSForm: errors on stdout, warnings on stderr; True if it failed."""
    try:
        result = qn.import_xlsform(path.read_bytes(), path.name, strict=strict)
    except qn.XlsformError as error:
        for problem in error.problems:
            click.echo(f"{path}: {problem}")
        return True
    for warning in result.warnings:
        click.echo(f"{path}: warning: {warning}", err=True)
    click.echo(f"{path}: ok ({len(result.questionnaire.items)} item(s), "
               f"{len(result.warnings)} warning(s))", err=True)
    return False


@questionnaire.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True,
              help="XLSForm: refuse a form on any warning (what it cannot carry over), for CI.")
def validate(files: tuple[Path, ...], strict: bool) -> None:
    """Check definition files (YAML, JSON, or XLSForm .xlsx/.xls as a dry-run import);
    print each problem as FILE:LINE:COL: CODE item: message."""
    failed = False
    for path in files:
        if path.suffix.lower() in XLSFORM_SUFFIXES:
            failed = _validate_xlsform(path, strict) or failed
            continue
        report = qn.check_file(path)
        for problem in (*report.errors, *report.warnings):
            click.echo(str(problem), err=problem in report.warnings)
        if report.errors:
            failed = True
        else:
            click.echo(f"{path}: ok ({len(report.warnings)} warning(s))", err=True)
    if failed:
        raise SystemExit(1)


@questionnaire.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def load(file: Path) -> None:
    """Create or update a draft from a definition file (publishing is a separate step)."""
    from survey.services.designer.io import load_yaml_file
    from survey.services.questionnaires import PublishRefused

    try:  # service areas the database does not know are refused at their line
        definition = load_yaml_file(file)
    except qn.DefinitionError as error:
        fail("\n".join(str(p) for p in error.problems))
    except PublishRefused as refused:
        fail(str(refused))
    db.session.commit()
    click.echo(f"Draft of {definition.code} saved ({len(definition.items)} items).")


@questionnaire.command()
@click.argument("code")
@click.option("--wording-only", is_flag=True,
              help="Items whose text changed keep their meaning (a wording revision: the "
                   "trend goes on); without it such a draft is refused.")
@with_appcontext
def publish(code: str, wording_only: bool) -> None:
    """Freeze the draft as the next immutable version."""
    from survey.services.questionnaires import PublishRefused, UnknownQuestionnaire
    from survey.services.questionnaires import publish as do_publish

    try:
        result = do_publish(code, wording_only=wording_only)
    except (PublishRefused, UnknownQuestionnaire) as error:
        fail(str(error))
    db.session.commit()
    if result.created:
        click.echo(f"Published {code} version {result.version.number}.")
    else:
        click.echo(f"{code}: the draft equals version {result.version.number}; nothing published.")


@questionnaire.command()
@click.argument("code")
@click.argument("old", type=int)
@click.argument("new", type=int)
@with_appcontext
def diff(code: str, old: int, new: int) -> None:
    """List the items added, removed and changed between two versions."""
    from survey.services.questionnaires import UnknownQuestionnaire, diff_versions

    try:
        changes = diff_versions(code, old, new)
    except UnknownQuestionnaire as error:
        fail(str(error))
    for item in changes.added:
        click.echo(f"+ {item}")
    for item in changes.removed:
        click.echo(f"- {item}")
    for field in changes.meta:
        click.echo(f"~ {field.field}: {field.old} → {field.new}")
    for change in changes.changed:
        click.echo(f"~ {change.code}: {', '.join(change.fields)}")
        for field in change.changes:
            click.echo(f"    {field.field}: {field.old} → {field.new}")
        if change.reworded and not change.scale_changed:
            click.echo("    (wording revision: comparable across versions, no trend break)")
    if changes.empty:
        click.echo("no differences")


@questionnaire.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--actor", default="cli", help="Name written to the audit log.")
@with_appcontext
def import_(file: Path, actor: str) -> None:
    """Create or update a draft from an XLSForm .xlsx or .xls; nothing is imported if any
    cell fails; what is not carried over is listed as warnings."""
    from survey.services.designer.io import import_xlsform
    from survey.services.questionnaires import PublishRefused

    not_kept: list = []
    try:
        row = import_xlsform(file.read_bytes(), file.name, actor, not_kept)
    except qn.XlsformError as error:
        fail("\n".join(f"{file.name}: {p}" for p in error.problems))
    except PublishRefused as refused:
        fail(str(refused))
    db.session.commit()
    for warning in not_kept:
        click.echo(f"{file.name}: warning: {warning}", err=True)
    click.echo(f"Draft of {row.code} saved from {file.name}; publish it to use it.")


@questionnaire.command()
@click.argument("code")
@click.option("--version", "number", type=int, help="Version number (default: the latest).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "xlsform"]), default="yaml",
              show_default=True, help="YAML definition or XLSForm workbook (.xlsx).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@with_appcontext
def export(code: str, number: int | None, fmt: str, out: Path | None) -> None:
    """Print a version as YAML (or write it as XLSForm) that loads back to the same content."""
    from survey.services.questionnaires import UnknownQuestionnaire, definition_of, get_version

    try:
        definition = definition_of(get_version(code, number))
    except UnknownQuestionnaire as error:
        fail(str(error))
    if fmt == "xlsform":
        if out is None:
            fail("--format xlsform writes a binary workbook: give --out FILE.xlsx")
        out.write_bytes(qn.to_xlsform(definition))
        click.echo(f"Wrote {out}.")
        return
    text = qn.dump_yaml(definition)
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
