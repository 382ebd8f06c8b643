"""CSV export of every response: rows per second and the exporting process's peak memory.

`hailong export` runs as a child process, once per stream (the survey and the per-dossier
ratings are never mixed in one file), as an operator would run it; its time is the whole
command's, start-up included. Its peak resident set is the VmHWM the child reads from
/proc/self/status as it exits: the kernel's ru_maxrss of a child also counts the moment
between fork and exec, when the child still is a copy of this (much larger) process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.app import SECRET

# `hailong ARGS...`, reporting the process's own peak resident set on its way out
_CLI_WITH_PEAK = (
    "import atexit, re, sys\n"
    "def peak():\n"
    "    status = open('/proc/self/status').read()\n"
    "    kb = re.search(r'VmHWM:\\s+(\\d+)', status).group(1)\n"
    "    print(f'VmHWM_KB={kb}', file=sys.stderr)\n"
    "atexit.register(peak)\n"
    "from survey.cli import main\n"
    "sys.argv[0] = 'hailong'\n"
    "main()\n"
)

STREAMS = ("survey", "dossier_rating")


def _export(url: str, stream: str, out: Path) -> dict:
    command = [sys.executable, "-c", _CLI_WITH_PEAK, "export", "--out", str(out),
               "--stream", stream]
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"hailong export failed: {(done.stdout + done.stderr)[-2000:]}")
    rows = int(re.search(r"(\d+) response\(s\) written", done.stdout).group(1))
    peak_kb = int(re.search(r"VmHWM_KB=(\d+)", done.stderr).group(1))
    size = out.stat().st_size
    out.unlink()
    return {"rows": rows, "seconds": seconds, "peak_rss_mb": peak_kb / 1024, "bytes": size}


def measure(url: str, directory: Path) -> dict:
    parts = {stream: _export(url, stream, directory / f"export-{stream}.csv")
             for stream in STREAMS}
    rows = sum(p["rows"] for p in parts.values())
    seconds = sum(p["seconds"] for p in parts.values())
    return {"export_rows": rows, "export_seconds": seconds,
            "export_rows_per_second": rows / seconds,
            "export_peak_rss_mb": max(p["peak_rss_mb"] for p in parts.values()),
            "export_bytes": sum(p["bytes"] for p in parts.values()),
            "export_streams": parts}
