"""pandas and pyreadstat are the optional `sav` extra: without them a .sav export is refused
with what to install, before any row is read and without leaving a file; the other formats do
not need them."""

from __future__ import annotations

import sys

import pytest

from survey.services.exports.sav import SavUnavailable, write_sav
from survey.services.exports.table import Column


@pytest.fixture
def without_pandas(monkeypatch):
    # A None entry in sys.modules makes `import pandas` raise ImportError, as on an install
    # from requirements.lock alone.
    monkeypatch.setitem(sys.modules, "pandas", None)


def test_write_sav_is_refused_before_reading_a_row(without_pandas, tmp_path):
    read = []

    def rows():
        read.append(1)
        yield ("r1",)

    out = tmp_path / "x.sav"
    with pytest.raises(SavUnavailable, match="requirements-sav.lock"):
        write_sav([Column("response_id", "Mã phiếu", "Response id", "envelope")], rows(), out)
    assert read == [] and not out.exists()


def test_the_command_line_says_what_to_install(without_pandas, app, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "responses.sav"
    result = runner.invoke(args=["export", "--format", "sav", "--out", str(out)])
    assert result.exit_code != 0
    assert "requirements-sav.lock" in result.output and not out.exists()
    csv = tmp_path / "responses.csv"
    result = runner.invoke(args=["export", "--format", "csv", "--out", str(csv)])
    assert result.exit_code == 0, result.output
    assert csv.exists()


def test_with_the_extra_installed_the_same_call_writes_the_file(tmp_path):
    out = tmp_path / "x.sav"
    assert write_sav([Column("response_id", "Mã phiếu", "Response id", "envelope")],
                     [("r1",), ("r2",)], out) == 2
    assert out.stat().st_size > 0
