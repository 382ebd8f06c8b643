from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from survey.auth import bp
from survey.auth.forms import LoginForm
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
