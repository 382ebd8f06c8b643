from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, FloatField, IntegerField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional


class StatsImportForm(FlaskForm):
    file = FileField(_l("Dossier statistics file (CSV or XLSX)"), validators=[
        FileRequired(), FileAllowed(["csv", "xlsx"], _l("Only .csv or .xlsx files"))])


class ParIndexForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(1990, 2200)])
    score = FloatField(_l("PAR INDEX score (0–100)"),
                       validators=[DataRequired(), NumberRange(0, 100)])
    rank = IntegerField(_l("Rank among provinces"), validators=[Optional(), NumberRange(1, 100)])
    method_break = BooleanField(_l("The method changed from the year before"))
    note = StringField(_l("Note"), validators=[Optional()])
