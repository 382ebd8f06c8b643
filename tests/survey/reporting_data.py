"""A small demo database shared by the reporting tests, and independent computations on it.

The independent side reads raw answer rows with plain SQL and counts them in Python, then asks
scipy; it shares no code with survey/services/reporting.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import text

from survey.extensions import db
from survey.services.accounts import create_api_key, create_user
from survey.services.demo import load_demo

RAW = text("""
SELECT r.id, r.year, sa.code AS area, u.code AS unit, u.path, u.level, r.channel,
       r.respondent_type, a.item_code, a.value_int, a.missing_code, q.kind, vi.is_overall,
       vi.element, vi.item_type
FROM answer a
JOIN response r ON r.id = a.response_id
JOIN service_area sa ON sa.id = r.service_area_id
JOIN unit u ON u.id = r.unit_id
JOIN questionnaire_version qv ON qv.id = r.version_id
JOIN questionnaire q ON q.id = qv.questionnaire_id
JOIN version_item vi ON vi.version_id = r.version_id AND vi.code = a.item_code
""")


def build(app, scale: float = 0.25) -> dict[str, str]:
    """Load the demo at a small scale; return API keys per role.

    Without the 2025 reform: these tests check every statistic against raw answers grouped by
    the units of a fixed three-level tree (the reform's two views are checked against their own
    independent re-attribution in tests/lineage and tests/survey/test_demo.py), and without
    the sampled investigations, whose answers are in no open-collection figure: these raw rows
    are the open collection (tests/survey/test_demo_investigation.py checks the demo's
    investigation answers change no figure)."""
    with app.app_context():
        load_demo(scale=scale, reform=False, investigations=False)
        keys = {role: create_api_key(f"key-{role}", role).key
                for role in ("analyst", "designer", "data_entry")}
        keys["officer"] = create_api_key("key-officer", "unit_officer", "ST-H01").key
        create_user("analyst1", "mot-mat-khau-dai", "analyst")
        db.session.commit()
    return keys


def raw_rows(app) -> list:
    with app.app_context():
        return db.session.execute(RAW).mappings().all()


def overall_counts(rows, key, kind="survey", where=lambda r: True) -> dict[tuple, Counter]:
    """value counts of the overall item per key(row); missing codes counted as 'missing'."""
    out: dict[tuple, Counter] = defaultdict(Counter)
    for r in rows:
        if r["kind"] == kind and r["is_overall"] and where(r):
            out[key(r)][r["value_int"] if r["missing_code"] is None else "missing"] += 1
    return out
