"""A generated history across a reform, for the tests of the two views, and the independent
computations on it.

Three-level until 1 July 2025: province RP, districts D1 (communes A, B) and D2 (communes E,
F). On that day A and B merge into AB, E splits into E1 (3/4) and E2 (1/4), F moves up to the
province and both districts are abolished. Seeded random paper answers go through the normal
submission path (`responses.submit`, which maintains the roll-ups). The independent side reads
the raw answers with plain SQL and re-attributes them with the test's own table of shares
(`TODAY_SHARES`), sharing no code with survey/services/reporting or the lineage.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date

import numpy as np
from sqlalchemy import text

from survey.extensions import db
from survey.models import ServiceArea, Unit, UnitEvent, UnitEventSuccessor

REFORM = date(2025, 7, 1)
OLD = ("A", "B", "E")  # communes that end at the reform
NEW = ("AB", "E1", "E2")  # communes born at it
# Shares exact in binary, so both sides round the same sums the same way.
TODAY_SHARES = {"A": {"AB": 1.0}, "B": {"AB": 1.0}, "E": {"E1": 0.75, "E2": 0.25}}
DISTRICT_BEFORE = {"A": "D1", "B": "D1", "E": "D2", "F": "D2"}
BEFORE = ("2023-03-10", "2023-09-10", "2024-03-10", "2024-09-10", "2025-03-10")
AFTER = ("2025-09-10", "2026-03-10", "2026-09-10")
TARGET = {"A": 0.85, "B": 0.6, "E": 0.75, "F": 0.7, "AB": 0.8, "E1": 0.9, "E2": 0.55}

RAW = text("""
SELECT r.year, r.month, u.code AS unit, a.value_int, a.missing_code
FROM answer a
JOIN response r ON r.id = a.response_id
JOIN unit u ON u.id = r.unit_id
JOIN version_item vi ON vi.version_id = r.version_id AND vi.code = a.item_code
WHERE vi.is_overall AND r.quarantine_id IS NULL
""")


def code(name: str) -> str:
    return f"RP-{name}" if name != "RP" else "RP"


def build(per_date: int = 35, split_weight: int = 3) -> None:
    """The units and the answers; `reform()` then adds the events (as a province lives it:
    history first)."""
    from survey.services import responses
    from survey.services.demo.answers import Respondent, answers_for
    from survey.services.questionnaires import (
        definition_of,
        get_version,
        load_and_publish_builtins,
    )
    from survey.services.reference import load_service_areas

    if db.session.execute(db.select(ServiceArea.id).limit(1)).first() is None:
        load_service_areas()
    load_and_publish_builtins()
    _units()
    db.session.commit()
    definition = definition_of(get_version("land_survey"))
    rng = random.Random(19)
    for name, dates in (("A", BEFORE), ("B", BEFORE), ("E", BEFORE), ("F", BEFORE + AFTER),
                        ("AB", AFTER), ("E1", AFTER), ("E2", AFTER)):
        count = per_date * (split_weight if name == "E" else 1)
        for day in dates:
            for i in range(count):
                given = answers_for(definition, Respondent(rng, TARGET[name], 0.1), 2)
                payload = {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "questionnaire": "land_survey", "unit": code(name), "channel": "paper",
                    "submitted_at": f"{day}T{8 + i // 60:02d}:{i % 60:02d}:00+07:00",
                    "answers": {k: ("no_answer" if a.missing_code else a.value)
                                for k, a in given.items()},
                }
                assert responses.submit(payload, data_entry=True).created


def reform() -> None:
    """The events of 1 July 2025, written as the events import writes them (with an audit
    entry, which is what tells the report cache that the figures changed)."""
    from survey.services.audit import record

    _events({u.code.removeprefix("RP-"): u for u in db.session.execute(
        db.select(Unit).where(Unit.code.like("RP%"))).scalars()})
    record("test", "import", "unit_event", new={"events": 7})
    db.session.commit()


def _units() -> dict[str, Unit]:
    made: dict[str, Unit] = {}

    def add(name, level, parent=None, **life):
        unit = Unit(code=code(name), name_vi=f"Đơn vị {name}", name_en=f"Unit {name}",
                    level=level, parent=parent,
                    path=(parent.path if parent else "/") + code(name) + "/", **life)
        db.session.add(unit)
        db.session.flush()
        made[name] = unit
        return unit

    root = add("RP", "province")
    ended, born = {"valid_to": REFORM}, {"valid_from": REFORM}
    d1, d2 = add("D1", "district", root, **ended), add("D2", "district", root, **ended)
    add("A", "commune", d1, **ended)
    add("B", "commune", d1, **ended)
    add("E", "commune", d2, **ended)
    add("F", "commune", d2)
    for name in NEW:
        add(name, "commune", root, **born)
    return made


def _events(units: dict[str, Unit]) -> None:
    def event(name, kind, successors=(), **extra):
        row = UnitEvent(unit=units[name], kind=kind, effective=REFORM,
                        decision_number="1656/NQ-UBTVQH15", **extra)
        row.successors = [UnitEventSuccessor(unit_id=units[s].id, share=share)
                          for s, share in successors]
        db.session.add(row)

    for name, shares in TODAY_SHARES.items():
        event(name, "merge" if len(shares) == 1 else "split", shares.items())
    f = units["F"]
    event("F", "move", old_parent_id=units["D2"].id, new_parent_id=units["RP"].id)
    f.parent_id, f.path = units["RP"].id, f"/RP/{f.code}/"
    event("D1", "abolish")
    event("D2", "abolish")
    db.session.flush()


# --- the independent side ------------------------------------------------------------------


def raw_rows() -> list:
    return db.session.execute(RAW).mappings().all()


def short(unit_code: str) -> str:
    return unit_code.removeprefix("RP-")


def recorded_counts(rows, key) -> dict[tuple, np.ndarray]:
    """Value counts (codes 1-5) of the overall item per key(row, recorded unit name)."""
    out: dict[tuple, np.ndarray] = defaultdict(lambda: np.zeros(5))
    for r in rows:
        if r["missing_code"] is None:
            out[key(r, short(r["unit"]))][r["value_int"] - 1] += 1
    return dict(out)


def today_counts(rows, key, keep=lambda name: True) -> dict[tuple, np.ndarray]:
    """The same re-attributed by the test's own shares: float counts per key(row, today's
    unit), only the shares landing on units `keep` accepts."""
    out: dict[tuple, np.ndarray] = defaultdict(lambda: np.zeros(5))
    for r in rows:
        if r["missing_code"] is not None:
            continue
        name = short(r["unit"])
        for target, share in TODAY_SHARES.get(name, {name: 1.0}).items():
            if keep(target):
                out[key(r, target)][r["value_int"] - 1] += share
    return dict(out)


def whole(counts: np.ndarray) -> tuple[int, int]:
    """(satisfied, n) of float counts rounded per answer value, as a report shows them."""
    rounded = np.rint(counts).astype(int)
    return int(rounded[3:].sum()), int(rounded.sum())


def estimated(name: str, year: int) -> bool:
    """Whether today's unit `name` holds part of a split in `year` (E's years)."""
    return name in ("E1", "E2") and year < REFORM.year + 1
