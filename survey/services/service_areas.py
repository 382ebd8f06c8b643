"""Service areas (land, id_card, ... or one an office adds): listed, added and renamed.

The code is the stable identifier questionnaires, procedures, units and answers refer to, so it
never changes once created; only the names do. Every change is audited like other admin edits.
Errors name the field they concern so the page can show them beside it.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from survey.extensions import db
from survey.models import ServiceArea
from survey.services import audit

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # like questionnaire codes: YAML-safe


class AreaInvalid(ValueError):
    """The change cannot be made; `errors` maps a form field to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def all_areas() -> list[ServiceArea]:
    return list(db.session.execute(db.select(ServiceArea).order_by(ServiceArea.code)).scalars())


def codes() -> frozenset[str]:
    """The known codes, as the questionnaire loaders take them."""
    return frozenset(db.session.execute(db.select(ServiceArea.code)).scalars())


def choices(lang: str) -> list[tuple[str, str]]:
    """(code, name in `lang`) of every area, for a select."""
    return [(a.code, label(a, lang)) for a in all_areas()]


def label(area: ServiceArea, lang: str) -> str:
    return area.name_en if lang == "en" and area.name_en else area.name_vi


def _names(name_vi: str, name_en: str, errors: dict[str, str]) -> tuple[str, str]:
    name_vi, name_en = (name_vi or "").strip(), (name_en or "").strip()
    if not name_vi:
        errors["name_vi"] = _("Give the Vietnamese name.")
    elif len(name_vi) > 200:
        errors["name_vi"] = _("At most %(n)s characters.", n=200)
    if len(name_en) > 200:
        errors["name_en"] = _("At most %(n)s characters.", n=200)
    return name_vi, name_en


def _same_name(name_vi: str, exclude: int | None) -> ServiceArea | None:
    """Another area with this Vietnamese name, whatever the case (compared in Python: the
    databases' lower() does not fold Vietnamese capitals such as Đ)."""
    wanted = name_vi.casefold()
    return next((a for a in all_areas() if a.id != exclude and a.name_vi.casefold() == wanted),
                None)


def create(code: str, name_vi: str, name_en: str, actor: str) -> ServiceArea:
    errors: dict[str, str] = {}
    code = (code or "").strip()
    if not CODE_PATTERN.fullmatch(code):
        errors["code"] = _("A lowercase letter, then lowercase letters, digits or _ "
                           "(at most 40).")
    elif db.session.execute(db.select(ServiceArea.id).filter_by(code=code)).first():
        errors["code"] = _("The code %(code)s is already used by another service area.",
                           code=code)
    name_vi, name_en = _names(name_vi, name_en, errors)
    if "name_vi" not in errors and (other := _same_name(name_vi, None)) is not None:
        errors["name_vi"] = _("The service area %(code)s already has this name.",
                              code=other.code)
    if errors:
        raise AreaInvalid(errors)
    area = ServiceArea(code=code, name_vi=name_vi, name_en=name_en)
    db.session.add(area)
    db.session.flush()
    audit.record(actor, "create", "service_area", code,
                 new={"name_vi": name_vi, "name_en": name_en})
    return area


def rename(code: str, name_vi: str, name_en: str, actor: str) -> ServiceArea:
    area = db.session.execute(db.select(ServiceArea).filter_by(code=code)).scalar_one_or_none()
    if area is None:
        raise LookupError(code)
    errors: dict[str, str] = {}
    name_vi, name_en = _names(name_vi, name_en, errors)
    if "name_vi" not in errors and (other := _same_name(name_vi, area.id)) is not None:
        errors["name_vi"] = _("The service area %(code)s already has this name.",
                              code=other.code)
    if errors:
        raise AreaInvalid(errors)
    old = {"name_vi": area.name_vi, "name_en": area.name_en}
    new = {"name_vi": name_vi, "name_en": name_en}
    if old != new:
        audit.record(actor, "update", "service_area", code, old=old, new=new)
        area.name_vi, area.name_en = name_vi, name_en
        db.session.flush()
    return area
