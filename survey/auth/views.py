from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from survey.auth import bp
from survey.auth.forms import LoginForm, PasswordChangeForm
from survey.extensions import db, limiter
from survey.services.accounts import authenticate


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        db.session.commit()  # failed attempts and lockouts are kept too
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong username or password, or the account is locked for a while."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("main.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def change_password():
    from survey.services.accounts import AccountError
    from survey.services.users import change_password as change

    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change(current_user, form.current.data, form.new.data)
        except AccountError as error:
            db.session.rollback()
            form.current.errors.append(_("The current password is wrong.")
                                       if "current" in str(error) else str(error))
        else:
            db.session.commit()
            flash(_("Your password has been changed."), "ok")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
