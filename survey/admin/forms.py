from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from survey.models.units import UNIT_LEVELS
from survey.roles import ROLES

ROLE_LABELS = {"admin": _l("Administrator"), "designer": _l("Questionnaire designer"),
               "analyst": _l("Analyst"), "unit_officer": _l("Unit officer"),
               "data_entry": _l("Data entry")}
CODE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$", message=_l("Letters, digits, _ . -"))


def options(pairs) -> list[SelectChoice]:
    """Menu entries from (value, label) pairs (WTForms no longer takes bare tuples)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def role_choices():
    return options((r, ROLE_LABELS[r]) for r in ROLES)


class NewUserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(),
                                                                 Length(min=10, max=200)])
    role = SelectField(_l("Role"), choices=role_choices)
    unit = SelectField(_l("Unit"), validators=[Optional()])


class EditUserForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices)
    unit = SelectField(_l("Unit"), validators=[Optional()])
    active = BooleanField(_l("Active (may log in)"))


class UnitForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), CODE])
    name_vi = StringField(_l("Name (Vietnamese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    level = SelectField(_l("Level"), choices=options((v, v) for v in UNIT_LEVELS))
    parent = SelectField(_l("Parent unit"), validators=[Optional()])
    # What its posters and kiosks default to; empty for a unit that handles many services.
    service_area = SelectField(_l("Service (for a department)"), validators=[Optional()])
    # A unit born of a reform (a commune merged from others) exists from that day; its end
    # comes from the event that ends it (Unit events), never typed here.
    valid_from = DateField(_l("Exists from (empty: before any record)"), validators=[Optional()])


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired()])


class DeskForm(FlaskForm):
    unit = SelectField(_l("Unit"), validators=[DataRequired()])
    code = StringField(_l("Desk code"), validators=[DataRequired(), CODE])
    name_vi = StringField(_l("Name (Vietnamese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    entity_type = SelectField(_l("What"), validators=[Optional()])
    actor = StringField(_l("Who"), validators=[Optional(), Length(max=80)])
    key = StringField(_l("Key contains"), validators=[Optional(), Length(max=120)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that change state."""


class ServiceAreaForm(FlaskForm):
    """Kept loose: the service-area service judges the values and names the field at fault."""

    code = StringField(_l("Code"), validators=[Length(max=1000)])
    name_vi = StringField(_l("Name (Vietnamese)"), validators=[Length(max=1000)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=1000)])
