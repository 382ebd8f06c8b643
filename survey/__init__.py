"""hailong: citizen satisfaction with one-stop public administrative services.

The Flask application. `create_app` is made of named `register_*` steps so that each concern
(configuration, extensions, blueprints, commands) can be read and tested on its own.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    register_config(app, test_config)
    register_extensions(app)
    register_routing(app)
    register_blueprints(app)
    register_security(app)
    register_unavailable(app)
    register_assets(app)
    register_compression(app)
    register_logging(app)
    register_commands(app)
    return app


def register_config(app: Flask, test_config: dict | None) -> None:
    from survey.config import check_production, from_environment

    app.config.from_mapping(from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    check_production(app.config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)


def register_extensions(app: Flask) -> None:
    from flask_babel import get_locale

    from survey import models  # noqa: F401 - the metadata must be complete before use
    from survey.database import configure_engine
    from survey.extensions import babel, csrf, db, limiter, login_manager, migrate
    from survey.i18n import select_locale

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    # render_as_batch lets Alembic alter SQLite tables by copying them.
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    # The limiter goes first so that floods are counted before any other check answers.
    limiter.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    from survey.form_messages import register as translate_form_messages

    translate_form_messages(app)
    app.jinja_env.globals["get_locale"] = get_locale
    from survey.navigation import staff_nav

    app.jinja_env.globals["staff_nav"] = staff_nav
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"

    @login_manager.user_loader
    def load_user(user_id: str):
        # "id:session version": a session ended by logout or a password change is refused.
        from survey.services.accounts import user_for_session

        return user_for_session(user_id)


def register_routing(app: Flask) -> None:
    """URL converters the blueprints' routes use (before any route is added)."""
    from survey.routing import register_converters

    register_converters(app)


def register_blueprints(app: Flask) -> None:
    """Every blueprint, in one place: the citizen-facing ones first, then the staff pages, the
    API last (exempt from the form token: clients send bearer keys, and the routes that accept a
    staff session for a change of state check the Origin themselves)."""
    from werkzeug.exceptions import HTTPException

    from survey.admin import bp as admin_bp
    from survey.admin.anomalies import bp as anomalies_bp
    from survey.alerts import bp as alerts_bp
    from survey.api import bp as api_bp
    from survey.api.errors import json_http_error, wants_json
    from survey.auth import bp as auth_bp
    from survey.collect import bp as collect_bp
    from survey.dashboard import bp as dashboard_bp
    from survey.design import bp as design_bp
    from survey.entry import bp as entry_bp
    from survey.errors import html_error
    from survey.extensions import csrf
    from survey.feedback import bp as feedback_bp
    from survey.investigation import bp as investigation_bp
    from survey.jobs.views import bp as jobs_bp
    from survey.main import bp as main_bp
    from survey.public import bp as public_bp
    from survey.records import bp as records_bp

    for blueprint in (main_bp, public_bp, auth_bp, collect_bp, dashboard_bp, records_bp,
                      admin_bp, anomalies_bp, design_bp, entry_bp, jobs_bp, investigation_bp,
                      feedback_bp, alerts_bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return json_http_error(error) if wants_json() else html_error(error)


def register_security(app: Flask) -> None:
    """Security headers and tokens kept out of the logs."""
    from survey.security import register_security as add_headers_and_log_filter

    add_headers_and_log_filter(app)


def register_unavailable(app: Flask) -> None:
    """A database that cannot answer: 503 with Retry-After, and connections that recover."""
    from survey.unavailable import register_unavailable as register

    register(app)


def register_assets(app: Flask) -> None:
    """Static files compressed, cached for a year, with versioned URLs (survey/assets.py)."""
    from survey.assets import register_assets as serve_static

    serve_static(app)


def register_compression(app: Flask) -> None:
    """HTML pages gzip- or brotli-compressed for visitors who are not logged in."""
    from survey.compression import register_compression as compress_pages

    compress_pages(app)


def register_logging(app: Flask) -> None:
    from survey.logs import register_logging as structured_logs

    structured_logs(app)


def register_commands(app: Flask) -> None:
    from survey.cli import register

    register(app)
