"""gunicorn as production runs it (`--preload`), for the measurements made over HTTP."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app_path: str, env: dict, workers: int, timeout: int = 30):
    """A gunicorn on a free local port; yields (port, master pid), stops it afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--preload", "--workers",
         str(workers), "--timeout", str(timeout), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app_path],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    try:
        _wait_for(port, process)
        yield port, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(port: int, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")


def workers_of(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM), in MiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else None


class _Loopback(http.cookiejar.DefaultCookiePolicy):
    """Send the production server's Secure cookies over plain HTTP: the benchmark talks to
    127.0.0.1, where a TLS proxy would otherwise sit in front."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


class Browser:
    """A logged-in staff session over HTTP (cookies and the login form's CSRF token)."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(
            http.cookiejar.CookieJar(policy=_Loopback())))

    def login(self, username: str, password: str) -> None:
        from bench.dashboard import csrf_token

        page = self.get("/auth/login")[1].decode()
        form = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrf_token": csrf_token(page)}).encode()
        with self.opener.open(f"{self.base}/auth/login", form, timeout=60) as answer:
            if "/auth/login" in answer.geturl():
                raise RuntimeError("the analyst could not log in")

    def get(self, path: str, timeout: float = 900) -> tuple[int, bytes]:
        """Status and the whole body (to the last byte)."""
        try:
            with self.opener.open(f"{self.base}{path}", timeout=timeout) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
