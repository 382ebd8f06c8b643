"""Exports hold one stream and say so: files are named by stream, `hailong export` without
--stream tells on stderr how many responses of the other stream it left out (counted here with
plain SQL), and a progress bar runs on a terminal only (a real pseudo-terminal)."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from survey.extensions import db
from survey.models import Answer, Quarantine
from survey.services import exports
from survey.services import questionnaires as qservice
from tests import factories
from tests.survey import export_data as data

LEFT_OUT = text("""
SELECT count(*) FROM response r JOIN unit u ON u.id = r.unit_id
JOIN questionnaire_version qv ON qv.id = r.version_id
JOIN questionnaire q ON q.id = qv.questionnaire_id
WHERE q.kind = :kind AND u.path LIKE :path AND (:all OR r.quarantine_id IS NULL)
""")


@pytest.fixture
def built(app):
    """The export data, three more dossier ratings in the district, one rating quarantined."""
    with app.app_context():
        data.build()
        district = db.session.execute(text("SELECT id FROM unit WHERE code = 'P-H1'")).scalar()
        rating = qservice.get_version("dossier_rating")
        unit = db.session.get(factories.Unit, district)
        for n in range(3):
            r = factories.response(rating, unit, channel="kiosk")
            db.session.add(Answer(response_id=r.id, item_code="rating", value_int=n + 1))
        at = datetime(2025, 6, 1, tzinfo=UTC)
        quarantine = Quarantine(kind="manual", first_at=at, last_at=at, reason="test",
                                responses=1, created_by="admin")
        db.session.add(quarantine)
        db.session.flush()
        db.session.execute(text("UPDATE response SET quarantine_id = :q WHERE id = :r"),
                           {"q": quarantine.id, "r": r.id})
        db.session.commit()
    return app


def count(app, kind: str, path: str = "/%", quarantined: bool = False) -> int:
    with app.app_context():
        return db.session.execute(LEFT_OUT, {"kind": kind, "path": path,
                                             "all": quarantined}).scalar()


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["export", *args])
    assert result.exit_code == 0, result.output
    return result


def test_files_are_named_by_stream_and_years(built, tmp_path):
    tmp_path = tmp_path / "files"
    tmp_path.mkdir()
    run(built, "--out", str(tmp_path))
    run(built, "--out", str(tmp_path), "--from", "2025", "--to", "2025", "--format", "xlsx")
    run(built, "--out", str(tmp_path), "--stream", "dossier_rating", "--from", "2025",
        "--to", "2025", "--format", "sav")
    run(built, "--out", str(tmp_path), "--stream", "dossier_rating", "--format", "json")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "hailong-dossier-ratings-2024-2025.json", "hailong-dossier-ratings-2025.sav",
        "hailong-survey-2024-2025.csv", "hailong-survey-2025.xlsx"]
    records = json.loads((tmp_path / "hailong-dossier-ratings-2024-2025.json").read_text())
    assert {r["stream"] for r in records} == {"dossier_rating"}
    assert len(records) == count(built, "dossier_rating")
    method = list(load_workbook(tmp_path / "hailong-survey-2025.xlsx")["Phương pháp"]
                  .iter_rows(values_only=True))
    assert ("Dòng dữ liệu", "Khảo sát mẫu", "survey") in method
    assert ("Năm", "2025", None) in method
    assert exports.file_name("survey", (None, None), "csv") == "hailong-survey.csv"
    assert exports.file_name("dossier_rating", (2021, None), "csv", "codebook") == \
        "hailong-dossier-ratings-from-2021-codebook.csv"


def test_without_stream_the_cli_tells_how_many_ratings_it_left_out(built, tmp_path):
    left = count(built, "dossier_rating")
    assert left == 7  # five in the province, three in the district, one of them quarantined
    result = run(built, "--out", str(tmp_path / "all.csv"))
    assert f"{count(built, 'survey')} response(s) written to " in result.stdout
    assert "(sample survey stream)" in result.stdout
    assert f"Note: {left} per-dossier rating response(s) in these filters were left out" \
        in result.stderr
    assert "--stream dossier_rating" in result.stderr
    assert "Note" not in result.stdout  # the file list on stdout stays clean

    result = run(built, "--out", str(tmp_path / "unit.csv"), "--unit", "P-H1")
    assert f"Note: {count(built, 'dossier_rating', '/P/P-H1/%')} per-dossier" in result.stderr

    result = run(built, "--out", str(tmp_path / "q.csv"), "--quarantined", "include")
    assert f"Note: {count(built, 'dossier_rating', quarantined=True)} per-dossier" \
        in result.stderr


def test_a_chosen_stream_or_questionnaire_leaves_nothing_unsaid(built, tmp_path):
    for args in (["--stream", "survey"], ["--stream", "dossier_rating"],
                 ["--questionnaire", "land_survey"]):
        result = run(built, "--out", str(tmp_path / "x.csv"), *args)
        assert "Note" not in result.stderr, args
    result = run(built, "--out", str(tmp_path / "r.csv"), "--stream", "dossier_rating")
    assert f"{count(built, 'dossier_rating')} response(s) written" in result.stdout
    assert "(per-dossier rating stream)" in result.stdout


def _script() -> Path:
    return Path(sys.executable).with_name("hailong")


def _env(app) -> dict:
    # this working tree's code first, whatever copy the environment installed
    root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "PYTHONPATH": path, "COLUMNS": "100"}


def test_a_progress_bar_on_a_terminal_and_none_when_piped(built, tmp_path):
    main, terminal = pty.openpty()
    process = subprocess.Popen([_script(), "export", "--out", str(tmp_path / "t.csv")],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=terminal, env=_env(built))
    os.close(terminal)
    seen = b""
    while True:  # read the terminal until the command closes it
        ready, _, _ = select.select([main], [], [], 60)
        assert ready, "no output from the command within a minute"
        try:
            chunk = os.read(main, 4096)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    assert process.wait(timeout=60) == 0
    process.stdout.close()
    shown = seen.decode("utf-8", "replace")
    total = count(built, "survey")
    assert "Exporting the sample survey stream" in shown
    assert f"{total}/{total}" in shown and "100%" in shown
    assert "Note: 7 per-dossier rating" in shown

    piped = subprocess.run([_script(), "export", "--out", str(tmp_path / "p.csv")],
                           capture_output=True, text=True, env=_env(built), timeout=60)
    assert piped.returncode == 0, piped.stderr
    assert "Exporting" not in piped.stderr and "%" not in piped.stderr
    assert piped.stderr.startswith("Note: 7 per-dossier rating")
