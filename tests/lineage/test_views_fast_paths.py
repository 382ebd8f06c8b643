"""Both views after a reform keep O(groups) through two shortcuts (#19, "Still O(groups)"):
as recorded, only the rows of moved units in the year of their move are read by month
(`cells.ViewPlan.read_rows`), and the suppression's exact check solves a smaller system
(`analysis._span.determined_members`). On a generated history with small cells, every answer
must be the one of the general paths: every row read by month, the check over every unit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from analysis import _span, privacy
from survey.extensions import db
from survey.models import Unit
from survey.services.reporting import cache, cells, views
from tests.conftest import database_of_kind, make_app
from tests.lineage import history as h

QUESTIONS = [
    "indices?by=year,unit&rollup=district", "indices?by=unit&rollup=district",
    "indices?by=year,unit", "indices?by=quarter,unit&rollup=district",
    "indices?by=year&unit=RP-D2", "indices?by=unit&level=commune",
    "trends?by=unit&rollup=district", "indices?by=year,service_area,unit&rollup=district",
]
# D2 no longer exists: asked as recorded only
URLS = [f"/api/v1/{q}&view={v}" for q in QUESTIONS for v in ("recorded", "today")
        if v == "recorded" or "unit=RP-D2" not in q]


@pytest.fixture(scope="module", params=[
    "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def reformed(request, tmp_path_factory):
    """The history after the reform, on SQLite and on PostgreSQL (whose roll-ups fold deltas
    and which plans the look-ups of the monthly roll-up its own way)."""
    from flask_migrate import upgrade

    from survey.services.accounts import create_api_key

    with database_of_kind(request.param, tmp_path_factory.mktemp("fast"), "hl_fast") as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
            h.build(per_date=12)  # small enough that the recorded halves of 2025 are small
            h.reform()
            key = create_api_key("analyst-fast", "analyst").key
            db.session.commit()
            moved = db.session.execute(
                db.select(Unit.id).filter_by(code=h.code("F"))).scalar_one()
        yield app, key, moved
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _answers(reformed) -> dict:
    app, key, _ = reformed
    client, out = app.test_client(), {}
    for url in URLS:
        with app.app_context():
            cache.clear()
        answer = client.get(url, headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 200, (url, answer.json)
        out[url] = answer.json
    return out


def _whole_system(checks: list):
    def determined_members(n, members, hidden, dense_limit):
        """The exact check as it was: every base unit an unknown, nothing taken out."""
        members = sparse.csr_matrix(members)
        known = members[np.flatnonzero(~hidden | (n == 0))]
        targets = np.flatnonzero(hidden & (n > 0))
        checks.append(targets.size)
        out = np.zeros(n.size, dtype=bool)
        out[targets] = _span.in_span(known, members[targets], dense_limit)
        return out
    return determined_members


def test_both_views_answer_as_the_general_paths(reformed, monkeypatch):
    plans = []
    read_rows = cells.ViewPlan.read_rows
    monkeypatch.setattr(cells.ViewPlan, "read_rows",
                        lambda self, *a: plans.append(self) or read_rows(self, *a))
    fast = _answers(reformed)
    # as recorded, F (moved on 1 July 2025) alone was read by year, and by month in 2025
    recorded = [p for p in plans if p.scope.view == "recorded"]
    assert recorded and all(p.monthly == ([reformed[2]], [h.REFORM.year])
                            for p in recorded)
    assert {frozenset(p.by_year) for p in recorded if p.by_year is not None} \
        == {frozenset([reformed[2]])}
    # on today's units no unit maps differently from one year to another here: none is
    # read by year where the report does not group by year
    assert [p.by_year for p in plans if p.scope.view == "today"
            and p.by_year is not None] and not any(
        p.by_year for p in plans if p.scope.view == "today")

    checks: list[int] = []
    monkeypatch.setattr(privacy, "determined_members", _whole_system(checks))
    # every row read by year and month, as before the shortcuts
    monkeypatch.setattr(cells.ViewPlan, "splits", property(lambda self: False))
    general = _answers(reformed)
    assert general == fast
    # not vacuous: cells were hidden, and the exact check had hidden cells to decide
    assert any(checks)
    hidden = [row for url, answer in fast.items() if "recorded" in url
              for row in answer["rows"] if row["n"] and row["satisfied"] is None]
    assert hidden


def test_a_unit_mapped_differently_by_year_is_read_by_year():
    """Only a unit whose years map differently is read by year; the probe years stand for
    every year. A merge maps every year of the merged unit alike (later paper forms go where
    the unit went); a unit that gives part of its territory away and lives on does not."""
    from survey.services.lineage.graph import EventRow, Lineage, UnitRow
    from survey.services.reporting.scope import Scope

    units = [UnitRow(1, None), UnitRow(2, 1, valid_to=h.REFORM), UnitRow(3, 1, h.REFORM),
             UnitRow(4, 1), UnitRow(5, 1)]
    # 2 merged into 3 in 2025; 4 split in 2027 (half to 5): 4's years before 2027 are split
    # by the shares, its later ones are its own
    events = [EventRow(2, "merge", h.REFORM, ((3, 1.0),)),
              EventRow(4, "split", h.REFORM.replace(year=2027), ((4, 0.5), (5, 0.5)))]
    lineage = Lineage(units, events)

    class Refs:
        def restricts_units(self, scope):
            return False

    mapping = views.Reattribution(lineage, Refs(), Scope())
    years = views.probe_years(lineage)
    assert mapping.year_dependent([1, 2, 3, 4, 5], years) == {4}
    assert {tuple(mapping.spread(4, y, None)) for y in range(2020, 2031)} == {
        tuple(mapping.spread(4, y, None)) for y in years}
