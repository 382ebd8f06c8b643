"""On PostgreSQL, submissions append their counts and folds move them: never lost, never twice."""

from __future__ import annotations

import random
import threading
import uuid

from survey.extensions import db
from survey.services import aggregates
from tests.survey.test_aggregates import counts_follow_submissions_imports_and_deletions


def _pending() -> int:
    return db.session.execute(db.text("SELECT COUNT(*) FROM answer_count_delta")).scalar()


def test_counts_follow_submissions_imports_and_deletions_on_postgres(pg_app, pg_ctx, tmp_path):
    counts_follow_submissions_imports_and_deletions(pg_app, tmp_path)
    with pg_app.app_context():
        assert _pending() == 0  # the check folded everything it compared


def test_submissions_append_and_a_report_folds(pg_app, pg_ctx):
    from survey.services import responses
    from survey.services.questionnaires import load_and_publish_builtins
    from survey.services.reporting import Grouping, Measure, References, Scope, fetch_cells
    from tests import factories

    load_and_publish_builtins()
    factories.unit("U1")
    db.session.commit()
    for value in (3, 2, 2):
        responses.submit(factories.prove({"id": str(uuid.uuid4()), "questionnaire":
                                          "dossier_rating", "unit": "U1", "channel": "kiosk",
                                          "answers": {"rating": value}}))
    assert _pending() > 0  # appended, not yet in the roll-ups
    cells = fetch_cells(Scope(stream="dossier_rating"), Grouping(("year",)), Measure("overall"),
                        References.load())
    assert _pending() == 0
    assert sum(int(v.sum()) for v in cells.counts.values()) == 3


def test_concurrent_submissions_and_folds_count_every_response_once(pg_app, pg_ctx):
    from survey.services import responses
    from survey.services.questionnaires import load_and_publish_builtins
    from tests import factories

    load_and_publish_builtins()
    factories.unit("U1")
    db.session.commit()
    # one kiosk for every thread (made here, not by each thread at once)
    kiosk = factories.prove({"questionnaire": "dossier_rating", "unit": "U1",
                             "channel": "kiosk"})["token"]
    errors: list[BaseException] = []
    done = threading.Event()
    per_thread, threads = 25, 4

    def submitter(seed: int):
        rng = random.Random(seed)
        with pg_app.app_context():
            try:
                for _ in range(per_thread):
                    responses.submit({"id": str(uuid.uuid4()), "questionnaire": "dossier_rating",
                                      "unit": "U1", "channel": "kiosk", "token": kiosk,
                                      "answers": {"rating": rng.choice([1, 2, 3])}})
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    def folder():
        with pg_app.app_context():
            try:
                while not done.is_set():
                    aggregates.fold()
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

    pool = [threading.Thread(target=submitter, args=(i,)) for i in range(threads)]
    folding = threading.Thread(target=folder)
    folding.start()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    done.set()
    folding.join()
    assert errors == []
    assert aggregates.differences() == []
    total = db.session.execute(db.text(
        "SELECT SUM(n) FROM answer_count_year WHERE item_code = 'rating'")).scalar()
    assert total == per_thread * threads


def test_rebuild_drops_appended_counts_it_recomputes(pg_app, pg_ctx):
    from survey.services import responses
    from survey.services.questionnaires import load_and_publish_builtins
    from tests import factories

    load_and_publish_builtins()
    factories.unit("U1")
    db.session.commit()
    for value in (1, 3):
        responses.submit(factories.prove({"id": str(uuid.uuid4()), "questionnaire":
                                          "dossier_rating", "unit": "U1", "channel": "kiosk",
                                          "answers": {"rating": value}}))
    aggregates.rebuild()
    db.session.commit()
    assert _pending() == 0
    assert aggregates.differences() == []
