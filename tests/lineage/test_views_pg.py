"""The two views on PostgreSQL (#19): the roll-ups there fold appended deltas and sum bigints as
numeric, so the re-attribution is checked on the real server too, against the same independent
computation as on SQLite."""

from __future__ import annotations

import pytest

from survey.extensions import db
from tests.conftest import database_of_kind, make_app
from tests.lineage import history as h

pytestmark = pytest.mark.postgres


def test_both_views_on_postgresql_equal_the_raw_answers(tmp_path):
    from flask_migrate import upgrade

    from survey.services.accounts import create_api_key

    with database_of_kind("postgresql", tmp_path, "hl_views") as url:
        app = make_app(url)
        try:
            with app.app_context():
                upgrade()
                h.build(per_date=8, split_weight=4)
                h.reform()
                key = create_api_key("analyst", "analyst").key
                db.session.commit()
                rows = h.raw_rows()
            client = app.test_client()
            headers = {"Authorization": f"Bearer {key}"}
            expected = {
                "today": h.today_counts(rows, lambda r, name: (r["year"], name)),
                "recorded": h.recorded_counts(rows, lambda r, name: (r["year"], name)),
            }
            for view, counts in expected.items():
                answer = client.get(f"/api/v1/indices?by=year,unit&view={view}", headers=headers)
                assert answer.status_code == 200, answer.json
                got = {(r["year"], h.short(r["unit"])): r for r in answer.json["rows"]}
                assert set(got) == set(counts)
                for key_, row in got.items():
                    k, n = h.whole(counts[key_])
                    assert row["n"] == n, (view, key_)
                    assert row["suppressed"] or row["satisfied"] == k
                    assert row["estimated"] is (view == "today" and h.estimated(key_[1],
                                                                                 key_[0]))
            trends = client.get("/api/v1/trends?by=unit&rollup=district&view=recorded",
                                headers=headers).json["rows"]
            assert {(h.short(r["unit"]), r["year"]) for r in trends if r["boundary_change"]} \
                == {("D1", h.REFORM.year), ("D2", h.REFORM.year)}
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
