"""Contacts: sealed at rest (the database file never holds a phone number in clear), bound to
their dossier, kept only for the drawn cases after the draw, and deleted when the fieldwork
closes."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.extensions import db
from survey.models import FrameContact, FrameDossier, SampleCase
from survey.services.imports import ImportRejected
from survey.services.investigation.cases import case_for_token, issue_link, set_status
from survey.services.investigation.contacts import ContactKeyError, Sealer, contact_of
from survey.services.investigation.draw import draw_sample
from survey.services.investigation.frame_import import import_frame
from survey.services.investigation.investigations import (
    InvestigationError,
    close,
    start_fieldwork,
)
from tests.investigation.helpers import KEY, csv_bytes, frame, new_investigation


def _raw_bytes(db_path: str) -> bytes:
    """Everything SQLite has on disk for the database: the file and its write-ahead log."""
    return b"".join(Path(f"{db_path}{suffix}").read_bytes() for suffix in ("", "-wal")
                    if Path(f"{db_path}{suffix}").exists())


def _contacts(inv) -> int:
    return db.session.execute(
        db.select(db.func.count()).select_from(FrameContact)
        .join(FrameDossier, FrameDossier.id == FrameContact.frame_dossier_id)
        .where(FrameDossier.investigation_id == inv.id)).scalar_one()


def test_contacts_are_encrypted_at_rest_and_open_with_the_key(ctx, db_path):
    inv = new_investigation()
    rows = frame(200, phones=True)
    result = import_frame(inv, csv_bytes(rows), "f.csv")
    db.session.commit()
    assert result.contacts == 200
    raw = _raw_bytes(db_path)
    assert rows[0]["dossier_code"].encode() in raw  # the scan sees what was just written
    for row in rows[:50]:
        assert row["phone"].encode() not in raw
        assert row["contact_name"].encode() not in raw
    # a value stored in clear would be found: the check can fail
    db.session.execute(db.text("CREATE TABLE probe (v TEXT)"))
    db.session.execute(db.text("INSERT INTO probe VALUES (:v)"), {"v": rows[0]["phone"]})
    db.session.commit()
    assert rows[0]["phone"].encode() in _raw_bytes(db_path)
    dossier = db.session.execute(db.select(FrameDossier).filter_by(line=2)).scalar_one()
    assert contact_of(inv.id, dossier.id, dossier.dossier_code) == {
        "contact_name": rows[0]["contact_name"], "phone": rows[0]["phone"]}


def test_a_blob_opens_only_for_its_own_dossier_and_key(ctx):
    inv = new_investigation()
    import_frame(inv, csv_bytes(frame(5, phones=True)), "f.csv")
    one, two = db.session.execute(db.select(FrameDossier).order_by(FrameDossier.line)
                                  .limit(2)).scalars()
    blob = db.session.execute(db.select(FrameContact).filter_by(
        frame_dossier_id=one.id)).scalar_one()
    sealer = Sealer()
    with pytest.raises(ContactKeyError, match="moved from another dossier"):
        sealer.open(inv.id, two.dossier_code, blob.key_id, blob.blob)
    other = Sealer("A" * 43 + "=")
    with pytest.raises(ContactKeyError, match="sealed with key"):
        other.open(inv.id, one.dossier_code, blob.key_id, blob.blob)
    with pytest.raises(ContactKeyError, match="32 bytes"):
        Sealer("short")


def test_contacts_without_a_key_are_refused_naming_the_first_row(app):
    app.config["CONTACT_KEY"] = ""
    with app.app_context():
        inv = new_investigation()
        rows = frame(20)
        rows[4]["phone"] = "0912345678"
        rows[9]["email"] = "a@b.vn"
        with pytest.raises(ImportRejected) as caught:
            import_frame(inv, csv_bytes(rows), "f.csv", lang="vi")
        [problem] = caught.value.problems
        assert (problem.row, problem.column) == (6, "phone")
        assert "HAILONG_CONTACT_KEY" in problem.message and "không lưu được" in problem.message
        db.session.rollback()
        # without contact details the same frame needs no key
        rows[4]["phone"] = rows[9]["email"] = ""
        assert import_frame(inv, csv_bytes(rows), "f.csv").rows == 20


def test_the_draw_keeps_the_drawn_cases_contacts_and_closing_deletes_them(ctx, db_path):
    inv = new_investigation(size={"method": "fixed", "n": 40}, minimum=0)
    rows = frame(400, phones=True)
    import_frame(inv, csv_bytes(rows), "f.csv")
    db.session.commit()
    assert _contacts(inv) == 400
    result = draw_sample(inv, seed=5)
    db.session.commit()
    assert result.contacts_deleted == 360 and _contacts(inv) == 40
    kept = set(db.session.execute(db.select(FrameContact.frame_dossier_id)).scalars())
    assert kept == set(db.session.execute(db.select(SampleCase.frame_dossier_id)).scalars())
    start_fieldwork(inv)
    assert close(inv) == 40
    db.session.commit()
    assert _contacts(inv) == 0 and inv.status == "closed" and inv.closed_at is not None
    # the frame and the sample stay: the weights need them
    assert db.session.execute(db.select(db.func.count()).select_from(SampleCase)).scalar() == 40
    with pytest.raises(InvestigationError, match="only a drawn"):
        close(inv)


def test_a_case_link_is_stored_hashed_and_its_status_keeps_history(ctx):
    inv = new_investigation(size={"method": "fixed", "n": 5}, minimum=0)
    import_frame(inv, csv_bytes(frame(50)), "f.csv")
    draw_sample(inv, seed=1)
    case = db.session.execute(db.select(SampleCase).limit(1)).scalar_one()
    token = issue_link(case)
    assert case.token_hash and token not in case.token_hash
    assert case_for_token(token) is case
    newer = issue_link(case)
    assert case_for_token(token) is None and case_for_token(newer) is case
    set_status(case, "contacted", "collector1", "called once")
    set_status(case, "refused", "collector1")
    assert [(e.from_status, e.to_status) for e in case.events] == [
        (None, "issued"), ("issued", "contacted"), ("contacted", "refused")]
    with pytest.raises(InvestigationError, match="names its response"):
        set_status(case, "completed", "collector1")
    with pytest.raises(InvestigationError, match="one of"):
        set_status(case, "lost", "collector1")
    close(inv)
    with pytest.raises(InvestigationError, match="closed"):
        set_status(case, "contacted", "collector1")


def test_the_test_key_is_a_valid_key():
    assert len(Sealer(KEY).key_id) == 16
