from __future__ import annotations

from flask import jsonify, redirect, render_template, request, session, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from survey.extensions import db, limiter
from survey.main import bp
from survey.redirects import safe_next


@bp.get("/")
def index():
    return render_template("index.html")


@bp.get("/lang/<code>")
def set_language(code: str):
    from flask import current_app

    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    # Only local paths: an open redirect would let a phishing link borrow our domain.
    return redirect(safe_next(request.args.get("next"), url_for("main.index")))


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Liveness and readiness: answers 200 only when the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
