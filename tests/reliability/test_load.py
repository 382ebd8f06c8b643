"""Load: 200 kiosks and phones submit for a fixed time against gunicorn, SQLite and PostgreSQL.

Every acknowledged response is stored exactly once with all its answers, none is stored twice,
nothing answers 5xx, and the maintained counts equal a fresh recomputation.
"""

from __future__ import annotations

import pytest

from tests.reliability import scenario

DATABASES = pytest.mark.parametrize("target", ["SQLite", "PostgreSQL"], indirect=True)


@DATABASES
def test_the_load_is_held(target, serve, results):
    server = serve(target)
    outcome, note = scenario.run(server, target)
    scenario.conclude(results, "load", target, server, outcome, note)
