"""A frame written with old unit codes after a reform (#19): a merged commune's code lands on
the commune it is part of today (its unit, stratum and PSU), a split commune's code stays the
old commune's (which part a dossier belongs to is not in the file)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from survey.extensions import db
from survey.models import FrameDossier, Unit
from survey.services.investigation.frame_import import import_frame
from survey.services.lineage.events import EventInput, record_event
from tests import factories
from tests.investigation.helpers import csv_bytes, new_investigation

REFORM = date(2025, 7, 1)
# the test's own lineage: C01 and C02 merge into C12N; C03 splits into C31 and C32
TODAY = {"C01": "C12N", "C02": "C12N", "C03": "C03", "C04": "C04"}


def test_old_commune_codes_land_on_todays_communes(ctx):
    d1 = db.session.execute(db.select(Unit).filter_by(code="D1")).scalar_one()
    for code in ("C12N", "C31", "C32"):
        factories.unit(code, "commune", d1).valid_from = REFORM
    db.session.flush()
    for unit, kind, successors in (("C01", "merge", (("C12N", 1.0),)),
                                   ("C02", "merge", (("C12N", 1.0),)),
                                   ("C03", "split", (("C31", .5), ("C32", .5)))):
        record_event(EventInput(unit_code=unit, kind=kind, effective=REFORM,
                                decision_number="1656/NQ-UBTVQH15", successors=successors),
                     "test")
    db.session.commit()
    inv = new_investigation()
    rows = [{"dossier_code": f"HS-{i:04d}", "procedure": "MAR-01", "unit": code,
             "applicant_type": "individual", "resolved_on": f"{1 + i % 28:02d}/03/2025",
             "commune": code}
            for i, code in enumerate(["C01", "C02", "C03", "C04"] * 10)]
    result = import_frame(inv, csv_bytes(rows), "frame.csv")
    db.session.commit()
    assert result.rows == 40
    codes = dict(db.session.execute(db.select(Unit.id, Unit.code)).all())
    stored = db.session.execute(
        db.select(FrameDossier.unit_id, FrameDossier.stratum_key, FrameDossier.psu_key)
        .filter_by(investigation_id=inv.id)).all()
    assert Counter(codes[u] for u, _, _ in stored) == Counter(TODAY[r["unit"]] for r in rows)
    assert Counter(s for _, s, _ in stored) == Counter(
        f"{TODAY[r['unit']]}|marriage" for r in rows)
    assert Counter(p for _, _, p in stored) == Counter(TODAY[r["commune"]] for r in rows)
    assert result.strata == 3  # C12N, C03, C04
