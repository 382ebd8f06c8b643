""".ci/pip_audit.py: fails CI on a vulnerability, only warns when the service is unreachable.

A stand-in for pip-audit (a small script named by PIP_AUDIT) writes the report, so each case
is tested without the network.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "pip_audit.py"
OK = {"name": "flask", "version": "3.1.0", "vulns": []}
SKIPPED = {"name": "flask", "version": "3.1.0",
           "skip_reason": "Dependency not found on PyPI and could not be audited"}
VULNERABLE = {"name": "werkzeug", "version": "3.0.0", "vulns": [
    {"id": "GHSA-xxxx-yyyy-zzzz", "fix_versions": ["3.0.6"], "description": "..."}]}


def run_with(tmp_path, report: dict | None, exit_code: int, stderr: str = ""):
    fake = tmp_path / "fake-pip-audit"
    body = "" if report is None else (
        "out = sys.argv[sys.argv.index('--output') + 1]\n"
        f"open(out, 'w').write({json.dumps(json.dumps(report))})\n")
    fake.write_text(f"#!{sys.executable}\nimport sys\n{body}"
                    f"sys.stderr.write({stderr!r})\nsys.exit({exit_code})\n")
    fake.chmod(0o755)
    return subprocess.run([sys.executable, str(SCRIPT), "requirements.lock"],
                          capture_output=True, text=True, env={"PIP_AUDIT": str(fake)},
                          check=False)


def test_a_vulnerability_fails_with_its_id_and_fix(tmp_path):
    result = run_with(tmp_path, {"dependencies": [OK, VULNERABLE], "fixes": []}, 1)
    assert result.returncode == 1
    assert "werkzeug 3.0.0: GHSA-xxxx-yyyy-zzzz (fixed in: 3.0.6)" in result.stderr


def test_a_clean_report_passes(tmp_path):
    result = run_with(tmp_path, {"dependencies": [OK, OK], "fixes": []}, 0)
    assert result.returncode == 0
    assert "no known vulnerabilities in 2 package(s)" in result.stdout


@pytest.mark.parametrize(("report", "exit_code", "stderr"), [
    (None, 1, "requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'"),
    ({"dependencies": [SKIPPED, SKIPPED], "fixes": []}, 0, ""),
])
def test_an_unreachable_service_warns_but_passes(tmp_path, report, exit_code, stderr):
    result = run_with(tmp_path, report, exit_code, stderr)
    assert result.returncode == 0
    assert "WARNING: pip-audit" in result.stderr
