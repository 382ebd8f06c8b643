"""Names shown on the dashboards, in the user's language."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from survey.extensions import db
from survey.i18n import current_lang
from survey.models import ProcedureGroup, ServiceArea, Unit

ELEMENTS = {
    "A": _l("A. Access to the service"), "B": _l("B. Administrative procedures"),
    "C": _l("C. Civil servants"), "D": _l("D. Results"),
    "E": _l("E. Receiving and handling feedback"),
}
RESPONDENT_TYPES = {"individual": _l("Individuals"), "organisation": _l("Organisations")}
# The two views of a figure when units merged, split or moved (METHODOLOGY §10).
VIEWS = {"today": _l("On today's units"), "recorded": _l("As recorded")}
CHANNELS = {"kiosk": _l("Kiosk"), "phone": _l("Phone (QR code)"), "web": _l("Web link"),
            "paper": _l("Paper questionnaire")}
# Dimensions a cross-tab can take its columns from.
DIMENSIONS = {"year": _l("Year"), "service_area": _l("Service area"), "level": _l("Level"),
              "channel": _l("Channel"), "respondent_type": _l("Respondent type")}


def english() -> bool:
    return current_lang() == "en"


def pick(row, name: str = "name") -> str:
    """name_en in English when there is one, else name_vi."""
    en = getattr(row, f"{name}_en", "")
    return en if english() and en else getattr(row, f"{name}_vi")


def element_names() -> dict[str, str]:
    return {code: str(label) for code, label in ELEMENTS.items()}


def area_names() -> dict[str, str]:
    return {a.code: pick(a) for a in db.session.execute(db.select(ServiceArea)).scalars()}


def unit_names() -> dict[str, str]:
    return {u.code: pick(u) for u in db.session.execute(db.select(Unit)).scalars()}


def group_names() -> dict[str, str]:
    return {g.code: pick(g) for g in db.session.execute(db.select(ProcedureGroup)).scalars()}


LEVELS = {"province": _l("Province"), "department": _l("Department"),
          "district": _l("District"), "commune": _l("Commune")}


def level_names() -> dict[str, str]:
    return {code: str(label) for code, label in LEVELS.items()}


QUADRANTS = {"concentrate here": _l("Concentrate here"),
             "keep up the good work": _l("Keep up the good work"),
             "low priority": _l("Low priority"), "possible overkill": _l("Possible overkill")}
PAGES = (("dashboard.overview", _l("Overview")), ("dashboard.league", _l("Units")),
         ("dashboard.ratings", _l("Per-dossier ratings")), ("dashboard.crosstab", _l("Cross-tab")),
         ("dashboard.comments", _l("Comments")), ("dashboard.report", _l("Report")),
         ("dashboard.export_page", _l("Export")))


VERDICTS = {"meets": _l("meets the target"), "not_established": _l("not established"),
            "below": _l("below the target")}


def verdict_label(code: str | None) -> str:
    """The one verdict vocabulary of docs/METHODOLOGY.md §3.

    No verdict (suppressed, no inference): –.
    """
    return str(VERDICTS[code]) if code in VERDICTS else "–"


def _has_data(figure: dict) -> bool:
    from survey.dashboard.charts import has_data

    return has_data(figure)


def number(value: float | int | None, digits: int = 0) -> str:
    """A number as the user's language writes it: 38.855 and 80,3 in Vietnamese."""
    if value is None:
        return "–"
    # round() first, as "%.1f" does (the exact binary value): babel would round its decimal
    # string half-even, and a page could disagree with the API's figure in the last digit.
    return format_decimal(round(value, digits),
                          format="#,##0" + ("." + "0" * digits if digits else ""))


MASKS = {"[dossier-code]": _l("[dossier code]"), "[phone]": _l("[phone number]"),
         "[id-number]": _l("[ID number]"), "[email]": _l("[e-mail]")}


def masked_words(text: str) -> str:
    """A masked comment with its placeholders in the user's language (masking has already
    removed what they stand for)."""
    for token, words in MASKS.items():
        text = text.replace(token, str(words))
    return text


def channel_label(code: str | None) -> str:
    return str(CHANNELS.get(code, code or "–"))


def dimension_value(dimension: str, value: str) -> str:
    """A value of a response dimension in words (a year stays a number)."""
    if dimension == "service_area":
        return area_names().get(value, value)
    named = {"level": LEVELS, "channel": CHANNELS, "respondent_type": RESPONDENT_TYPES}
    return str(named.get(dimension, {}).get(value, value))


def template_helpers() -> dict:
    return {
        "pick": pick,
        "channel_label": channel_label,
        "has_data": _has_data,
        "masked_words": masked_words,
        "num": number,
        "dimension_label": lambda code: str(DIMENSIONS.get(code, code)),
        "dash_pages": lambda: [(e, str(label)) for e, label in PAGES],
        "level_label": lambda code: str(LEVELS.get(code, code)),
        "respondent_label": lambda code: str(RESPONDENT_TYPES.get(code, code)),
        "verdict_label": verdict_label,
        "quadrant_label": lambda code: str(QUADRANTS.get(code, code or "–")),
        "view_label": lambda code: str(VIEWS.get(code, code)),
    }


def item_labels(stream: str = "survey") -> dict[str, tuple[str, dict[str, str]]]:
    """Each item code's question and its answers' labels (value → words), in the user's
    language, from the published versions of the stream (a code shared by versions: the
    first version's wording)."""
    from survey.models import Questionnaire, QuestionnaireVersion
    from survey.services.exports.table import item_columns

    versions = list(db.session.execute(
        db.select(QuestionnaireVersion).join(Questionnaire)
        .where(Questionnaire.kind == stream)
        .order_by(Questionnaire.code, QuestionnaireVersion.number)).scalars())
    lang = 1 if english() else 0
    return {c.name: (c.label_en if english() else c.label_vi,
                     {str(value): words[lang] for value, words in c.values.items()})
            for c in item_columns(versions)}
