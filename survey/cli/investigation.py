"""`hailong investigation ...`: a sampled investigation's design, frame, draw and status."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click
from flask.cli import with_appcontext

from survey.cli.errors import fail
from survey.extensions import db


@click.group()
def investigation() -> None:
    """Sampled investigations (issue #20): create, import the frame, draw, close."""


def _priors(path: Path | None) -> dict[str, float]:
    """stratum,share lines (a header first): last year's satisfied share per stratum."""
    if path is None:
        return {}
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    if not reader.fieldnames or not {"stratum", "share"} <= set(reader.fieldnames):
        fail(f"{path}: the header must name the columns stratum,share")
    return {row["stratum"].strip(): row["share"].strip() for row in reader}


@investigation.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--questionnaire", "questionnaire_code", required=True)
@click.option("--from", "period_from", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "period_to", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--strata", default="unit,service_area", show_default=True,
              help="Fields making a stratum: unit, service_area, procedure, applicant_type, "
                   "commune (comma-separated; empty: one stratum).")
@click.option("--allocation", type=click.Choice(["proportional", "neyman", "equal"]),
              default="proportional", show_default=True)
@click.option("--prior", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Neyman: CSV stratum,share of last year's satisfied share.")
@click.option("--minimum", type=click.IntRange(0), default=30, show_default=True,
              help="Cases per stratum at least (all of a smaller stratum).")
@click.option("--stages", type=click.Choice(["one", "two"]), default="one", show_default=True,
              help="one: stratified SRS; two: communes by PPS, then dossiers by SRS.")
@click.option("--dossiers-per-psu", type=click.IntRange(1), default=15, show_default=True)
@click.option("--size", "size_method", type=click.Choice(["sipas", "fixed", "margin"]),
              default="sipas", show_default=True,
              help="sipas: n = N/(1 + N·e²); fixed: --n; margin: ±e at --confidence.")
@click.option("--n", "n", type=click.IntRange(1))
@click.option("--margin", type=float, default=0.05, show_default=True)
@click.option("--p", "p", type=float, default=0.5, show_default=True)
@click.option("--confidence", type=float, default=0.95, show_default=True)
@click.option("--deff", type=float, default=1.0, show_default=True)
@with_appcontext
def create(code, name, questionnaire_code, period_from, period_to, strata, allocation, prior,
           minimum, stages, dossiers_per_psu, size_method, n, margin, p, confidence,
           deff) -> None:
    """Create an investigation with its design (a draft until its sample is drawn)."""
    from survey.services.investigation.investigations import InvestigationError
    from survey.services.investigation.investigations import create as make

    size = {"method": size_method, "margin": margin}
    if size_method == "fixed":
        size["n"] = n
    if size_method == "margin":
        size.update(p=p, confidence=confidence, deff=deff)
    design = {"strata": [s.strip() for s in strata.split(",") if s.strip()],
              "allocation": allocation, "minimum": minimum, "stages": stages,
              "dossiers_per_psu": dossiers_per_psu, "size": size,
              "prior_shares": _priors(prior)}
    try:
        row = make(code, name, questionnaire_code, period_from.date(), period_to.date(),
                   design)
    except InvestigationError as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"Investigation {row.code} created ({row.period_from} to {row.period_to}).")


@investigation.command("frame-import")
@click.argument("code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="The language of the problems reported.")
@with_appcontext
def frame_import(code: str, file: Path, lang: str) -> None:
    """Import (or replace) the frame: the dossiers resolved in the period, CSV or XLSX."""
    from survey.cli.progress import bar
    from survey.services.imports import ImportRejected
    from survey.services.investigation.frame_import import import_frame
    from survey.services.investigation.investigations import InvestigationError, get

    try:
        row = get(code)
        with bar(f"Importing {file.name}") as progress:
            result = import_frame(row, file.read_bytes(), str(file), progress=progress,
                                  lang=lang)
    except (ImportRejected, InvestigationError) as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"{result.rows} dossier(s) in {result.strata} strata, {result.contacts} with "
               f"contact details (encrypted); {result.replaced} replaced.")


@investigation.command("draw")
@click.argument("code")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1),
              help="Reproduce a draw (default: a new random seed, recorded).")
@with_appcontext
def draw(code: str, seed: int | None) -> None:
    """Draw the sample by the design; the seed and inclusion probabilities are stored."""
    from survey.cli.progress import bar
    from survey.services.investigation.draw import draw_sample
    from survey.services.investigation.investigations import InvestigationError, get

    try:
        with bar("Drawing") as progress:
            result = draw_sample(get(code), seed, progress=progress)
    except InvestigationError as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"{result.cases} case(s) drawn in {result.strata} strata with seed {result.seed};"
               f" contacts of {result.contacts_deleted} dossier(s) not drawn deleted.")


@investigation.command("show")
@click.argument("code")
@with_appcontext
def show(code: str) -> None:
    """The design, the frame and the sample per stratum."""
    from survey.services.investigation.investigations import InvestigationError, get, summary

    try:
        found = summary(get(code))
    except InvestigationError as error:
        fail(str(error))
    inv = found.investigation
    design = inv.design
    click.echo(f"{inv.code}: {inv.name} [{inv.status}] {inv.period_from} to {inv.period_to}")
    click.echo(f"questionnaire {inv.questionnaire.code}; strata "
               f"{' × '.join(design['strata']) or '(one)'}; {design['allocation']} allocation, "
               f"minimum {design['minimum']}; {design['stages']} stage(s); size "
               f"{design['size']['method']}")
    click.echo(f"frame: {found.frame_rows} dossier(s) from {inv.frame_file or '-'}; "
               f"{found.contacts} encrypted contact(s)")
    if inv.draw:
        click.echo(f"drawn {inv.drawn_at:%Y-%m-%d %H:%M} UTC, seed {inv.seed}: "
                   f"{inv.draw['n']} case(s); size {inv.draw['planned']['formula']} → "
                   f"{inv.draw['planned']['n']}"
                   + (" (raised to the minimums)" if inv.draw["raised_to_minimum"] else ""))
    click.echo(f"{'stratum':40} {'N_h':>9} {'n_h':>6}  statuses")
    for line in found.strata:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(line.by_status.items()))
        click.echo(f"{line.key[:40]:40} {line.frame:>9} {line.drawn:>6}  {statuses}")


@investigation.command("fieldwork")
@click.argument("code")
@with_appcontext
def fieldwork(code: str) -> None:
    """Start the fieldwork of a drawn investigation."""
    from survey.services.investigation.investigations import (
        InvestigationError,
        get,
        start_fieldwork,
    )

    try:
        start_fieldwork(get(code))
    except InvestigationError as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"Fieldwork of {code} started.")


@investigation.command("close")
@click.argument("code")
@with_appcontext
def close(code: str) -> None:
    """Close the fieldwork: every contact of the frame is deleted."""
    from survey.services.investigation.investigations import InvestigationError, get
    from survey.services.investigation.investigations import close as run

    try:
        deleted = run(get(code))
    except InvestigationError as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"{code} closed; {deleted} contact(s) deleted.")


@investigation.command("contact-key")
def contact_key() -> None:
    """Print a new key for HAILONG_CONTACT_KEY (keep it apart from the database backups)."""
    from survey.services.investigation.contacts import new_key

    click.echo(new_key())
