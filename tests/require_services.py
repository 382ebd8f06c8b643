"""Skipped for want of a service is a failure where the services are provided.

Tests that need PostgreSQL, Redis or Chromium skip with a reason naming it (TEST_DATABASE_URL,
TEST_REDIS_URL, chromium) so that a laptop without them still runs the rest. `.ci/run` starts
the three and sets HAILONG_CI_REQUIRE_SERVICES=1: there such a skip means the service broke,
and a short green run must not hide it. Loaded as a plugin (`pytest -p tests.require_services`,
in pyproject's addopts); it turns those skips (in a test, a fixture or a whole module) into
failures that keep the reason.
"""

from __future__ import annotations

import os
import re

import pytest

SWITCH = "HAILONG_CI_REQUIRE_SERVICES"
# The words every missing-service skip site uses; other skips (a dev extra not installed,
# SQLite lacking PostgreSQL's concurrency, not running as root) stay skips.
MISSING_SERVICE = re.compile(r"TEST_DATABASE_URL|TEST_REDIS_URL|chromium", re.IGNORECASE)


def required() -> bool:
    return os.environ.get(SWITCH, "") not in ("", "0")


def skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (path, line, "Skipped: reason")
        return str(longrepr[2])
    return str(longrepr)


def _fail_if_missing_service(report) -> None:
    if report.skipped and required() and not hasattr(report, "wasxfail"):
        reason = skip_reason(report)
        if MISSING_SERVICE.search(reason):
            report.outcome = "failed"
            report.longrepr = f"{SWITCH} is set, so this skip is a failure: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    _fail_if_missing_service(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    report = yield
    _fail_if_missing_service(report)
    return report
