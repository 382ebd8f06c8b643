"""The fieldwork pages' forms; choices are filled by the view from what the scope may see."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from survey.services.investigation.fieldwork import MANUAL_STATUSES, NOTE_MAX
from survey.services.investigation.reminders import MAX_DAYS

# The statuses as people read them; the codes stay in the database and the CSV.
STATUS_LABELS = {
    "issued": _l("Letter issued"),
    "contacted": _l("Contacted"),
    "completed": _l("Completed"),
    "refused": _l("Refused"),
    "not_eligible": _l("Not eligible"),
    "unreachable": _l("Unreachable"),
}


class CaseChecks(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class AssignForm(FlaskForm):
    # the cases the officer may see are checked by the service (fieldwork.assign)
    cases = CaseChecks(_l("Cases"), coerce=int, validate_choice=False)
    # every case the list's filters select, however many pages: a stratum to one collector
    all_shown = BooleanField(_l("All the cases these filters select (not only the ticked ones)"))
    collector = SelectField(_l("Collector"), validate_choice=True)

    def validate_cases(self, field) -> None:
        if not field.data and not self.all_shown.data:
            raise ValidationError(_l("Choose at least one case."))


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=[SelectChoice(s, STATUS_LABELS[s])
                                                   for s in MANUAL_STATUSES])
    note = TextAreaField(_l("Note"), validators=[Length(max=NOTE_MAX)])


class LettersForm(FlaskForm):
    # "" (every one) when a field is left out of the post
    collector = SelectField(_l("Collector"), default="")
    unit = SelectField(_l("Unit (and the units under it)"), default="")
    stratum = SelectField(_l("Stratum"), default="")
    with_address = BooleanField(_l("Print the address block (name and address, for window "
                                   "envelopes)"))


class PaperCodeForm(FlaskForm):
    case_code = StringField(_l("Case code (printed on the letter)"), validators=[
        InputRequired(_l("Write the case code.")), Length(max=60)])


class RemindersForm(FlaskForm):
    """A GET form: nothing changes, so no token."""

    class Meta:
        csrf = False

    days = IntegerField(_l("Still open after (days)"), default=14, validators=[
        Optional(), NumberRange(0, MAX_DAYS)])
