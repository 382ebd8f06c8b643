"""A small three-level province about to go through the 2025 reform, for the lineage tests.

P (province) holds districts D1 (communes A, B) and D2 (communes E, F; F holds a ward F1);
the new communes AB (A + B merged) and E1, E2 (E split) are born on the reform day under P.
"""

from __future__ import annotations

from datetime import date

from survey.extensions import db
from survey.models import Unit
from tests import factories

REFORM = date(2025, 7, 1)
DAY_BEFORE = date(2025, 6, 30)
TODAY = date(2026, 12, 2)


def build() -> dict[str, Unit]:
    p = factories.unit("P")
    d1 = factories.unit("D1", "district", p)
    d2 = factories.unit("D2", "district", p)
    units = {"P": p, "D1": d1, "D2": d2}
    for code, parent in (("A", d1), ("B", d1), ("E", d2), ("F", d2)):
        units[code] = factories.unit(code, "commune", parent)
    units["F1"] = factories.unit("F1", "commune", units["F"])
    for code in ("AB", "E1", "E2"):
        units[code] = factories.unit(code, "commune", p)
        units[code].valid_from = REFORM
    db.session.flush()
    return units


def get(code: str) -> Unit:
    return db.session.execute(db.select(Unit).filter_by(code=code)).scalar_one()
