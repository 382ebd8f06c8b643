"""Pages for officers: desk posters with QR codes, kiosk links, dossier receipt tokens."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from survey.access import current_principal, page_requires
from survey.collect import bp
from survey.collect.qr import qr_response, qr_svg_markup
from survey.extensions import db
from survey.i18n import current_lang
from survey.models import Desk, Kiosk, Unit, WebLink
from survey.services import kiosks as kiosk_service
from survey.services import posters, tokens, web_links
from survey.services.web_links import MAX_DAYS


def _in_scope(unit: Unit) -> None:
    scope = current_principal().unit_scope
    if scope is not None and not unit.path.startswith(scope.path):
        abort(403)


def _unit_choices(scope: Unit | None) -> list[SelectChoice]:
    """The units an officer may pick: all of them, or their own unit and those below it."""
    units = db.session.execute(db.select(Unit).order_by(Unit.path)).scalars()
    return [SelectChoice(u.code, f"{u.code} · {u.name_vi}") for u in units
            if scope is None or u.path.startswith(scope.path)]


def _show_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    """A service's refusals, each shown beside the field it concerns."""
    for name, message in errors.items():
        if name in form:
            form[name].errors = [message]


def _desk(unit_code: str, desk_code: str) -> Desk:
    desk = db.session.execute(
        db.select(Desk).join(Unit).where(Unit.code == unit_code, Desk.code == desk_code)
    ).scalar_one_or_none()
    if desk is None:
        abort(404)
    _in_scope(desk.unit)
    return desk


def _poster_url(desk: Desk) -> tuple[posters.Choice, list[posters.Choice], str]:
    """The questionnaire the poster carries (the officer's pick, else the unit's default, see
    survey/services/posters.py), the picker's options, and the URL its QR code holds."""
    options = posters.ordered(desk.unit, posters.choices(), current_lang())
    asked = request.args.get("questionnaire")
    chosen = next((c for c in options if c.code == asked), None) if asked else (
        options[0] if options else None)
    if chosen is None:
        abort(404)
    token = tokens.qr_token(desk.unit.code, desk.code, chosen.code)
    return chosen, options, url_for("collect.survey", token=token, _external=True)


@bp.get("/posters/<unit_code>/<desk_code>")
@page_requires("manage_kiosks")
def poster(unit_code: str, desk_code: str):
    desk = _desk(unit_code, desk_code)
    chosen, options, url = _poster_url(desk)
    return render_template("collect/poster.html", desk=desk, url=url, chosen=chosen,
                           options=options, lang=current_lang(),
                           qr=qr_svg_markup(url, scale=8))


@bp.get("/posters/<unit_code>/<desk_code>/qr.<any(png, svg):kind>")
@page_requires("manage_kiosks")
def poster_qr(unit_code: str, desk_code: str, kind: str):
    desk = _desk(unit_code, desk_code)
    chosen, _options, url = _poster_url(desk)
    return qr_response(url, kind, f"qr-{unit_code}-{desk_code}-{chosen.code}")


class KioskForm(FlaskForm):
    name = StringField(_l("Kiosk name"), validators=[DataRequired(), Length(max=120)])
    unit = SelectField(_l("Unit"), validators=[DataRequired()])
    desk = StringField(_l("Desk code (optional)"), validators=[Length(max=40)])
    # Empty: the unit's default (survey/services/posters.py), resolved when it is created.
    questionnaire = SelectField(_l("Questionnaire"))


def _kiosk_form(scope: Unit | None) -> KioskForm:
    form = KioskForm()
    form.unit.choices = _unit_choices(scope)
    lang = current_lang()
    options = sorted(posters.choices(posters.KIOSK_KINDS),
                     key=lambda c: (c.kind != "dossier_rating", c.title(lang).lower()))
    form.questionnaire.choices = [SelectChoice("", _("The unit's own service (default)"))] + [
        SelectChoice(c.code, c.title(lang)) for c in options]
    return form


def _kiosk_questionnaire(form: KioskForm) -> str:
    """The officer's pick, else the default for the chosen unit ("" when there is none)."""
    if form.questionnaire.data:
        return form.questionnaire.data
    unit = db.session.execute(
        db.select(Unit).filter_by(code=form.unit.data)).scalar_one_or_none()
    return (posters.kiosk_default(unit) or "") if unit is not None else ""


@bp.post("/kiosks")
@page_requires("manage_kiosks")
def create_kiosk():
    principal = current_principal()
    form = _kiosk_form(principal.unit_scope)
    return _create(form, "form", lambda: kiosk_service.create_kiosk(
        form.name.data, form.unit.data, form.desk.data or None, _kiosk_questionnaire(form),
        principal.name, principal.unit_scope))


def _create(form: FlaskForm, name: str, create):
    """Make the kiosk or link the form describes, or show the page again with the service's
    refusals beside their fields (422)."""
    if form.validate_on_submit():
        try:
            create()
        except kiosk_service.KioskRequestInvalid as invalid:
            db.session.rollback()
            _show_errors(form, invalid.errors)
        else:
            db.session.commit()
            return redirect(url_for("collect.kiosks"))
    return kiosks(**{name: form}), 422


def _change(change):
    """Switch a kiosk or link off (or re-issue a kiosk): 404 outside the officer's units."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        change()
    except kiosk_service.KioskRequestInvalid:
        db.session.rollback()
        abort(404)
    db.session.commit()
    return redirect(url_for("collect.kiosks"))


@bp.post("/kiosks/<int:kiosk_id>/<any(revoke, reissue):action>")
@page_requires("manage_kiosks")
def change_kiosk(kiosk_id: int, action: str):
    principal = current_principal()
    change = kiosk_service.revoke_kiosk if action == "revoke" else kiosk_service.reissue_kiosk
    return _change(lambda: change(kiosk_id, principal.name, principal.unit_scope))


class KioskSettingsForm(FlaskForm):
    # Empty: the server's KIOSK_MIN_INTERVAL_SECONDS / KIOSK_IDLE_SECONDS. The ranges are the
    # service's to check.
    min_interval_seconds = IntegerField(_l("Minimum seconds between two answers"),
                                        validators=[Optional()])
    idle_seconds = IntegerField(_l("Seconds without a tap before the screen starts over"),
                                validators=[Optional()])


@bp.post("/kiosks/<int:kiosk_id>/settings")
@page_requires("manage_kiosks")
def kiosk_settings(kiosk_id: int):
    principal = current_principal()
    form = KioskSettingsForm()
    if not form.validate_on_submit():
        return kiosks(settings_errors={kiosk_id: _first_error(form)}), 422
    try:
        kiosk_service.set_settings(
            kiosk_id, {name: form[name].data for name in kiosk_service.KIOSK_SETTINGS},
            principal.name, principal.unit_scope)
    except kiosk_service.KioskRequestInvalid as invalid:
        db.session.rollback()
        if "kiosk" in invalid.errors:
            abort(404)
        return kiosks(settings_errors={kiosk_id: next(iter(invalid.errors.values()))}), 422
    db.session.commit()
    return redirect(url_for("collect.kiosks"))


def _first_error(form: FlaskForm) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return ""


@bp.get("/kiosks")
@page_requires("manage_kiosks")
def kiosks(form: KioskForm | None = None, link_form: WebLinkForm | None = None,
           settings_errors: dict[int, str] | None = None):
    scope = current_principal().unit_scope
    rows = [(k, url_for("collect.kiosk", token=tokens.kiosk_token(k), _external=True))
            for k in _in_scope_rows(Kiosk, scope, Kiosk.name)]
    links = [(w, url_for("collect.web_link", token=tokens.link_token(w), _external=True))
             for w in _in_scope_rows(WebLink, scope, WebLink.label)]
    desks = db.session.execute(db.select(Desk).join(Unit).order_by(Unit.code, Desk.code))
    desks = [d for d in desks.scalars() if scope is None or d.unit.path.startswith(scope.path)]
    return render_template("collect/kiosks.html", rows=rows, desks=desks, links=links,
                           form=form or _kiosk_form(scope),
                           link_form=link_form or _link_form(scope), action_form=FlaskForm(),
                           settings_errors=settings_errors or {},
                           default_interval=current_app.config["KIOSK_MIN_INTERVAL_SECONDS"],
                           default_idle=current_app.config["KIOSK_IDLE_SECONDS"])


def _in_scope_rows(model, scope: Unit | None, order):
    query = db.select(model).join(Unit).order_by(Unit.code, order)
    if scope is not None:
        query = query.where(Unit.path.startswith(scope.path))
    return db.session.execute(query).scalars()


class WebLinkForm(FlaskForm):
    label = StringField(_l("Where the link is published"),
                        validators=[DataRequired(), Length(max=120)])
    unit = SelectField(_l("Unit"), validators=[DataRequired()])
    questionnaire = SelectField(_l("Questionnaire"), validators=[DataRequired()])
    days = IntegerField(_l("Valid for (days, optional)"),
                        validators=[Optional(), NumberRange(min=1, max=MAX_DAYS)])


def _link_form(scope: Unit | None) -> WebLinkForm:
    form = WebLinkForm()
    form.unit.choices = _unit_choices(scope)
    lang = current_lang()
    form.questionnaire.choices = [
        SelectChoice(c.code, c.title(lang))
        for c in sorted(posters.choices(("survey",)), key=lambda c: c.title(lang).lower())]
    return form


@bp.post("/links")
@page_requires("manage_kiosks")
def create_link():
    """A public web link (the "web" channel's proof), for a unit's website or a message."""
    principal = current_principal()
    form = _link_form(principal.unit_scope)
    return _create(form, "link_form", lambda: web_links.create_link(
        form.label.data, form.unit.data, form.questionnaire.data, principal.name,
        form.days.data, principal.unit_scope))


@bp.post("/links/<int:link_id>/revoke")
@page_requires("manage_kiosks")
def revoke_link(link_id: int):
    principal = current_principal()
    return _change(lambda: web_links.revoke_link(link_id, principal.name, principal.unit_scope))


class DossierTokenForm(FlaskForm):
    dossier_code = StringField(_l("Dossier code"), validators=[DataRequired(), Length(max=60)])
    unit = SelectField(_l("Unit"), validators=[DataRequired()])
    procedure = StringField(_l("Procedure code (optional)"), validators=[Length(max=60)])


@bp.route("/dossier-tokens/new", methods=["GET", "POST"])
@page_requires("issue_tokens")
def new_dossier_token():
    principal = current_principal()
    scope = principal.unit_scope
    form = DossierTokenForm()
    form.unit.choices = _unit_choices(scope)
    if form.validate_on_submit():
        try:
            issued = tokens.issue_dossier_token(
                form.dossier_code.data, form.unit.data, form.procedure.data or None,
                actor=principal.name, scope=scope)
        except tokens.TokenRequestInvalid as invalid:
            db.session.rollback()
            _show_errors(form, invalid.errors)
        except tokens.DossierAlreadyRated as rated:
            db.session.rollback()
            form.dossier_code.errors = [_("This dossier was already rated, at %(when)s: no new "
                                          "code is issued.", when=format_datetime(
                                              rated.used_at, "HH:mm dd/MM/yyyy"))]
            return render_template("collect/token_new.html", form=form), 409
        else:
            db.session.commit()
            url = url_for("collect.receipt", token=issued.token, _external=True)
            return render_template("collect/token_issued.html", row=issued.row, url=url,
                                   replaced=issued.replaced, qr=qr_svg_markup(url, scale=5))
    return render_template("collect/token_new.html", form=form)


@bp.get("/r/<token>/qr.svg")
def receipt_qr(token: str):
    """The receipt's QR image; whoever has the token may draw it, nobody else learns it."""
    return qr_response(url_for("collect.receipt", token=token, _external=True), "svg",
                       "receipt")
