"""Language choice: Vietnamese first, English on request; the choice survives the flow."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the command line, a background job: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if request.blueprint == "api":
        # Machine clients keep no session: they say their language in Accept-Language.
        best = request.accept_languages.best_match(languages)
        if best:
            return best
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_lang() -> str:
    """The language of the request being answered, "vi" or "en": the one answer to "which
    language is this request in" that pages, the API and the services' messages all use."""
    from flask_babel import get_locale

    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "vi"
