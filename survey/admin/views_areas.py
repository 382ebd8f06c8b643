"""Service areas: the list, adding one, and renaming one (its code never changes)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from survey.access import current_principal, page_requires
from survey.admin import bp
from survey.admin.forms import ServiceAreaForm
from survey.extensions import db
from survey.models import ServiceArea
from survey.services import service_areas


def _submitted(form: ServiceAreaForm) -> bool:
    """A POST with a valid CSRF token (else 400); field errors stay beside their fields."""
    if not form.is_submitted():
        return False
    form.validate()
    if "csrf_token" in form.errors:
        abort(400)
    return True


def _apply(form: ServiceAreaForm, call) -> bool:
    """Run the service call; its located errors go beside the fields."""
    try:
        call()
    except service_areas.AreaInvalid as invalid:
        db.session.rollback()
        for name, message in invalid.errors.items():
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        return False
    db.session.commit()
    return True


@bp.route("/service-areas", methods=["GET", "POST"])
@page_requires("manage_units")
def service_area_list():
    form = ServiceAreaForm(prefix="area")
    status = 200
    if _submitted(form):
        if not form.errors and _apply(form, lambda: service_areas.create(
                form.code.data, form.name_vi.data, form.name_en.data, current_principal().name)):
            flash(_("Service area %(code)s added.", code=form.code.data.strip()), "ok")
            return redirect(url_for("admin.service_area_list"))
        status = 422
    return render_template("admin/service_areas.html", form=form,
                           areas=service_areas.all_areas()), status


@bp.route("/service-areas/<code>", methods=["GET", "POST"])
@page_requires("manage_units")
def service_area_edit(code: str):
    area = db.session.execute(db.select(ServiceArea).filter_by(code=code)).scalar_one_or_none()
    if area is None:
        abort(404)
    form = ServiceAreaForm(prefix="area", data={"code": area.code, "name_vi": area.name_vi,
                                                "name_en": area.name_en})
    status = 200
    if _submitted(form):
        if not form.errors and _apply(form, lambda: service_areas.rename(
                code, form.name_vi.data, form.name_en.data, current_principal().name)):
            flash(_("Changes saved."), "ok")
            return redirect(url_for("admin.service_area_list"))
        status = 422
    return render_template("admin/service_area.html", form=form, area=area), status
