"""A gunicorn worker killed (SIGKILL) in the middle of the load.

The clients whose request it was serving see the connection reset and send the same id again:
if the killed worker had committed, the retry answers 200 and stores nothing; if it had not,
its transaction died with it and the retry stores the response. Either way the final count
equals the acknowledged count.
"""

from __future__ import annotations

import time

import pytest

from tests.reliability import scenario

KILLS = 3
MOST_KILLS = 12


@pytest.mark.parametrize("target", ["SQLite", "PostgreSQL"], indirect=True)
def test_killed_workers_lose_and_duplicate_nothing(target, serve, results):
    server = serve(target)
    killed: list[int] = []

    def kill_workers(duration: float, load) -> str:
        # A worker killed between two requests cuts nobody's connection; go on (within
        # reason) until at least one was killed in the middle of a request.
        while len(killed) < KILLS or (load.connections_cut == 0 and len(killed) < MOST_KILLS):
            killed.append(server.kill_worker())
            time.sleep(duration / KILLS)
        return f"{len(killed)} workers killed with SIGKILL"

    outcome, note = scenario.run(server, target, kill_workers)
    # Some clients saw their connection cut by a kill...
    assert sum(outcome.connection_errors.values()) > 0, outcome.connection_errors
    assert set(killed).isdisjoint(server.worker_pids())  # ...and gunicorn replaced the workers
    assert len(server.worker_pids()) == server.workers
    scenario.conclude(results, "worker SIGKILL", target, server, outcome, note)
