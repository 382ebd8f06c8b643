from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

import questionnaires as qn
from survey.admin.forms import options
from survey.services.designer.edit import MAX_CONDITIONS, OPERATOR_CHOICES

QCODE = Regexp(r"^[a-z][a-z0-9_]{0,62}$",
               message=_l("A lowercase letter, then lowercase letters, digits or _"))
TYPE_LABELS = {
    "likert5": _l("Satisfaction, 5 points (SIPAS)"), "rating3": _l("Rating, 3 levels"),
    "expectation4": _l("Expectation, 4 points"), "nps": _l("Recommend, 0 to 10"),
    "yes_no": _l("Yes / no"), "number": _l("Whole number"),
    "single_choice": _l("One choice"), "multi_choice": _l("Several choices"),
    "text": _l("Free text")}
OPERATOR_LABELS = {
    "equals": _l("is"), "not_equals": _l("is not"), "in": _l("is one of"),
    "not_in": _l("is none of"), "less": _l("is less than"), "greater": _l("is greater than"),
    "answered": _l("is answered")}
KIND_LABELS = {"survey": _l("Sample survey"), "dossier_rating": _l("Dossier rating")}
STATUS_LABELS = {"draft": _l("draft, never published"), "active": _l("in use"),
                 "retired": _l("retired")}


class NewQuestionnaireForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), QCODE])
    kind = SelectField(_l("Kind"), choices=options(KIND_LABELS.items()))
    title_vi = StringField(_l("Title (Vietnamese)"),
                           validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=300)])
    template = SelectField(_l("Start from"), validators=[Optional()])
    # the database's areas (set by the view); empty keeps the template's
    service_area = SelectField(_l("Service area"), validators=[Optional()])


class MetaForm(FlaskForm):
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=300)])
    intro_vi = TextAreaField(_l("Introduction (Vietnamese)"), validators=[Length(max=3000)])
    intro_en = TextAreaField(_l("Introduction (English)"), validators=[Length(max=3000)])
    # choices: the service areas of the database (set by the view, labelled in the user's
    # language); a value outside them is refused by the field
    service_areas = SelectMultipleField(_l("Service area"), validators=[Optional()])


class SectionForm(FlaskForm):
    code = StringField(_l("Section code"), validators=[Length(max=63)])
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=300)])


def _condition_fields(form_class) -> None:
    """MAX_CONDITIONS rows of menus: (earlier item, operator, value)."""
    for n in range(MAX_CONDITIONS):
        setattr(form_class, f"cond_item_{n}", SelectField(_l("Item"), validators=[Optional()],
                                                          validate_choice=False))
        setattr(form_class, f"cond_op_{n}", SelectField(
            _l("Operator"), choices=options([("", "—")] + [(o, OPERATOR_LABELS[o])
                                                           for o in OPERATOR_CHOICES]),
            validators=[Optional()]))
        setattr(form_class, f"cond_value_{n}", StringField(_l("Value"),
                                                           validators=[Length(max=500)]))


class ItemForm(FlaskForm):
    """Kept as typed: nothing here refuses a value; the questionnaire validator judges it."""

    code = StringField(_l("Item code"), validators=[Length(max=63)])
    type = SelectField(_l("Type"), choices=options((t, TYPE_LABELS.get(t, t)) for t in qn.TYPES))
    label_vi = TextAreaField(_l("Question (Vietnamese)"), validators=[Length(max=2000)])
    label_en = TextAreaField(_l("Question (English)"), validators=[Length(max=2000)])
    help_vi = TextAreaField(_l("Help (Vietnamese)"), validators=[Length(max=2000)])
    help_en = TextAreaField(_l("Help (English)"), validators=[Length(max=2000)])
    required = BooleanField(_l("Required"))
    no_answer = BooleanField(_l("Offer “No answer” (stored as 97/98/99)"))
    choices = TextAreaField(_l("Choices, one per line: code | Vietnamese | English"),
                            validators=[Length(max=20000)])
    min = StringField(_l("Minimum"), validators=[Length(max=20)])
    max = StringField(_l("Maximum"), validators=[Length(max=20)])
    max_length = StringField(_l("Maximum length"), validators=[Length(max=20)])
    element = SelectField(_l("SIPAS element"), choices=options([("", "—")] + [
        (e, e) for e in qn.ELEMENTS]), validators=[Optional()])
    overall = BooleanField(_l("Overall satisfaction item"))
    demographic = StringField(_l("Demographic variable"), validators=[Length(max=40)])
    respondent_type = BooleanField(_l("Respondent type (individual / organisation)"))
    cond_join = SelectField(_l("Show this question when"), choices=options([
        ("all", _l("all conditions hold")), ("any", _l("any condition holds"))]))


_condition_fields(ItemForm)


class CloneForm(FlaskForm):
    new_code = StringField(_l("New code"), validators=[DataRequired(), QCODE])


class ImportForm(FlaskForm):
    file = FileField(_l("XLSForm (.xlsx, .xls) or YAML (.yaml) file"), validators=[FileRequired()])


class AssignForm(FlaskForm):
    kiosk = SelectField(_l("Kiosk"), coerce=int)


class EmptyForm(FlaskForm):
    """Only a CSRF token: for buttons that change state."""


# The diff's field names (FieldChange.field) as authors know them from the item editor.
FIELD_LABELS = {
    "label.vi": _l("Question (Vietnamese)"), "label.en": _l("Question (English)"),
    "help.vi": _l("Help (Vietnamese)"), "help.en": _l("Help (English)"),
    "choices": _l("Choice codes (the scale)"), "choices.label": _l("Choice wording"),
    "choices.order": _l("Choice order"), "type": _l("Type"), "required": _l("Required"),
    "element": _l("SIPAS element"), "overall": _l("Overall satisfaction item"),
    "missing_codes": _l("“No answer” codes"), "min": _l("Minimum"), "max": _l("Maximum"),
    "max_length": _l("Maximum length"), "show_if": _l("Shown when"),
    "demographic": _l("Demographic variable"),
    "respondent_type": _l("Respondent type (individual / organisation)"),
    "title.vi": _l("Title (Vietnamese)"), "title.en": _l("Title (English)"),
    "intro.vi": _l("Introduction (Vietnamese)"), "intro.en": _l("Introduction (English)"),
    "service_areas": _l("Service area")}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))
