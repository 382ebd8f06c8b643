"""Audit the locked runtime dependencies for known vulnerabilities (called by .ci/run).

Exit 1 when a vulnerability is found. When the vulnerability service cannot be reached, or
answers for no package at all, print a warning and exit 0: an outage elsewhere must not stop
CI, but it must not pass silently either. pip-audit alone cannot tell these apart (both exit 1,
and an unreachable PyPI makes every package "not found" with exit 0), so its JSON is read here.

Usage: python .ci/pip_audit.py [REQUIREMENTS]   (default requirements.lock)
The pip-audit executable can be overridden with PIP_AUDIT (the tests use a stand-in).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def warn(message: str) -> None:
    print(f"WARNING: pip-audit: {message}", file=sys.stderr)


def verdict(report: dict) -> tuple[int, list[str]]:
    """(exit status, lines to print) for a pip-audit JSON report."""
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            lines.append(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixes})")
    if vulnerable:
        return 1, lines
    if dependencies and len(skipped) == len(dependencies):
        return 0, ["WARNING: pip-audit: the vulnerability service answered for no package "
                   f"({skipped[0]['skip_reason']}); nothing was audited"]
    audited = len(dependencies) - len(skipped)
    lines.append(f"pip-audit: no known vulnerabilities in {audited} package(s)"
                 + (f"; {len(skipped)} could not be audited" if skipped else ""))
    return 0, lines


def main(argv: list[str]) -> int:
    requirements = argv[1] if len(argv) > 1 else "requirements.lock"
    executable = os.environ.get("PIP_AUDIT") or str(Path(sys.executable).with_name("pip-audit"))
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "audit.json"
        # The lock pins every package, so no resolution (and no pip install) is needed.
        command = [executable, "--requirement", requirements, "--no-deps", "--disable-pip",
                   "--progress-spinner", "off", "--format", "json", "--output", str(output)]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=600,
                                 check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            warn(f"could not run ({error}); dependencies NOT audited")
            return 0
        try:
            report = json.loads(output.read_text())
        except (OSError, ValueError):
            last = (run.stderr.strip().splitlines() or ["no output"])[-1]
            warn(f"no report (exit {run.returncode}: {last}); the vulnerability service is "
                 "probably unreachable. Dependencies NOT audited")
            return 0
    status, lines = verdict(report)
    for line in lines:
        print(line, file=sys.stderr if status or line.startswith("WARNING") else sys.stdout)
    if status:
        print("pip-audit: vulnerable dependencies found; upgrade them in pyproject.toml and "
              "re-lock (make lock)", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
