"""The investigation on a real PostgreSQL (migrations, not create_all): chunked import with
ids from the sequence, all or nothing, the draw, and contacts sealed in the table's own file."""

from __future__ import annotations

import pytest

from survey.extensions import db
from survey.models import FrameContact, FrameDossier, SampleCase
from survey.services.imports import ImportRejected
from survey.services.investigation import frame_import
from survey.services.investigation.draw import draw_sample
from survey.services.investigation.frame_import import import_frame
from survey.services.investigation.investigations import close
from tests.conftest import fresh_postgres_databases, make_app, postgres_url
from tests.investigation.helpers import KEY, build_province, csv_bytes, frame, new_investigation

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(monkeypatch, pg_migrated):
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped (.ci/run sets it)")
    monkeypatch.setattr(frame_import, "CHUNK", 97)  # several chunks, ids from the sequence
    with fresh_postgres_databases(url, "hl_inv", template=pg_migrated) as (database,):
        app = make_app(database, CONTACT_KEY=KEY)
        with app.app_context():
            build_province()
            db.session.commit()
            yield
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()


def _table_file(table: str) -> bytes:
    """The table's heap file as the server stores it (after a checkpoint)."""
    db.session.execute(db.text("CHECKPOINT"))
    path = db.session.execute(db.text("SELECT pg_relation_filepath(:t)"), {"t": table}).scalar()
    return db.session.execute(db.text("SELECT pg_read_binary_file(:p)"), {"p": path}).scalar()


def test_frame_import_draw_and_contacts_on_postgresql(pg):
    inv = new_investigation(size={"method": "fixed", "n": 150}, minimum=5)
    rows = frame(1000, phones=True)
    assert import_frame(inv, csv_bytes(rows), "f.csv").rows == 1000
    db.session.commit()
    bad = frame(1200, seed=2)
    bad[-1]["resolved_on"] = "2026-01-01"
    with pytest.raises(ImportRejected) as caught:
        import_frame(inv, csv_bytes(bad), "bad.csv")
    db.session.rollback()
    assert [(p.row, p.column) for p in caught.value.problems] == [(1201, "resolved_on")]
    codes = list(db.session.execute(db.select(FrameDossier.dossier_code)
                                    .order_by(FrameDossier.line)).scalars())
    assert codes == [r["dossier_code"] for r in rows]
    contacts = _table_file("frame_contact")
    assert len(contacts) > 0 and rows[0]["dossier_code"].encode() in _table_file("frame_dossier")
    assert not any(r["phone"].encode() in contacts for r in rows[:100])

    draw_sample(inv, seed=77)
    db.session.commit()
    cases = db.session.execute(db.select(SampleCase)).scalars().all()
    assert len(cases) == 150
    population = dict(db.session.execute(
        db.select(FrameDossier.stratum_key, db.func.count()).group_by(FrameDossier.stratum_key)
    ).all())
    for stratum, big in population.items():
        mine = [c for c in cases if c.stratum_key == stratum]
        assert all(c.inclusion == pytest.approx(len(mine) / big, rel=1e-12) for c in mine)
    again = new_investigation("AGAIN", size={"method": "fixed", "n": 150}, minimum=5)
    import_frame(again, csv_bytes(rows), "f.csv")
    draw_sample(again, seed=77)
    pick = db.select(FrameDossier.dossier_code).join(
        SampleCase, SampleCase.frame_dossier_id == FrameDossier.id)
    assert sorted(db.session.execute(pick.where(SampleCase.investigation_id == inv.id))
                  .scalars()) == sorted(db.session.execute(
                      pick.where(SampleCase.investigation_id == again.id)).scalars())
    assert close(inv) == 150
    db.session.commit()
    assert db.session.execute(
        db.select(db.func.count()).select_from(FrameContact)
        .join(FrameDossier, FrameDossier.id == FrameContact.frame_dossier_id)
        .where(FrameDossier.investigation_id == inv.id)).scalar() == 0
    assert db.session.execute(db.select(db.func.count()).select_from(FrameContact)).scalar() \
        == 150  # the other investigation's drawn cases keep theirs
