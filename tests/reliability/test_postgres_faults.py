"""PostgreSQL stopped and started again, and turned read-only, in the middle of the load.

While it cannot write, every request answers 503 with Retry-After at once (a connection attempt
is refused, or gives up after DATABASE_CONNECT_TIMEOUT), never hangs and never leaves a
response half-written: each response is one transaction, which PostgreSQL rolls back. The
clients retry with the same ids and, once the database is back, everything is stored once.
"""

from __future__ import annotations

import time

import pytest

from tests.reliability import faults, scenario

# A 503 must come at once, not after a timeout: slower than this in the server is a hang.
FAST_503_MS = 2000
MAX_DOWN = 5.0


def test_postgresql_restarted_during_the_load(postgres_target, serve, results):
    cluster = faults.local_cluster(postgres_target.url)
    if isinstance(cluster, str):
        pytest.skip(cluster)
    server = serve(postgres_target)

    def restart(duration: float, _load) -> str:
        began = time.monotonic()
        with faults.postgres_stopped(postgres_target.url, cluster):
            stopped = time.monotonic()
            # Down at least a second, at most MAX_DOWN: the server is shared with other work.
            time.sleep(min(max(duration, 1.0), MAX_DOWN))
        return (f"PostgreSQL {cluster[0]}/{cluster[1]} stopped (fast) and started: down "
                f"{time.monotonic() - began:.1f} s, of which {stopped - began:.1f} s stopping")

    outcome, note = scenario.run(server, postgres_target, restart)
    assert faults.postgres_is_up(postgres_target.url)
    assert max(server.server_times(503), default=0) < FAST_503_MS
    scenario.conclude(results, "PostgreSQL restart", postgres_target, server, outcome, note,
                      fault_expected=True)


def test_postgresql_read_only_during_the_load(postgres_target, serve, results):
    server = serve(postgres_target)

    def read_only(duration: float, _load) -> str:
        with faults.postgres_read_only(postgres_target.url):
            time.sleep(max(duration, 1.0))
        return ("database set default_transaction_read_only and its sessions cut, then reset "
                "(the application reconnects by itself)")

    outcome, note = scenario.run(server, postgres_target, read_only)
    assert max(server.server_times(503), default=0) < FAST_503_MS
    scenario.conclude(results, "PostgreSQL read-only", postgres_target, server, outcome, note,
                      fault_expected=True)
