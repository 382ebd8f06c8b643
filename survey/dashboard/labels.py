"""Names shown on the dashboards, in the user's language."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from survey.extensions import db
from survey.models import ProcedureGroup, ServiceArea, Unit

ELEMENTS = {
    "A": _l("A. Access to the service"), "B": _l("B. Administrative procedures"),
    "C": _l("C. Civil servants"), "D": _l("D. Results"),
    "E": _l("E. Receiving and handling feedback"),
}
RESPONDENT_TYPES = {"individual": _l("Individuals"), "organisation": _l("Organisations")}


def english() -> bool:
    return str(get_locale()) == "en"


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
    """The one verdict vocabulary of METHODOLOGY §3; no verdict (suppressed, no inference): –."""
    return str(VERDICTS[code]) if code in VERDICTS else "–"


def template_helpers() -> dict:
    return {
        "pick": pick,
        "dash_pages": lambda: [(e, str(label)) for e, label in PAGES],
        "level_label": lambda code: str(LEVELS.get(code, code)),
        "respondent_label": lambda code: str(RESPONDENT_TYPES.get(code, code)),
        "verdict_label": verdict_label,
        "quadrant_label": lambda code: str(QUADRANTS.get(code, code or "–")),
    }
