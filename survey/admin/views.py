"""Accounts, units and desks. Views only translate forms to service calls and commit once."""

from __future__ import annotations

import csv
import io

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from survey.access import current_principal, page_requires
from survey.admin import bp
from survey.admin.forms import (
    DeskForm,
    EditUserForm,
    EmptyForm,
    NewUserForm,
    UnitForm,
    UploadForm,
    options,
)
from survey.extensions import db
from survey.i18n import current_lang
from survey.models import ServiceArea, Unit
from survey.services import desks as desk_service
from survey.services.accounts import AccountError, create_user
from survey.services.accounts import users as user_service
from survey.services.imports import ImportRejected, csv_text
from survey.services.units import import_units_csv


def _actor() -> str:
    return current_principal().name


def _units(scope: Unit | None = None) -> list[Unit]:
    units = db.session.execute(db.select(Unit).order_by(Unit.path)).scalars()
    return [u for u in units if scope is None or u.path.startswith(scope.path)]


def _unit_choices(blank: bool = True, scope: Unit | None = None):
    choices = [("", "—")] if blank else []
    return options(choices + [(u.code, f"{u.code} · {u.name_vi}") for u in _units(scope)])


@bp.get("/")
@page_requires("manage_users")
def index():
    return redirect(url_for("admin.users"))


@bp.route("/users", methods=["GET", "POST"])
@page_requires("manage_users")
def users():
    form = NewUserForm()
    form.unit.choices = _unit_choices()
    if form.validate_on_submit():
        try:
            create_user(form.username.data, form.password.data, form.role.data,
                        form.unit.data or None, actor=_actor())
        except AccountError as error:
            db.session.rollback()
            form.username.errors.append(error.translated())
        else:
            db.session.commit()
            flash(_("User %(name)s created.", name=form.username.data), "ok")
            return redirect(url_for("admin.users"))
    return render_template("admin/users.html", form=form, users=user_service.all_users(),
                           action_form=EmptyForm())


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@page_requires("manage_users")
def user(user_id: int):
    account = db.get_or_404(user_service.User, user_id)
    form = EditUserForm(obj=account)
    form.unit.choices = _unit_choices()
    if not form.is_submitted():
        form.unit.data = account.unit.code if account.unit else ""
    if form.validate_on_submit():
        try:
            user_service.update(account, form.role.data, form.unit.data, form.active.data,
                                _actor())
        except AccountError as error:
            db.session.rollback()
            form.role.errors.append(error.translated())
        else:
            db.session.commit()
            flash(_("Changes saved."), "ok")
            return redirect(url_for("admin.users"))
    return render_template("admin/user.html", form=form, account=account,
                           action_form=EmptyForm())


@bp.post("/users/<int:user_id>/reset-password")
@page_requires("manage_users")
def reset_password(user_id: int):
    account = db.get_or_404(user_service.User, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    password = user_service.reset_password(account, _actor())
    db.session.commit()
    return render_template("admin/password_reset.html", account=account, password=password)


@bp.route("/units", methods=["GET", "POST"])
@page_requires("manage_units")
def units():
    form = UnitForm(prefix="unit")
    form.parent.choices = _unit_choices()
    form.service_area.choices = options([("", "—")] + [
        (a.code, a.name_en if current_lang() == "en" and a.name_en else a.name_vi)
        for a in db.session.execute(db.select(ServiceArea).order_by(ServiceArea.code))
        .scalars()])
    upload = UploadForm(prefix="csv")
    if form.validate_on_submit():
        # One unit is a one-row import: the same checks, path refresh and audit as a file.
        out = io.StringIO()
        csv.writer(out).writerows([
            ("code", "name_vi", "name_en", "level", "parent_code", "service_area", "valid_from"),
            (form.code.data, form.name_vi.data, form.name_en.data or "", form.level.data,
             form.parent.data or "", form.service_area.data or "",
             form.valid_from.data.isoformat() if form.valid_from.data else "")])
        if _import(out.getvalue(), "form"):
            return redirect(url_for("admin.units"))
    return render_template("admin/units.html", form=form, upload=upload, units=_units())


@bp.post("/units/import")
@page_requires("manage_units")
def import_units():
    upload = UploadForm(prefix="csv")
    if upload.validate_on_submit():
        source = upload.file.data.filename or "units.csv"
        try:  # bytes that are not UTF-8 are refused naming their line
            text = csv_text(upload.file.data.read(), source)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                flash(str(problem), "error")
        else:
            _import(text, source)
    else:
        flash(_("Choose a CSV file."), "error")
    return redirect(url_for("admin.units"))


def _import(text: str, source: str) -> bool:
    try:
        result = import_units_csv(text, source, actor=_actor())
    except ImportRejected as rejected:
        db.session.rollback()
        for problem in rejected.problems:
            flash(str(problem), "error")
        return False
    db.session.commit()
    flash(_("%(created)s unit(s) created, %(updated)s updated.", created=result.created,
            updated=result.updated), "ok")
    return True


@bp.route("/desks", methods=["GET", "POST"])
@page_requires("manage_kiosks")
def desks():
    scope = current_principal().unit_scope
    form = DeskForm()
    form.unit.choices = _unit_choices(blank=False, scope=scope)
    if form.validate_on_submit():
        try:
            desk_service.save_desk(form.unit.data, form.code.data, form.name_vi.data,
                                   form.name_en.data or "", _actor(), scope)
        except desk_service.DeskError as error:
            db.session.rollback()
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Desk saved."), "ok")
            return redirect(url_for("admin.desks"))
    return render_template("admin/desks.html", form=form, desks=desk_service.desks(scope),
                           kiosks=desk_service.kiosks(scope))
