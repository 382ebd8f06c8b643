"""The acknowledgement form: a note is optional (what was done, who looks into it)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from survey.services.alerts.listing import MAX_NOTE


class AcknowledgeForm(FlaskForm):
    note = TextAreaField(_l("Note (optional): what is being done"),
                         validators=[Length(max=MAX_NOTE)],
                         filters=[lambda v: (v or "").strip()])
