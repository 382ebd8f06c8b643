"""Both views of the reports (#19) on the generated province, beside the no-events baseline.

The baseline is the same API questions with no unit event in the database (the path every
install without a reform takes). Then the generated province goes through a reform on 1 July
2025: each district is abolished, twelve of its fifteen communes merge in pairs into new
communes, two move up to the province and one splits in two (60/40): 160 events, 80 new units.
The same questions are asked on today's units and as recorded, each with the report cache
emptied first, so the roll-ups are really read and re-attributed. The reform is undone after,
so the phases that follow measure the province as generated.

`python -m bench.lineage [SIZE]` runs this alone on a fresh SQLite database and writes
bench/results/lineage.{json,md}.
"""

from __future__ import annotations

import sys
import time
from datetime import date

from sqlalchemy import delete, or_, select, update

from bench.reports import timed
from survey.extensions import db
from survey.models import Unit, UnitEvent, UnitEventSuccessor
from survey.services.reporting import cache

REFORM = date(2025, 7, 1)
DECISION = "BENCH-REFORM"
QUESTIONS = (  # the overview's three, and the league tables of districts and communes
    "indices?by=year", "indices?by=year,service_area", "trends?by=service_area",
    "indices?by=unit&rollup=district", "indices?by=unit&rollup=commune",
)


def _suite(client, headers, view: str, repeat: int) -> float:
    """Summed median server time of the questions, the report cache emptied before each."""
    def ask(question):
        cache.clear()
        answer = client.get(f"/api/v1/{question}{view}", headers=headers)
        assert answer.status_code == 200, answer.json
    return sum(timed(lambda q=q: ask(q), repeat) for q in QUESTIONS)


def reform() -> int:
    """The events on the generated units (see the module's description); how many."""
    root = db.session.execute(select(Unit).where(Unit.parent_id.is_(None))).scalars().first()
    districts = list(db.session.execute(select(Unit).where(Unit.level == "district")
                                        .order_by(Unit.code)).scalars())
    events = 0

    def event(unit, kind, successors=(), **extra):
        nonlocal events
        row = UnitEvent(unit_id=unit.id, kind=kind, effective=REFORM,
                        decision_number=DECISION, **extra)
        row.successors = [UnitEventSuccessor(unit_id=u.id, share=s) for u, s in successors]
        db.session.add(row)
        events += 1

    def new(code, name):
        unit = Unit(code=code, name_vi=name, level="commune", parent_id=root.id,
                    path=f"{root.path}{code}/", valid_from=REFORM)
        db.session.add(unit)
        return unit

    for district in districts:
        communes = list(db.session.execute(select(Unit).where(Unit.parent_id == district.id)
                                           .order_by(Unit.code)).scalars())
        merged = [new(f"{district.code}-N{k}", f"Xã mới {district.code} {k}") for k in range(6)]
        parts = [new(f"{district.code}-P{k}", f"Xã tách {district.code} {k}") for k in (1, 2)]
        db.session.flush()
        for i, commune in enumerate(communes[:12]):
            event(commune, "merge", [(merged[i // 2], 1.0)])
            commune.valid_to = REFORM
        for commune in communes[12:14]:
            event(commune, "move", old_parent_id=district.id, new_parent_id=root.id)
            commune.parent_id, commune.path = root.id, f"{root.path}{commune.code}/"
        event(communes[14], "split", [(parts[0], 0.6), (parts[1], 0.4)])
        communes[14].valid_to = REFORM
        event(district, "abolish")
        district.valid_to = REFORM
    db.session.commit()
    return events


def undo() -> None:
    """The province as generated again."""
    ids = select(UnitEvent.id).where(UnitEvent.decision_number == DECISION)
    db.session.execute(delete(UnitEventSuccessor).where(UnitEventSuccessor.event_id.in_(ids)))
    db.session.execute(delete(UnitEvent).where(UnitEvent.decision_number == DECISION))
    db.session.execute(delete(Unit).where(Unit.valid_from == REFORM))
    db.session.execute(update(Unit).values(valid_to=None))
    for district in db.session.execute(select(Unit).where(Unit.level == "district")).scalars():
        prefix = f"{district.code}-X"
        db.session.execute(update(Unit).where(
            Unit.code.startswith(prefix), or_(Unit.parent_id != district.id,
                                              Unit.parent_id.is_(None)))
            .values(parent_id=district.id, path=district.path + Unit.code + "/"))
    db.session.commit()


def measure(client, headers, repeat: int = 5) -> dict:
    out = {"views_questions": len(QUESTIONS)}
    out["views_no_events_seconds"] = _suite(client, headers, "", repeat)
    out["views_events"] = reform()
    try:
        out["views_today_seconds"] = _suite(client, headers, "&view=today", repeat)
        out["views_recorded_seconds"] = _suite(client, headers, "&view=recorded", repeat)
    finally:
        undo()
    base = out["views_no_events_seconds"]
    out["views_today_ratio"] = out["views_today_seconds"] / base if base else None
    out["views_recorded_ratio"] = out["views_recorded_seconds"] / base if base else None
    return out


def main() -> None:
    import json
    import os

    from flask_migrate import upgrade

    from bench import generate
    from bench.app import RESULTS, app_for, scratch_sqlite
    from bench.table import HEADER, views_row
    from survey.services.accounts import create_api_key

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    started_at = time.strftime("%Y-%m-%d %H:%M:%S")
    url = scratch_sqlite(f"lineage-{size}")
    app = app_for(url)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        generate.generate(size)
        print(f"generated {size:,} responses in {time.perf_counter() - started:.0f} s",
              flush=True)
        key = create_api_key("bench-lineage", "analyst").key
        db.session.commit()
        result = measure(app.test_client(), {"Authorization": f"Bearer {key}"})
        db.session.remove()
        db.engine.dispose()
    out = {"size": size, "started": started_at, "load_average": os.getloadavg(), **result}
    print(json.dumps(out, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "lineage.json").write_text(json.dumps(out, indent=2))
    (RESULTS / "lineage.md").write_text(
        f"`python -m bench.lineage {size}` (started {started_at}, load average at the end "
        f"{out['load_average'][0]:.1f} on {os.cpu_count()} cores; seconds are each question's "
        "median of 5, summed):\n\n" + "\n".join([*HEADER, views_row("SQLite", str(size), out)])
        + "\n")


if __name__ == "__main__":
    main()
