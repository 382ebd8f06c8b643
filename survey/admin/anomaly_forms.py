"""The two buttons of the anomalies page: quarantine a burst, restore a quarantine."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import HiddenInput

from survey.services.anomalies import SOURCE_KINDS
from survey.services.responses.admin import MAX_REASON

ID = NumberRange(min=1, max=2**31 - 1)  # an INTEGER column's ids; larger cannot be bound


class InstantField(HiddenField):
    """An ISO 8601 time with its offset (the page writes the episode's exact bounds)."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0]:
            try:
                at = datetime.fromisoformat(valuelist[0])
            except ValueError:
                raise ValueError(_l("Not a time.")) from None
            if at.tzinfo is None:
                raise ValueError(_l("Not a time."))
            self.data = at

    def _value(self) -> str:
        return self.data.isoformat() if isinstance(self.data, datetime) else ""


class QuarantineForm(FlaskForm):
    source = HiddenField(validators=[AnyOf(SOURCE_KINDS)])
    source_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), ID])
    first_at = InstantField(validators=[DataRequired()])
    last_at = InstantField(validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=MAX_REASON)])


class RestoreForm(FlaskForm):
    quarantine_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), ID])
