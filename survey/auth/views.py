from __future__ import annotations

import math

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from survey.auth import bp, throttle
from survey.auth.forms import LoginForm, PasswordChangeForm
from survey.extensions import db, limiter
from survey.redirects import safe_next
from survey.services.accounts import authenticate, record_login_burst

# A cap on every login POST from one address, met only by a flood: it keeps a flood from
# spending the server's CPU on password hashes. It does not depend on the name typed, so its
# quicker answer says nothing about any account; guessing is slowed by `throttle`.
FLOOD_LIMIT = "60 per minute"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(FLOOD_LIMIT, methods=["POST"])
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    username, address = form.username.data, get_remote_address()
    wait = throttle.retry_after(username, address)
    # The password is checked even when the throttle has refused, so every outcome takes one
    # hash check's time.
    user = authenticate(username, form.password.data, refused=wait is not None)
    if wait is not None:
        flash(_("Too many failed attempts from your address. Try again in %(minutes)s min.",
                minutes=math.ceil(wait / 60)), "error")
        return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
    if user is None:
        for budget in throttle.record_failure(username, address):
            record_login_burst(username, address, budget)
        db.session.commit()
        flash(_("Wrong username or password."), "error")
        return render_template("auth/login.html", form=form)
    throttle.record_success(username, address)
    login_user(user)
    db.session.commit()  # last_login_at
    return redirect(safe_next(request.args.get("next"), url_for("main.index")))


@bp.post("/logout")
@login_required
def logout():
    from survey.services.accounts.users import end_sessions

    # Logging out ends the user's sessions everywhere, including any copy of this cookie.
    end_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    return redirect(url_for("main.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def change_password():
    from survey.services.accounts import AccountError
    from survey.services.accounts.users import change_password as change

    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change(user, form.current.data, form.new.data)
        except AccountError as error:
            db.session.rollback()
            form.current.errors.append(_("The current password is wrong.")
                                       if "current" in str(error) else error.translated())
        else:
            db.session.commit()
            # Every other session has ended; this one goes on under the new session version.
            login_user(user)
            flash(_("Your password has been changed."), "ok")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
