from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired


class PaperUploadForm(FlaskForm):
    questionnaire = SelectField(_l("Questionnaire"), validators=[DataRequired()])
    unit = SelectField(_l("Unit"), validators=[DataRequired()])
    file = FileField(_l("File of paper questionnaires (CSV or XLSX)"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["csv", "xlsx"], _l("Only .csv or .xlsx files"))])

    def set_choices(self, lang: str) -> None:
        from survey.extensions import db
        from survey.models import Unit
        from survey.services.posters import POSTER_KINDS, choices

        self.questionnaire.choices = [SelectChoice(c.code, f"{c.title(lang)} ({c.code})")
                                      for c in sorted(choices(POSTER_KINDS),
                                                      key=lambda c: c.code)]
        units = db.session.execute(db.select(Unit).order_by(Unit.path)).scalars()
        self.unit.choices = [
            SelectChoice(u.code, f"{u.code} · {u.name_en if lang == 'en' and u.name_en else u.name_vi}")  # noqa: E501
            for u in units]


class StatsUploadForm(FlaskForm):
    """Dossier statistics (received, resolved on time, late, ...), per period and unit."""

    file = FileField(_l("Dossier statistics file (CSV or XLSX)"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["csv", "xlsx"], _l("Only .csv or .xlsx files"))])

    def __init__(self, *args, **kwargs):
        # its own field names ("stats-file"): the page's two forms never read each other's
        kwargs.setdefault("prefix", "stats")
        super().__init__(*args, **kwargs)
