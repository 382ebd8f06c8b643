"""The procedure catalogue: counts per level and group, and an admin's corrections."""

from __future__ import annotations

from collections import Counter

from werkzeug.exceptions import NotFound

from survey.extensions import db
from survey.models import Procedure, ProcedureGroup
from survey.models.units import PROCEDURE_LEVELS
from survey.services import audit


class ProcedureInvalid(ValueError):
    pass


def catalogue() -> dict:
    """Procedures in order, with counts per level and per group (as the council asked)."""
    rows = db.session.execute(
        db.select(Procedure).order_by(Procedure.level, Procedure.code)).scalars().all()
    by_level = Counter(p.level for p in rows)
    by_group = Counter((p.group.code if p.group else None, p.level) for p in rows)
    return {"procedures": rows, "total": len(rows),
            "by_level": [(level, by_level.get(level, 0)) for level in PROCEDURE_LEVELS],
            "by_group": sorted(by_group.items(), key=lambda kv: (str(kv[0][0]), kv[0][1]))}


def get_procedure(code: str) -> Procedure:
    found = db.session.execute(db.select(Procedure).filter_by(code=code)).scalar_one_or_none()
    if found is None:
        raise NotFound()
    return found


def update_procedure(code: str, name_vi: str, name_en: str, level: str, group_code: str | None,
                     actor: str) -> Procedure:
    procedure = get_procedure(code)
    if level not in PROCEDURE_LEVELS:
        raise ProcedureInvalid(f"unknown level {level!r}")
    group = None
    if group_code:
        group = db.session.execute(
            db.select(ProcedureGroup).filter_by(code=group_code)).scalar_one_or_none()
        if group is None:
            raise ProcedureInvalid(f"unknown procedure group {group_code!r}")
        if group.service_area_id != procedure.service_area_id:
            raise ProcedureInvalid("the group belongs to another service area")
    old = {"name_vi": procedure.name_vi, "name_en": procedure.name_en, "level": procedure.level,
           "group": procedure.group.code if procedure.group else None}
    procedure.name_vi, procedure.name_en, procedure.level = name_vi, name_en, level
    procedure.group = group
    audit.record(actor, "update", "procedure", code, old=old,
                 new={"name_vi": name_vi, "name_en": name_en, "level": level,
                      "group": group_code})
    db.session.flush()
    return procedure
