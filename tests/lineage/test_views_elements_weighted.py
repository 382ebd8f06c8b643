"""The elements' α and importance and the post-stratification weights in the two views (#19,
METHODOLOGY §10), on the generated history across a merge, a split and a move
(tests/lineage/history.py, tests/lineage/reattributed.py).

The expectations are computed here from the raw answers with plain SQL and the test's own
table of shares: on today's units a split unit's respondents count by the split's share (E1
holds 3/4 of E), never whole; as recorded a unit filter holds a moved unit only while it lay
inside (F in D2 before 1 July 2025).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from scipy import stats
from sqlalchemy import text

from survey.extensions import db
from survey.services.reporting import Scope
from tests.lineage import history as h
from tests.lineage import reattributed as lr

ELEMENT_ANSWERS = text("""
SELECT r.id, u.code AS unit, r.year, r.month, vi.element, a.item_code, a.value_int
FROM answer a
JOIN response r ON r.id = a.response_id
JOIN unit u ON u.id = r.unit_id
JOIN version_item vi ON vi.version_id = r.version_id AND vi.code = a.item_code
WHERE vi.element IS NOT NULL AND vi.item_type = 'likert5' AND a.value_int IS NOT NULL
  AND r.quarantine_id IS NULL
""")
OVERALL = text("""
SELECT a.response_id, a.value_int
FROM answer a
JOIN response r ON r.id = a.response_id
JOIN version_item vi ON vi.version_id = r.version_id AND vi.code = a.item_code
WHERE vi.is_overall AND a.value_int IS NOT NULL
""")
ITEMS = text("""
SELECT DISTINCT element, code FROM version_item WHERE element IS NOT NULL
AND item_type = 'likert5'
""")


@pytest.fixture(scope="module")
def reformed(tmp_path_factory):
    app = lr.build(tmp_path_factory.mktemp("views") / "views.db")
    yield app
    with app.app_context():
        db.engine.dispose()


# --- elements: α, importance, respondents ---------------------------------------------------


def _element_expectations(reformed, keep, view) -> dict[str, dict]:
    """Per element, from the raw answers with the test's shares: respondents, α (the
    weighted α over complete respondents) and Spearman's ρ between the mean element score and
    the overall answer on the table of (element sum, items answered, overall answer) rounded
    to whole respondents."""
    with reformed.app_context():
        answers = db.session.execute(ELEMENT_ANSWERS).mappings().all()
        overall = dict(db.session.execute(OVERALL).all())
        items: dict[str, list[str]] = defaultdict(list)
        for element, code in db.session.execute(ITEMS).all():
            items[element].append(code)
    people: dict[tuple[int, str], dict] = {}
    for a in answers:
        person = people.setdefault((a["id"], a["element"]), {
            "weight": lr.weight(a["unit"], a["year"], a["month"], keep, view), "x": {}})
        person["x"][a["item_code"]] = a["value_int"]
    out = {}
    for element, codes in items.items():
        codes = sorted(codes)
        members = [(rid, p) for (rid, e), p in people.items() if e == element and p["weight"]]
        complete = [p for _, p in members if len(p["x"]) == len(codes)]
        w = np.array([p["weight"] for p in complete])
        x = np.array([[p["x"][c] for c in codes] for p in complete], dtype=float)

        def variance(values, w=w):
            mean = np.average(values, weights=w)
            return np.average((values - mean) ** 2, weights=w)

        k = len(codes)
        alpha = k / (k - 1) * (1 - sum(variance(x[:, j]) for j in range(k))
                               / variance(x.sum(axis=1)))
        table: dict[tuple, float] = defaultdict(float)
        for rid, p in members:
            if rid in overall:
                table[(sum(p["x"].values()), len(p["x"]), overall[rid])] += p["weight"]
        score, answer = [], []
        for (total, answered, o), n in table.items():
            score += [total / answered] * int(np.rint(n))
            answer += [o] * int(np.rint(n))
        out[element] = {
            "n": int(np.rint(sum(p["weight"] for _, p in members))),
            "alpha": alpha, "alpha_n": int(np.rint(w.sum())),
            "rho": stats.spearmanr(score, answer)[0], "pairs": len(score)}
    return out


ELEMENT_CASES = [
    (Scope(unit="RP-AB"), lr.in_ab, "today", False),
    (Scope(unit="RP-E1"), lr.in_e1, "today", True),
    (Scope(unit="RP-E1", channels=("paper",)), lr.in_e1, "today", True),  # the scan
    (Scope(unit="RP-D2", view="recorded"), lr.in_d2_as_recorded, "recorded", False),
]


@pytest.mark.parametrize("case", ELEMENT_CASES, ids=range(len(ELEMENT_CASES)))
def test_element_alpha_and_importance_follow_the_lineage(reformed, case):
    from survey.services.reporting.elements import elements

    scope, keep, view, estimated = case
    with reformed.app_context():
        report = elements(scope, 0.8)
    expected = _element_expectations(reformed, keep, view)
    rows = {r["element"]: r for r in report["elements"]}
    assert set(rows) == set(expected)
    compared = 0
    for element, want in expected.items():
        row = rows[element]
        assert row["n"] == want["n"], element
        assert row["estimated"] is estimated
        if row["suppressed"]:
            continue
        assert row["alpha"] == pytest.approx(want["alpha"], abs=1e-9), element
        assert row["alpha_n"] == want["alpha_n"]
        assert row["importance"] == pytest.approx(want["rho"], abs=1e-9), element
        assert row["importance_n"] == want["pairs"]
        compared += 1
    assert compared == len(expected)
    assert report["estimated"] is estimated and report["method"]["view"] == view


def test_element_respondents_of_a_split_unit_are_not_counted_whole(reformed):
    from survey.services.reporting.elements import elements

    with reformed.app_context():
        report = elements(Scope(unit="RP-E1"), 0.8)
    whole = _element_expectations(reformed, lambda name, *_: name in ("E", "E1"), "recorded")
    for row in report["elements"]:
        assert row["n"] < whole[row["element"]]["n"]


# --- post-stratification weights -------------------------------------------------------------


def _resolved(year, keep, view) -> dict[str, float]:
    """Dossiers resolved per level of the units the view puts them under."""
    out: dict[str, float] = defaultdict(float)
    for (y, name), n in lr.RESOLVED.items():
        if y != year:
            continue
        targets = {name: 1.0} if view == "recorded" else h.TODAY_SHARES.get(name, {name: 1.0})
        if view == "today" and name in ("D1", "D2"):
            targets = {}  # abolished without heirs: no figures on today's units
        for target, share in targets.items():
            if keep(target, y, 1):
                out["district" if target.startswith("D") else "commune"] += n * share
    return {level: int(np.rint(n)) for level, n in out.items()}


WEIGHTED = [
    (Scope(unit="RP-E1", year_from=2024, year_to=2024), lr.in_e1, "today", True),
    (Scope(year_from=2024, year_to=2024), lambda *_: True, "today", False),
    (Scope(year_from=2024, year_to=2024, view="recorded"), lambda *_: True, "recorded", False),
    (Scope(unit="RP-D2", year_from=2024, year_to=2024, view="recorded"), lr.in_d2_as_recorded,
     "recorded", False),
]


@pytest.mark.parametrize("case", WEIGHTED, ids=range(len(WEIGHTED)))
def test_weighting_uses_the_units_of_the_view(reformed, case):
    from survey.services.reporting.weighted import weighted

    scope, keep, view, estimated = case
    with reformed.app_context():
        report = weighted(scope, 0.8)
        rows = h.raw_rows()
    volumes = _resolved(2024, keep, view)
    answers = defaultdict(lambda: np.zeros(5))
    for r in rows:
        if r["year"] == 2024 and r["missing_code"] is None:
            answers["commune"][r["value_int"] - 1] += lr.weight(r["unit"], r["year"], r["month"],
                                                               keep, view)
    strata = {s["level"]: s for s in report["strata"]}
    assert set(strata) == set(volumes)  # the district's dossiers only as recorded
    for level, resolved in volumes.items():
        assert strata[level]["service_area"] == "land"
        assert strata[level]["dossiers_resolved"] == resolved
    satisfied, n = h.whole(answers["commune"])
    assert strata["commune"]["n"] == n
    assert strata["commune"]["satisfied"] == satisfied
    assert strata["commune"]["estimated"] is estimated
    assert report["method"]["view"] == view
