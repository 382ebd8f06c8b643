"""The judge itself: each broken promise is reported (so that a held run means something)."""

from __future__ import annotations

from collections import Counter

from tests.reliability.load import Outcome
from tests.reliability.scenario import problems
from tests.reliability.target import Audit, Target


class QuietServer:
    def __init__(self, tracebacks=()):
        self._tracebacks = list(tracebacks)

    def tracebacks(self):
        return self._tracebacks


TARGET = Target("SQLite", "sqlite://", [], {}, {"kiosk_happy": 1, "phone": 30})


def _outcome(**changes) -> Outcome:
    outcome = Outcome(2, seconds=1.0, acknowledged={"a": "kiosk_happy", "b": "phone"},
                      created=Counter({"a": 1, "b": 1}), statuses=Counter({201: 2}))
    for name, value in changes.items():
        setattr(outcome, name, value)
    return outcome


def _audit(**changes) -> Audit:
    audit = Audit(rows=2, stored={"a", "b"}, answers={"a": 1, "b": 30})
    for name, value in changes.items():
        setattr(audit, name, value)
    return audit


def test_a_clean_run_has_no_problem():
    assert problems(_outcome(), _audit(), TARGET, QuietServer(), fault_expected=False) == []


def test_every_broken_promise_is_named():
    cases = [
        (_outcome(), _audit(rows=1, stored={"a"}, answers={"a": 1}), "not stored"),
        (_outcome(), _audit(rows=3, stored={"a", "b", "c"}, answers={"a": 1, "b": 30, "c": 1}),
         "never acknowledged"),
        (_outcome(), _audit(rows=3), "stored twice"),
        (_outcome(created=Counter({"a": 2, "b": 1})), _audit(), "201 (created) more than once"),
        (_outcome(), _audit(answers={"a": 1, "b": 29}), "without all their answers"),
        (_outcome(), _audit(count_differences=[("answer_count", (1,), 2, 1)]), "count(s) differ"),
        (_outcome(statuses=Counter({201: 2, 500: 1}), unexpected=["500 b''"]), _audit(), "5xx"),
        (_outcome(given_up=["c"]), _audit(), "unacknowledged after the drain"),
        (_outcome(hung=1), _audit(), "hung"),
        (_outcome(statuses=Counter({201: 2, 503: 1})), _audit(), "503(s) without a fault"),
    ]
    for outcome, audit, words in cases:
        found = problems(outcome, audit, TARGET, QuietServer(), fault_expected=False)
        assert any(words in p for p in found), (words, found)
    crashed = QuietServer(["Exception on /api/v1/responses [POST]"])
    found = problems(_outcome(), _audit(), TARGET, crashed, fault_expected=False)
    assert any("unhandled exception" in p for p in found)
    found = problems(_outcome(), _audit(), TARGET, QuietServer(), fault_expected=True)
    assert found == ["the fault never showed: no request was answered 503"]


def test_the_report_replaces_only_the_results_section():
    from tests.reliability.report import END, START, insert

    document = f"# Title\n\ntext\n\n{START}\nold table\n{END}\n\nafter\n"
    assert insert(document, "| new |\n") == (
        f"# Title\n\ntext\n\n{START}\n| new |\n{END}\n\nafter\n")
