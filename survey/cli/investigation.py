"""`hailong investigation ...`: a sampled investigation's design, frame, draw and status, and
its fieldwork's letters and reminders."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app, url_for
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


@investigation.command("estimates")
@click.argument("code")
@click.option("--cells", type=click.Choice(["stratum", "service_area", "unit", "all"]),
              default="stratum", show_default=True, help="Non-response adjustment cells.")
@click.option("--raking", type=click.Choice(["none", "frame", "records"]), default="none",
              show_default=True, help="Rake to the frame's or the records' dossiers by unit "
              "and service area.")
@click.option("--trim", type=float, help="Cap the weights at this many times the median.")
@click.option("--measure", type=click.Choice(["overall", "index", "A", "B", "C", "D", "E"]),
              default="overall", show_default=True, help="The measure of the table.")
@click.option("--json", "as_json", is_flag=True, help="Print what the API answers.")
@with_appcontext
def estimates(code: str, cells: str, raking: str, trim: float | None, measure: str,
              as_json: bool) -> None:
    """The weighted estimates (never pooled with the open collection): one measure per
    domain as a table, or everything as JSON."""
    import json

    from flask import current_app

    from survey.services.investigation import estimates as est
    from survey.services.investigation.investigations import InvestigationError, get

    try:
        found = get(code)
        options = est.Options(cells=cells, raking=raking, trim=trim,
                              benchmark=current_app.config["SATISFACTION_BENCHMARK"])
        result = est.estimates(found, options)
    except (InvestigationError, est.EstimateError) as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    sample = result["sample"]
    click.echo(f"{code}: {sample['respondents']} respondent(s) of {sample['sampled']} sampled "
               f"({sample['not_eligible']} not eligible); measure {measure}")
    click.echo(f"{'domain':14} {'code':12} {'n':>6} {'estimate':>9} {'95% CI':>15} "
               f"{'SE':>7} {'deff':>6}  verdict")
    for row in result["rows"]:
        if row["measure"] != measure:
            continue
        where = f"{row['domain']:14} {row['code'] or '':12}"
        if row["suppressed"] or row["estimate"] is None:
            click.echo(f"{where} {row['respondents']:>6}  small n (suppressed)")
            continue
        ci = (f"{100 * row['ci_low']:.1f}–{100 * row['ci_high']:.1f}"
              if row["ci_low"] is not None else "–")
        deff = f"{row['deff']:.2f}" if row["deff"] is not None else "–"
        click.echo(f"{where} {row['n']:>6} {100 * row['estimate']:>8.1f}% {ci:>15} "
                   f"{100 * row['se']:>7.2f} {deff:>6}  {row['verdict'] or '–'}")


@investigation.command("contact-key")
def contact_key() -> None:
    """Print a new key for HAILONG_CONTACT_KEY (keep it apart from the database backups)."""
    from survey.services.investigation.contacts import new_key

    click.echo(new_key())


def _officer():
    """The command line works as an officer of the whole province (like an admin's pages)."""
    from survey.services.investigation.fieldwork import Scope

    return Scope(None, "cli", manager=True)


def _collector_id(username: str | None, unassigned: bool) -> int | None:
    """The Selection's collector: a user's id, 0 for the unassigned cases, None for all."""
    from survey.models import User

    if unassigned:
        if username:
            fail("--collector and --unassigned exclude each other")
        return 0
    if not username:
        return None
    found = db.session.execute(
        db.select(User.id).filter_by(username=username)).scalar_one_or_none()
    if found is None:
        fail(f"no user {username!r}")
    return found


def _office() -> str:
    """The letters' issuing office: the council report's (REPORT_ISSUER, else the root unit)."""
    from survey.models import Unit
    from survey.services.council_report.settings import from_config

    root = db.session.execute(db.select(Unit).where(Unit.parent_id.is_(None))
                              .order_by(Unit.id).limit(1)).scalar_one_or_none()
    return from_config(current_app.config, root.name_vi if root else "").issuer


def _base_url(value: str) -> str:
    parsed = urlsplit(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query \
            or parsed.fragment:
        raise click.BadParameter("the site's address, e.g. https://hailong.example.vn")
    return value.rstrip("/")


@investigation.command("letters")
@click.argument("code")
@click.option("--out", "out", required=True,
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The PDF to write (one A4 letter per case).")
@click.option("--base-url", required=True, callback=lambda _c, _p, v: _base_url(v),
              help="The site's public address the letters' links and QR codes open, "
                   "e.g. https://hailong.example.vn")
@click.option("--collector", "username", help="Only the cases assigned to this user.")
@click.option("--unassigned", is_flag=True, help="Only the cases assigned to nobody.")
@click.option("--unit", "unit_code", default="", help="Only the dossiers of this unit and "
              "the units under it.")
@click.option("--stratum", default="", help="Only this stratum (its key, as `show` lists it).")
@click.option("--address", is_flag=True, help="Print the applicant's name and address for a "
              "window envelope (opens the sealed contacts: needs HAILONG_CONTACT_KEY).")
@with_appcontext
def letters(code: str, out: Path, base_url: str, username: str | None, unassigned: bool,
            unit_code: str, stratum: str, address: bool) -> None:
    """Print the invitation letters of the open cases (issued, contacted) as one PDF.

    Each letter gets a new personal link (printed and as a QR code): a letter printed before
    for the same case stops working once this batch is written.
    """
    from survey.services.investigation import letters as service
    from survey.services.investigation.contacts import ContactKeyError
    from survey.services.investigation.fieldwork import FieldworkError
    from survey.services.investigation.investigations import InvestigationError, get

    try:
        found = get(code)
        selection = service.Selection(_collector_id(username, unassigned), unit_code, stratum)
        with current_app.test_request_context(base_url=base_url):
            batch = service.issue_letters(
                found, _officer(), selection, office=_office(), with_address=address,
                link_for=lambda token: url_for("investigation.case_link", token=token,
                                               _external=True))
    except FieldworkError as error:
        fail(f"{error.field}: {error.message('en')}")
    except (InvestigationError, ContactKeyError) as error:
        fail(str(error))
    try:
        out.write_bytes(batch.pdf)
    except OSError as error:
        fail(f"{out}: {error.strerror or error}")  # the earlier letters' links still work
    db.session.commit()
    click.echo(f"{batch.letters} letter(s) written to {out}; their links replace those of any "
               "letter printed before for the same cases.")


@investigation.command("reminders")
@click.argument("code")
@click.option("--days", type=click.IntRange(0, 3650), default=14, show_default=True,
              help="Cases still open this many days after their letter (or the draw).")
@click.option("--collector", "username", help="Only the cases assigned to this user.")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the list as CSV (UTF-8 with BOM, no contact details) instead.")
@with_appcontext
def reminders(code: str, days: int, username: str | None, out: Path | None) -> None:
    """The cases to remind: open (issued, contacted) N days after their letter, by collector."""
    from survey.services.investigation import reminders as service
    from survey.services.investigation.fieldwork import Scope
    from survey.services.investigation.investigations import InvestigationError, get

    try:
        found = get(code)
    except InvestigationError as error:
        fail(str(error))
    user_id = _collector_id(username, False)
    # a collector's own cases, exactly as that collector's page lists them
    scope = _officer() if user_id is None else Scope(user_id, "cli", manager=False)
    due = service.due(found, scope, days)
    if out is not None:
        try:
            out.write_text(service.to_csv(due), encoding="utf-8")
        except OSError as error:
            fail(f"{out}: {error.strerror or error}")
        click.echo(f"{len(due)} case(s) to remind written to {out}.")
        return
    for r in due:
        click.echo(f"{r.collector or '(unassigned)':20} {r.code:24} {r.dossier_code:28} "
                   f"{r.unit:12} {r.status:10} {r.days_open:>4} d")
    click.echo(f"{len(due)} case(s) open {days} day(s) or more after their letter or the draw.")
