"""Sizes of the reliability runs, from the environment.

The defaults fit `make test` (and so CI): a few seconds per scenario. `make test-reliability`
sets RELIABILITY_SECONDS=30 and RELIABILITY_RESULTS so that the run writes its results table.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# How long the clients submit in each scenario; a fault takes the middle third.
SECONDS = float(os.environ.get("RELIABILITY_SECONDS", "2"))
CLIENTS = int(os.environ.get("RELIABILITY_CLIENTS", "200"))
# gunicorn's documented setting: 2 x cores + 1 sync workers.
WORKERS = int(os.environ.get("RELIABILITY_WORKERS", str((os.cpu_count() or 2) * 2 + 1)))
# Answers a kiosk queues while offline before it syncs them.
KIOSK_ANSWERS = int(os.environ.get("RELIABILITY_KIOSK_ANSWERS", "300"))
# When set, a directory where the run writes latest.json and latest.md.
RESULTS = os.environ.get("RELIABILITY_RESULTS") or None

# After the load stops, a client keeps retrying its last response for at most this long; any
# response still unacknowledged then is reported as given up (and fails the test).
DRAIN_SECONDS = 60.0
# A request that takes longer than this is a hang, whatever it answers in the end.
REQUEST_TIMEOUT = 45.0
# Clients retry sooner than Retry-After (5 s) so that a run stays short; a real kiosk retries
# every 15 s. Between 0.5 and 1 times this, at random, so that retries do not come in waves.
RETRY_PAUSE = 0.5
