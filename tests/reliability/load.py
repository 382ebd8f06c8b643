"""Simulated kiosks and phones: each one submits, one response after another, for a fixed time.

A client makes the response's UUID itself and sends it until the server acknowledges it (201
stored, or 200 already stored): after a refused or reset connection or a 503 it sends the same
body again, as kiosk.js does from its outbox. Any other answer is final and counted as a failure.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from tests.reliability.settings import DRAIN_SECONDS, REQUEST_TIMEOUT, RETRY_PAUSE
from tests.reliability.target import Target

PATH = "/api/v1/responses"
HEADERS = {"Content-Type": "application/json", "Accept-Language": "vi"}


@dataclass
class Outcome:
    """Everything the clients saw."""

    clients: int
    seconds: float = 0.0  # from the first request to the last acknowledgement
    acknowledged: dict[str, str] = field(default_factory=dict)  # id: variant
    created: Counter = field(default_factory=Counter)  # id: how many 201s it got
    statuses: Counter = field(default_factory=Counter)
    connection_errors: Counter = field(default_factory=Counter)  # exception name: count
    latencies: list[float] = field(default_factory=list)  # seconds, acknowledged requests
    unavailable_latencies: list[float] = field(default_factory=list)  # seconds, 503s
    unexpected: list[str] = field(default_factory=list)  # status and body of other answers
    bad_503s: list[str] = field(default_factory=list)  # 503s without Retry-After or JSON
    given_up: list[str] = field(default_factory=list)  # ids never acknowledged
    hung: int = 0  # requests that hit REQUEST_TIMEOUT

    @property
    def server_errors(self) -> int:
        """5xx answers other than 503 (a 503 is the answer a fault must give)."""
        return sum(n for status, n in self.statuses.items() if status >= 500 and status != 503)

    @property
    def unavailable(self) -> int:
        return self.statuses[503]

    @property
    def throughput(self) -> float:
        return len(self.acknowledged) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float, values: list[float] | None = None) -> float | None:
        values = sorted(self.latencies if values is None else values)
        if not values:
            return None
        if len(values) == 1:
            return values[0] * 1000
        return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1] * 1000


class Load:
    """`clients` threads submitting to 127.0.0.1:`port` until `stop()`."""

    def __init__(self, port: int, target: Target, clients: int):
        self.port, self.target, self.clients = port, target, clients
        self.outcome = Outcome(clients)
        self._stopping = threading.Event()
        self._stopped_at = 0.0
        self._drain = DRAIN_SECONDS
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._client, args=(n,), daemon=True)
                         for n in range(clients)]
        self._began = 0.0
        self.connections_cut = 0  # so far, across clients: a fault can watch its effect
        self.refused = threading.Event()  # set at each 503: a fault can wait to be seen

    def hold(self, duration: float, limit: float = 90.0) -> None:
        """Keep a fault on for `duration` s and until a client was answered 503 (at most
        `limit` s): on a busy machine the first write that meets the fault can come late, and
        a fault nobody met proves nothing. Clear `refused` when the fault begins."""
        began = time.monotonic()
        self.refused.wait(limit)
        time.sleep(max(0.0, began + duration - time.monotonic()))

    def start(self) -> Load:
        self._began = time.perf_counter()
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, drain: float = DRAIN_SECONDS) -> Outcome:
        """Stop sending new responses; wait up to `drain` s for those in flight to be
        acknowledged."""
        self._drain = drain
        self._stopped_at = time.monotonic()
        self._stopping.set()
        for thread in self._threads:
            thread.join(drain + REQUEST_TIMEOUT + 10)
        self.outcome.seconds = time.perf_counter() - self._began
        return self.outcome

    def _client(self, number: int) -> None:
        rng = random.Random(number)
        mine = Outcome(1)
        while not self._stopping.is_set():
            response_id, variant, body = self.target.submission(number, rng)
            if self._deliver(response_id, body, mine):
                mine.acknowledged[response_id] = variant
            else:
                mine.given_up.append(response_id)
        with self._lock:
            self._merge(mine)

    def _deliver(self, response_id: str, body: bytes, mine: Outcome) -> bool:
        """Send one response until it is acknowledged; False if refused or given up."""
        while True:
            if self._stopping.is_set() and time.monotonic() > self._stopped_at + self._drain:
                return False
            began = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                    timeout=REQUEST_TIMEOUT)
            try:
                connection.request("POST", PATH, body, HEADERS)
                answer = connection.getresponse()
                text = answer.read()
            except TimeoutError:
                mine.hung += 1
                mine.connection_errors["TimeoutError"] += 1
                continue
            except (OSError, http.client.HTTPException) as error:
                # Refused (no worker yet), reset or closed (a killed worker): nothing was
                # acknowledged, so the same id goes again.
                mine.connection_errors[type(error).__name__] += 1
                with self._lock:
                    self.connections_cut += 1
                time.sleep(RETRY_PAUSE * random.uniform(0.5, 1.0))
                continue
            finally:
                connection.close()
            took = time.perf_counter() - began
            mine.statuses[answer.status] += 1
            if answer.status in (200, 201):
                mine.latencies.append(took)
                if answer.status == 201:
                    mine.created[response_id] += 1
                return True
            if answer.status == 503:
                self.refused.set()
                mine.unavailable_latencies.append(took)
                if not _proper_503(answer, text):
                    mine.bad_503s.append(f"{dict(answer.getheaders())} {text[:300]!r}")
                time.sleep(RETRY_PAUSE * random.uniform(0.5, 1.0))
                continue
            mine.unexpected.append(f"{answer.status} {text[:500]!r}")
            return False

    def _merge(self, mine: Outcome) -> None:
        total = self.outcome
        total.acknowledged.update(mine.acknowledged)
        total.created.update(mine.created)
        total.statuses.update(mine.statuses)
        total.connection_errors.update(mine.connection_errors)
        total.latencies += mine.latencies
        total.unavailable_latencies += mine.unavailable_latencies
        total.unexpected += mine.unexpected
        total.bad_503s += mine.bad_503s
        total.given_up += mine.given_up
        total.hung += mine.hung


def _proper_503(answer: http.client.HTTPResponse, text: bytes) -> bool:
    """A 503 the client can act on: Retry-After, and the API's JSON error document."""
    try:
        document = json.loads(text)
    except ValueError:
        return False
    return bool(answer.getheader("Retry-After")) and document.get("error") == (
        "service unavailable") and "detail" in document
