"""Real faults: a small filesystem that fills up or turns read-only, a PostgreSQL server that
stops, a PostgreSQL database that turns read-only or refuses connections.

Nothing here fakes an error inside the application: the kernel, SQLite and PostgreSQL raise them.
Mounting needs root, and stopping PostgreSQL needs root and a local cluster; without them the
scenarios are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


class Tmpfs:
    """A tmpfs of `megabytes` at `path`: the database's own small disk."""

    def __init__(self, path: Path, megabytes: int = 64):
        self.path, self.megabytes = path, megabytes
        self.filler = path / "filler"

    def __enter__(self) -> Tmpfs:
        self.path.mkdir(parents=True, exist_ok=True)
        _run("mount", "-t", "tmpfs", "-o", f"size={self.megabytes}m,mode=0755", "tmpfs",
             str(self.path))
        return self

    def __exit__(self, *_exc) -> None:
        if subprocess.run(["umount", str(self.path)], capture_output=True).returncode:
            # Something still holds a file open (a process the test failed to stop): detach
            # the mount now; the kernel frees it when the last file is closed.
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True)

    def fill(self) -> None:
        """Write until the disk is full (ENOSPC): every byte left is taken."""
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 20, 4096, 1):  # big blocks, then what is left of the last one
                block = b"\0" * size
                try:
                    while os.write(fd, block):
                        pass
                except OSError:
                    pass
        finally:
            os.close(fd)

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def read_only(self) -> None:
        """Remount read-only; the kernel refuses while a file is open for writing."""
        _run("mount", "-o", "remount,ro", str(self.path))

    def writable(self) -> None:
        _run("mount", "-o", "remount,rw", str(self.path))


def mount_unavailable_reason(scratch: Path) -> str | None:
    """Why a tmpfs cannot be mounted here, or None when it can."""
    if os.geteuid() != 0:
        return "mounting a small filesystem needs root"
    if not shutil.which("mount"):
        return "no mount command"
    probe = scratch / "probe"
    probe.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)],
                             capture_output=True, text=True)
    if mounted.returncode:
        return f"cannot mount a tmpfs: {mounted.stderr.strip()}"
    subprocess.run(["umount", str(probe)], capture_output=True)
    return None


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()}")


# ---- PostgreSQL ----

def _admin(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _database(url: str) -> str:
    return make_url(url).database


def _terminate_sessions(connection, name: str) -> None:
    connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})


@contextmanager
def postgres_read_only(url: str):
    """The database turns read-only, as a failover to a standby or an operator would make it.

    Sessions are cut so that every new one starts read-only. When the fault is lifted nobody
    cuts them again: the application must notice its read-only sessions and reconnect itself.
    """
    with _database_altered(url, "SET default_transaction_read_only = on",
                           "RESET default_transaction_read_only"):
        yield


@contextmanager
def postgres_refusing(url: str):
    """The database takes no connection and its sessions are cut: down, for the application."""
    with _database_altered(url, "ALLOW_CONNECTIONS false", "ALLOW_CONNECTIONS true"):
        yield


@contextmanager
def _database_altered(url: str, fault: str, undo: str):
    """ALTER DATABASE … `fault` and cut its sessions; ALTER DATABASE … `undo` afterwards."""
    name = _database(url)
    engine = _admin(url)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" {fault}'))
            _terminate_sessions(connection, name)
        yield
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" {undo}'))
        engine.dispose()


def local_cluster(url: str) -> tuple[str, str] | str:
    """(version, name) of the local cluster serving `url`, or why it cannot be restarted."""
    parsed = make_url(url)
    if parsed.host not in ("127.0.0.1", "localhost", "::1", None):
        return f"PostgreSQL at {parsed.host} is not on this machine"
    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster"):
        return "stopping PostgreSQL needs root and pg_ctlcluster"
    port = str(parsed.port or 5432)
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True)
    for line in listing.stdout.splitlines():
        version, name, cluster_port, status = line.split()[:4]
        if cluster_port == port and status == "online":
            return version, name
    return f"no online local cluster on port {port}"


def _cluster(action: str, cluster: tuple[str, str]) -> None:
    _run("pg_ctlcluster", "--skip-systemctl-redirect", *cluster, action)


def postgres_is_up(url: str) -> bool:
    parsed = make_url(url)
    return subprocess.run(["pg_isready", "-q", "-h", parsed.host or "127.0.0.1",
                           "-p", str(parsed.port or 5432)]).returncode == 0


@contextmanager
def postgres_stopped(url: str, cluster: tuple[str, str]):
    """Stop the server (fast: sessions rolled back and cut); start it again, always."""
    try:
        _cluster("stop", cluster)
        yield
    finally:
        if not postgres_is_up(url):
            _cluster("start", cluster)
        for _ in range(60):
            if postgres_is_up(url):
                break
            time.sleep(0.5)
