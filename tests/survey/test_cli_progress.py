"""Long commands draw a progress bar on a terminal (standard error), and nothing when piped."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.collect.conftest import world  # noqa: F401 - a fixture

ROOT = Path(__file__).resolve().parents[2]
# the working tree's command (an installed console script may be another copy's)
HAILONG = [sys.executable, "-c", "from survey.cli import main; main(prog_name='hailong')"]
HEADER = "response_id,questionnaire,version,unit,channel,submitted_at,rating,reason,comment"


def paper_file(path: Path, rows: int) -> Path:
    lines = [f"{uuid.uuid4()},dossier_rating,1,HN-X01,paper,{1 + i % 28:02d}/05/2025,3,,"
             for i in range(rows)]
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def run(app, args: list[str], terminal: bool) -> tuple[int, str, str]:
    """The command in a child process against the test's database; stderr on a pseudo-
    terminal when `terminal`, else on a pipe. Returns (status, stdout, stderr)."""
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": "test-secret-key", "HAILONG_ENV": "development",
           "COLUMNS": "100", "PYTHONPATH": str(ROOT)}
    if not terminal:
        done = subprocess.run([*HAILONG, *args], env=env, capture_output=True, text=True,
                              timeout=300, check=False, cwd=ROOT)
        return done.returncode, done.stdout, done.stderr
    leader, follower = pty.openpty()
    child = subprocess.Popen([*HAILONG, *args], env=env, stdout=subprocess.PIPE,
                             stderr=follower, text=True, cwd=ROOT)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal: all was read
            break
        if not chunk:
            break
        seen += chunk
    out = child.stdout.read()
    child.stdout.close()
    status = child.wait(timeout=300)
    os.close(leader)
    return status, out, seen.decode("utf-8", "replace")


@pytest.fixture
def file(app, world, tmp_path):  # noqa: F811
    return paper_file(tmp_path / "phieu.csv", 2_000)


def test_import_responses_shows_a_bar_on_a_terminal_only(app, file, tmp_path):
    status, out, err = run(app, ["import-responses", str(file)], terminal=True)
    assert status == 0, out + err
    assert "2000 response(s) imported" in out
    assert "Checking phieu.csv" in err and "2000/2000" in err and "100%" in err
    assert "#" in err  # the bar's fill
    positions = [int(n) for n in re.findall(r"\b(\d+)/2000\b", err)]
    assert positions[0] == 0 and positions[-1] == 2000
    assert any(0 < n < 2000 for n in positions), err  # it moved on the way
    again = paper_file(tmp_path / "hai.csv", 1_000)
    status, out, err = run(app, ["import-responses", str(again)], terminal=False)
    assert status == 0 and "1000 response(s) imported" in out
    assert err == "" and "Checking" not in out and "%" not in out


def test_aggregates_check_and_rebuild_show_a_bar_on_a_terminal_only(app, file):
    assert run(app, ["import-responses", str(file)], terminal=False)[0] == 0
    for command, said in (("check", "answer_count equals the raw answers."),
                          ("rebuild", "answer_count rebuilt:")):
        status, out, err = run(app, ["aggregates", command], terminal=True)
        assert status == 0 and said in out, out + err
        assert "roll-up tables" in err and "100%" in err
        status, out, err = run(app, ["aggregates", command], terminal=False)
        assert status == 0 and said in out and err == ""


def test_records_import_shows_a_bar_on_a_terminal(app, world, tmp_path):  # noqa: F811
    from survey.services.records.imports import stats_template_csv

    text = stats_template_csv().replace("UNIT-CODE", "HN-X01")
    path = tmp_path / "ho-so.csv"
    path.write_text(text, encoding="utf-8")
    status, out, err = run(app, ["records", "import", str(path)], terminal=True)
    assert status == 0 and "1 row(s) imported" in out, out + err
    assert "Checking ho-so.csv" in err and "1/1" in err
