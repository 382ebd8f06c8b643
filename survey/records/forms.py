from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, FloatField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional


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


class ProcedureImportForm(FlaskForm):
    file = FileField(_l("Procedure catalogue (CSV or XLSX)"), validators=[
        FileRequired(), FileAllowed(["csv", "xlsx"], _l("Only .csv or .xlsx files"))])


class ProcedureForm(FlaskForm):
    name_vi = StringField(_l("Name (Vietnamese)"), validators=[DataRequired(), Length(max=500)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=500)])
    level = SelectField(_l("Level"), choices=[SelectChoice("province", _l("province")),
                                              SelectChoice("district", _l("district")),
                                              SelectChoice("commune", _l("commune"))])
    group = SelectField(_l("Procedure group"), validate_choice=False)

    def set_choices(self) -> None:
        from survey.extensions import db
        from survey.models import ProcedureGroup

        groups = db.session.execute(db.select(ProcedureGroup).order_by(ProcedureGroup.code))
        self.group.choices = [SelectChoice("", "–")] + [
            SelectChoice(g.code, f"{g.code} · {g.name_vi}") for g in groups.scalars()]
