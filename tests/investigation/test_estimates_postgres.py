"""The weighted estimates on a real PostgreSQL (migrated schema), against the same closed
form as on SQLite, and the API's answer there (#20)."""

from __future__ import annotations

import pytest

from survey.extensions import db
from survey.services.accounts import create_api_key
from survey.services.investigation.estimates import Options, estimates
from tests.investigation.estimates_world import CODE, estimates_app
from tests.investigation.test_estimates import (
    _cases,
    _closed_form,
    _frame_sizes,
    _investigation,
    _row,
)

pytestmark = pytest.mark.postgres


def test_closed_form_and_api_on_postgresql(tmp_path):
    with estimates_app(tmp_path, database="postgresql") as app:
        with app.app_context():
            cases, sizes = _cases(), _frame_sizes()
            out = estimates(_investigation())
            raked = estimates(_investigation(), Options(raking="frame", trim=3.5))
            key = create_api_key("k", "analyst").key
            db.session.commit()
        p, se, df = _closed_form(cases, sizes, population_weights=False)
        row = _row(out, "all", None, "overall")
        assert row["estimate"] == pytest.approx(p, rel=1e-12)
        assert row["se"] == pytest.approx(se, rel=1e-10)
        assert out["design"]["df"] == df
        answer = app.test_client().get(f"/api/v1/investigations/{CODE}/estimates?raking=frame"
                                       "&trim=3.5", headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 200
        assert answer.get_json()["rows"] == raked["rows"]
