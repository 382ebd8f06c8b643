"""SQLite's disk full, and SQLite's disk read-only, in the middle of the load.

The database lives on its own small tmpfs, so the faults are the kernel's own: ENOSPC once a
filler file takes every free byte, EROFS once the filesystem is remounted read-only. Clients
get a clear 503 with Retry-After meanwhile; once the disk is freed or writable again, their
retries (same ids) and new responses are stored, each exactly once.
"""

from __future__ import annotations

import pytest

from tests.reliability import faults, scenario
from tests.reliability.target import prepare


@pytest.fixture
def small_disk(tmp_path):
    reason = faults.mount_unavailable_reason(tmp_path)
    if reason:
        pytest.skip(reason)
    with faults.Tmpfs(tmp_path / "disk") as disk:
        yield disk


@pytest.fixture
def disk_target(small_disk):
    return prepare("SQLite", f"sqlite:///{small_disk.path / 'hailong.db'}")


def test_disk_full_during_the_load(small_disk, disk_target, serve, results):
    server = serve(disk_target)

    def fill(duration: float, load) -> str:
        load.refused.clear()
        small_disk.fill()
        try:
            load.hold(max(duration, 1.0))
        finally:
            small_disk.free()
        return f"the database's {small_disk.megabytes} MB tmpfs filled to ENOSPC, then freed"

    outcome, note = scenario.run(server, disk_target, fill)
    scenario.conclude(results, "disk full", disk_target, server, outcome, note,
                      fault_expected=True)


def test_read_only_disk_during_the_load(small_disk, disk_target, serve, results):
    """The service comes back (after a crash or a restart) on a disk that turned read-only.

    A mounted filesystem cannot be made read-only while files on it are open for writing, so
    gunicorn is killed first, the disk remounted read-only, and gunicorn started on it; later
    the disk is remounted writable under the running workers, which must reconnect by
    themselves (a connection SQLite opened read-only never writes).
    """
    server = serve(disk_target)

    def read_only(duration: float, load) -> str:
        server.kill()
        small_disk.read_only()
        load.refused.clear()
        try:
            server.start(wait_healthy=False)
            load.hold(max(duration, 1.0))
        finally:
            small_disk.writable()
        return ("gunicorn killed, the disk remounted read-only, gunicorn started on it, the "
                "disk remounted writable under it")

    outcome, note = scenario.run(server, disk_target, read_only)
    scenario.conclude(results, "read-only disk", disk_target, server, outcome, note,
                      fault_expected=True)
