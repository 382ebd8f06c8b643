"""The generated reform history (tests/lineage/history.py) with yearly dossier statistics, and
the test's own re-attribution of one recorded answer, for the tests of the cross-tabulation,
the elements and the weighting in the two views."""

from __future__ import annotations

from survey.extensions import db
from tests.conftest import make_app
from tests.lineage import history as h

# Dossiers resolved in the year, written under the units of the time: D1, a district, has its
# own (it ended without heirs, so on today's units they are nowhere).
RESOLVED = {(2024, "A"): 400, (2024, "B"): 240, (2024, "E"): 1000, (2024, "F"): 300,
            (2024, "D1"): 80, (2026, "AB"): 700, (2026, "E1"): 610, (2026, "E2"): 190,
            (2026, "F"): 320}


def weight(unit_code: str, year: int, month: int, keep, view: str) -> float:
    """The test's own re-attribution: the share of a recorded answer a scope holds."""
    name = h.short(unit_code)
    if view == "recorded":
        return 1.0 if keep(name, year, month) else 0.0
    return sum(share for target, share in h.TODAY_SHARES.get(name, {name: 1.0}).items()
               if keep(target, year, month))


def in_e1(name, *_):
    return name == "E1"


def in_ab(name, *_):
    return name == "AB"


def in_d2_as_recorded(name, year, month):
    """D2 as recorded: E while it existed, F until it moved up on the reform day."""
    before = (year, month) < (h.REFORM.year, h.REFORM.month)
    return name == "E" or (name == "F" and before)


def build(path):
    """An application on a new SQLite database holding the history, its events and the
    dossier statistics of RESOLVED."""
    from survey.models import DossierStat, ServiceArea, Unit

    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        h.build()
        h.reform()
        land = db.session.execute(db.select(ServiceArea.id).filter_by(code="land")).scalar()
        ids = {h.short(u.code): u.id for u in db.session.execute(db.select(Unit)).scalars()}
        for (year, name), resolved in RESOLVED.items():
            db.session.add(DossierStat(period_kind="year", year=year, unit_id=ids[name],
                                       service_area_id=land, received_direct=resolved,
                                       resolved_on_time=resolved))
        db.session.commit()
    return app
