"""WTForms' own messages ("This field is required.", "Field must be between…") in the user's
language.

WTForms ships no Vietnamese catalogue, so its messages are translated in ours
(survey/translations, msgids copied from wtforms/locale/wtforms.pot). Flask-WTF asks
`request.wtforms_translations` first for the translations of a request; giving it Flask-Babel's
merged catalogue makes every FlaskForm use them without a base class in each package.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import get_translations


def register(app: Flask) -> None:
    @app.before_request
    def _wtforms_speaks_the_users_language():
        request.wtforms_translations = get_translations()
