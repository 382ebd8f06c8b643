"""HAILONG_CI_REQUIRE_SERVICES (tests/require_services.py): a skip for a missing PostgreSQL,
Redis or Chromium fails the run that sets it; other skips stay skips; unset, nothing changes.

Each case runs a small test file in a child pytest with only that plugin loaded, the way .ci/run
loads it through pyproject's addopts.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SKIPS = '''
import pytest

def test_postgres_skipped_in_the_test():
    pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL run is skipped")

@pytest.fixture
def chromium():
    pytest.skip("/usr/bin/chromium is missing: browser tests need Debian's chromium package")

def test_chromium_skipped_in_a_fixture(chromium):
    pass

@pytest.mark.skipif(True, reason="TEST_REDIS_URL is not set")
def test_redis_skipped_by_a_mark():
    pass

def test_an_extra_not_installed():
    pytest.importorskip("no_such_module_for_this_test")

def test_sqlite_cannot_race():
    pytest.skip("SQLite serialises writers; the race is PostgreSQL's")

def test_passes():
    pass
'''

MODULE_SKIP = '''
import pytest

pytest.skip("TEST_DATABASE_URL is not set", allow_module_level=True)

def test_never_runs():
    pass
'''


def run(tmp_path, switch: str | None) -> str:
    (tmp_path / "test_sample.py").write_text(SKIPS)
    (tmp_path / "test_module.py").write_text(MODULE_SKIP)
    env = {k: v for k, v in os.environ.items() if k != "HAILONG_CI_REQUIRE_SERVICES"}
    env["PYTHONPATH"] = str(ROOT)
    if switch is not None:
        env["HAILONG_CI_REQUIRE_SERVICES"] = switch
    child = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.require_services", "-p", "no:cacheprovider",
         "-rA", "--continue-on-collection-errors", "test_sample.py", "test_module.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    return child.stdout


def outcomes(out: str) -> dict[str, str]:
    """Test (or module) -> PASSED / SKIPPED / FAILED / ERROR, from the -rA summary."""
    found = {}
    for line in out.splitlines():
        if match := re.match(r"(PASSED|FAILED|ERROR) (\S+?)(?: - |$)", line):
            found[match.group(2)] = match.group(1)
        elif match := re.match(r"SKIPPED \[\d+\] (\S+?):(\d+): ", line):
            found[f"{match.group(1)}:{match.group(2)}"] = "SKIPPED"
    return found


@pytest.mark.parametrize("switch", [None, "0"])
def test_without_the_switch_missing_services_are_skips(tmp_path, switch):
    out = run(tmp_path, switch)
    assert re.search(r"= 1 passed, 6 skipped in ", out), out
    assert "HAILONG_CI_REQUIRE_SERVICES" not in out


def test_with_the_switch_only_missing_services_fail(tmp_path):
    out = run(tmp_path, "1")
    found = outcomes(out)
    # A skip in the test body fails it; in a fixture or a skipif mark (setup), it is an error.
    assert found["test_sample.py::test_postgres_skipped_in_the_test"] == "FAILED", out
    assert found["test_sample.py::test_chromium_skipped_in_a_fixture"] == "ERROR", out
    assert found["test_sample.py::test_redis_skipped_by_a_mark"] == "ERROR", out
    assert found["test_module.py"] == "ERROR", out  # a whole module skipped at import
    assert found["test_sample.py::test_passes"] == "PASSED", out
    # A dev extra not installed and SQLite's missing concurrency are not services: still skips.
    assert found["test_sample.py:19"] == "SKIPPED" and found["test_sample.py:22"] == "SKIPPED", out
    assert out.count("HAILONG_CI_REQUIRE_SERVICES is set, so this skip is a failure") >= 4, out
    assert "TEST_DATABASE_URL is not set: the PostgreSQL run is skipped" in out  # reason kept
    assert re.search(r"= 1 failed, 1 passed, 2 skipped, 3 errors in ", out), out
