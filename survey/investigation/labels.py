"""Strata as people read them: "Huyện D1 · Đất đai" rather than the stored key "D1|land".

A stratum key is the design's fields' codes joined by "|" (frame_import.py); each part is
named from the catalogue (units, service areas) or a fixed word (applicant types)."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.extensions import db
from survey.models import Investigation, ServiceArea, Unit

UNIT_FIELDS = ("unit", "commune")


def stratum_labels(investigation: Investigation, keys: list[str], lang: str) -> dict[str, str]:
    fields = list((investigation.design or {}).get("strata") or [])
    parts = [key.split("|") if fields else [] for key in keys]
    wanted_units = {p[i] for p in parts for i, f in enumerate(fields)
                    if f in UNIT_FIELDS and i < len(p)}
    wanted_areas = {p[i] for p in parts for i, f in enumerate(fields)
                    if f == "service_area" and i < len(p)}
    en = lang == "en"
    units = {u.code: (u.name_en or u.name_vi) if en else u.name_vi for u in db.session.execute(
        db.select(Unit).where(Unit.code.in_(wanted_units))).scalars()} if wanted_units else {}
    areas = {a.code: (a.name_en or a.name_vi) if en else a.name_vi for a in db.session.execute(
        db.select(ServiceArea).where(ServiceArea.code.in_(wanted_areas))).scalars()} \
        if wanted_areas else {}
    applicants = {"individual": _("Individuals"), "organisation": _("Organisations")}
    out = {}
    for key, split in zip(keys, parts, strict=True):
        if not fields or len(split) != len(fields):
            out[key] = _("Whole frame") if key == "all" else key
            continue
        words = []
        for field, code in zip(fields, split, strict=True):
            if field in UNIT_FIELDS:
                words.append(units.get(code, code))
            elif field == "service_area":
                words.append(areas.get(code, code))
            elif field == "applicant_type":
                words.append(applicants.get(code, code))
            else:
                words.append(code)  # a procedure's code is how the catalogue names it
        out[key] = " · ".join(words)
    return out
