"""A real gunicorn (the production command: --preload, sync workers) on 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.reliability.settings import ROOT, WORKERS

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
# Status, server-side time in ms and the path of each request, for the 503 timings.
ACCESS_FORMAT = "%(s)s %(M)s %(U)s"


def _not_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Gunicorn:
    """Start, stop, restart and kill workers of one gunicorn serving `database_url`."""

    database_url: str
    secret_key: str
    logs: Path
    workers: int = WORKERS
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    starts: int = 0

    @property
    def access_log(self) -> Path:
        return self.logs / "access.log"

    @property
    def error_log(self) -> Path:
        """gunicorn's own log: workers booting, exiting, killed."""
        return self.logs / "error.log"

    @property
    def output_log(self) -> Path:
        """The application's log (JSON lines in production), written to standard error."""
        return self.logs / "output.log"

    def start(self, wait_healthy: bool = True) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        # Off for load on loopback: one address plays hundreds of clients (rate limits), and
        # ten kiosks each receive many answers a second (the kiosk's minimum interval).
        env = {**os.environ, "DATABASE_URL": self.database_url, "SECRET_KEY": self.secret_key,
               "HAILONG_ENV": "production", "RATELIMIT_ENABLED": "0",
               "KIOSK_MIN_INTERVAL_SECONDS": "0"}
        with open(self.output_log, "ab") as output:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [GUNICORN, "--preload", "--workers", str(self.workers),
                 "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "10",
                 "--access-logfile", str(self.access_log), "--access-logformat", ACCESS_FORMAT,
                 "--error-logfile", str(self.error_log), "--log-level", "warning",
                 "--no-control-socket", "wsgi:app"],
                cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=output,
                stderr=subprocess.STDOUT)
        self.starts += 1
        self._wait_until_serving(wait_healthy)

    def _wait_until_serving(self, healthy: bool, timeout: float = 60.0) -> None:
        """Until /healthz answers (200, or any answer when the database is meant to be down)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.errors()[-3000:]}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", "/healthz")
                status = connection.getresponse().status
                if status == 200 or not healthy:
                    return
            except (OSError, http.client.HTTPException):
                pass
            finally:
                connection.close()
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not serve within {timeout} s: {self.errors()[-3000:]}")

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def kill_worker(self) -> int:
        """SIGKILL one worker, most likely in the middle of a request; gunicorn forks another."""
        pid = random.choice(self.worker_pids())
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        """Graceful stop: requests in progress finish, then the workers exit."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the workers and the master: the teardown, once the database was audited.

        A graceful stop takes seconds here (each worker's interpreter tears down a loaded app)
        and the test has nothing left to learn from it.
        """
        if self.process is None or self.process.poll() is not None:
            return
        workers = self.worker_pids()
        self.process.kill()  # the master first, so that it forks no replacement
        self.process.wait(10)
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in workers:  # gone only once the kernel has closed their files
            while Path(f"/proc/{pid}").exists() and _not_zombie(pid):
                time.sleep(0.01)

    def errors(self) -> str:
        return "".join(log.read_text(errors="replace") for log in (self.error_log,
                       self.output_log) if log.exists())

    def tracebacks(self) -> list[str]:
        """Unhandled exceptions logged by the workers, each one a 500: Flask's "Exception on
        PATH [METHOD]" (one line in a JSON record, the first of a plain one) and gunicorn's
        "Error handling request". An error the application caught and logged on purpose (a
        background step that may fail while the database is down) is not one of them."""
        return [line[:3000] for line in self.errors().splitlines()
                if "Exception on /" in line or "Error handling request" in line]

    def handled_errors(self) -> list[str]:
        """Messages of the ERROR records the application logged and then handled itself."""
        messages = []
        text = self.output_log.read_text(errors="replace") if self.output_log.exists() else ""
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("level") == "ERROR" \
                    and not str(record.get("message", "")).startswith("Exception on /"):
                messages.append(str(record.get("message")))
        return messages

    def server_times(self, status: int) -> list[float]:
        """Server-side milliseconds of every request answered with `status`."""
        times = []
        if self.access_log.exists():
            for line in self.access_log.read_text(errors="replace").splitlines():
                parts = line.split()
                if len(parts) >= 2 and parts[0] == str(status):
                    times.append(float(parts[1]))
        return times
