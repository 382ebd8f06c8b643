"""`hailong investigation create | frame-import | draw | show | fieldwork | close`."""

from __future__ import annotations

import re

from survey.extensions import db
from survey.models import FrameContact, Investigation, SampleCase
from tests.investigation.helpers import csv_bytes, frame


def _run(runner, *args):
    return runner.invoke(args=["investigation", *args])


def test_the_investigation_commands_from_create_to_close(app, tmp_path):
    runner = app.test_cli_runner()
    created = _run(runner, "create", "DT-2025", "--name", "Điều tra 2025", "--questionnaire",
                   "inv_q", "--from", "2025-01-01", "--to", "2025-12-31", "--size", "fixed",
                   "--n", "120", "--minimum", "5")
    assert created.exit_code == 0, created.output
    path = tmp_path / "frame.csv"
    path.write_bytes(csv_bytes(frame(900, phones=True)))
    imported = _run(runner, "frame-import", "DT-2025", str(path))
    assert imported.exit_code == 0, imported.output
    assert "900 dossier(s)" in imported.output and "900 with contact details" in imported.output
    drawn = _run(runner, "draw", "DT-2025", "--seed", "424242")
    assert drawn.exit_code == 0, drawn.output
    assert "120 case(s) drawn" in drawn.output and "seed 424242" in drawn.output
    shown = _run(runner, "show", "DT-2025")
    assert shown.exit_code == 0, shown.output
    assert "[drawn]" in shown.output and "seed 424242" in shown.output
    assert re.search(r"D1\|land\s+\d+\s+\d+\s+issued \d+", shown.output)
    assert _run(runner, "fieldwork", "DT-2025").exit_code == 0
    closed = _run(runner, "close", "DT-2025")
    assert closed.exit_code == 0 and "120 contact(s) deleted" in closed.output
    with app.app_context():
        inv = db.session.execute(db.select(Investigation)).scalar_one()
        assert inv.status == "closed" and inv.seed == 424242
        assert db.session.execute(db.select(db.func.count()).select_from(SampleCase)).scalar() \
            == 120
        assert db.session.execute(db.select(db.func.count())
                                  .select_from(FrameContact)).scalar() == 0


def test_bad_input_is_an_error_message_not_a_traceback(app, tmp_path):
    runner = app.test_cli_runner()
    missing = _run(runner, "create", "X", "--name", "x", "--questionnaire", "nope", "--from",
                   "2025-01-01", "--to", "2025-12-31")
    assert missing.exit_code == 1 and "no published questionnaire 'nope'" in missing.output
    fixed = _run(runner, "create", "X", "--name", "x", "--questionnaire", "inv_q", "--from",
                 "2025-01-01", "--to", "2025-12-31", "--size", "fixed")
    assert fixed.exit_code == 1 and "size.n" in fixed.output
    assert _run(runner, "create", "X", "--name", "x", "--questionnaire", "inv_q", "--from",
                "2025-01-01", "--to", "2025-12-31").exit_code == 0
    rows = frame(10)
    rows[2]["unit"] = "NOPE"
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows))
    bad = _run(runner, "frame-import", "X", str(path))
    assert bad.exit_code == 1
    assert f"{path}: row 4, column unit: không có đơn vị 'NOPE'" in bad.output
    english = _run(runner, "frame-import", "X", str(path), "--lang", "en")
    assert "row 4, column unit: unknown unit 'NOPE'" in english.output
    assert "no frame imported" in _run(runner, "draw", "X").output
    assert "no investigation 'Y'" in _run(runner, "show", "Y").output
    key = _run(runner, "contact-key")
    assert key.exit_code == 0 and len(key.output.strip()) == 44
