"""Run a load with a fault in its middle third, then judge it by what the database holds."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.reliability import target as targets
from tests.reliability.gunicorn import Gunicorn
from tests.reliability.load import Load, Outcome
from tests.reliability.results import Row
from tests.reliability.settings import CLIENTS, SECONDS


def run(server: Gunicorn, target: targets.Target,
        fault: Callable[[float, Load], str | None] | None = None,
        seconds: float = SECONDS) -> tuple[Outcome, str]:
    """Load for `seconds`; `fault(duration, load)` runs after the first third, returns a note.

    After the fault the load goes on for at least a third of `seconds`, so that the retries of
    what the fault refused, and new responses, are served by the recovered system.
    """
    load = Load(server.port, target, CLIENTS).start()
    note = ""
    try:
        began = time.monotonic()
        if fault is None:
            time.sleep(seconds)
        else:
            time.sleep(seconds / 3)
            note = fault(seconds / 3, load) or ""
            time.sleep(max(seconds / 3, began + seconds - time.monotonic()))
    except BaseException:
        load.stop(drain=0)  # the fault itself failed: no point in waiting for retries
        raise
    return load.stop(), note


def problems(outcome: Outcome, audit: targets.Audit, target: targets.Target,
             server: Gunicorn, fault_expected: bool) -> list[str]:
    """Every way the run broke a promise; empty when it kept them all."""
    found = []
    acknowledged = set(outcome.acknowledged)
    if not acknowledged:
        found.append("nothing was acknowledged")
    if lost := acknowledged - audit.stored:
        found.append(f"{len(lost)} acknowledged response(s) not stored, e.g. {sorted(lost)[:3]}")
    if extra := audit.stored - acknowledged:
        found.append(f"{len(extra)} stored response(s) never acknowledged, e.g. "
                     f"{sorted(extra)[:3]}")
    if audit.duplicates:
        found.append(f"{audit.duplicates} response(s) stored twice")
    if twice := [i for i, n in outcome.created.items() if n > 1]:
        found.append(f"{len(twice)} id(s) answered 201 (created) more than once")
    half = [i for i in acknowledged & audit.stored
            if audit.answers[i] != target.answers_per_variant[outcome.acknowledged[i]]]
    if half:
        found.append(f"{len(half)} response(s) stored without all their answers")
    if audit.count_differences:
        found.append(f"{len(audit.count_differences)} maintained count(s) differ from a fresh "
                     f"recomputation, e.g. {audit.count_differences[:2]}")
    if outcome.server_errors:
        found.append(f"{outcome.server_errors} 5xx other than 503: {outcome.unexpected[:2]}")
    elif outcome.unexpected:
        found.append(f"{len(outcome.unexpected)} refused: {outcome.unexpected[:2]}")
    if outcome.given_up:
        found.append(f"{len(outcome.given_up)} response(s) still unacknowledged after the drain")
    if outcome.hung:
        found.append(f"{outcome.hung} request(s) hung past the client's timeout")
    if outcome.bad_503s:
        found.append(f"{len(outcome.bad_503s)} 503(s) without Retry-After or the JSON error: "
                     f"{outcome.bad_503s[:1]}")
    if fault_expected and not outcome.unavailable:
        found.append("the fault never showed: no request was answered 503")
    if not fault_expected and outcome.unavailable:
        found.append(f"{outcome.unavailable} 503(s) without a fault")
    if tracebacks := server.tracebacks():
        found.append(f"{len(tracebacks)} unhandled exception(s) in gunicorn's log: "
                     f"{tracebacks[0]}")
    return found


def conclude(results: list[Row], scenario: str, target: targets.Target, server: Gunicorn,
             outcome: Outcome, note: str = "", fault_expected: bool = False) -> None:
    """Audit the database, record the row for the results table, and fail on any problem."""
    audit = targets.audit(target)
    found = problems(outcome, audit, target, server, fault_expected)
    if outcome.statuses[200]:
        note = (f"{note}; {outcome.statuses[200]} resent response(s) answered 200: stored "
                "before the client lost the answer").lstrip("; ")
    if handled := server.handled_errors():
        note = (f"{note}; the application logged {len(handled)} error(s) it handled "
                f"(\"{handled[0]}\")").lstrip("; ")
    slowest_503 = max(server.server_times(503), default=None)
    if slowest_503 is not None:
        note = f"{note}; slowest 503 {slowest_503:.0f} ms in the server".lstrip("; ")
    results.append(Row.of(scenario, target.database, outcome, audit, note, found))
    assert not found, "\n".join(found)
