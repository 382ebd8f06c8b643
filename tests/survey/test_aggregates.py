"""The maintained answer counts equal the raw answers, and reports read the same from both."""

import csv
import itertools

import numpy as np
import pytest

from survey.extensions import db
from survey.services import aggregates
from survey.services.demo import load_demo
from survey.services.reporting import Grouping, Measure, References, Scope, fetch_cells
from tests.conftest import make_app


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('agg') / 'agg.db'}")
    with app.app_context():
        db.create_all()
        load_demo(scale=0.1)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _tables(cells):
    # shares of a split are floats, summed in another order by a scan than by the roll-ups
    return ({k: np.round(v, 9).tolist() for k, v in cells.counts.items()},
            {k: round(v, 9) for k, v in cells.no_answer.items()})


GROUPINGS = [("year",), ("year", "service_area"), ("unit",), ("level", "channel"),
             ("quarter", "respondent_type"), ("procedure_group",), ("month", "procedure"),
             ("element", "item")]


@pytest.mark.parametrize("dims", GROUPINGS)
@pytest.mark.parametrize("measure", ["overall", "elements", "item:b3_fees"])
def test_reports_from_counts_equal_reports_from_raw_answers(loaded, dims, measure):
    with loaded.app_context():
        refs = References.load()
        grouping, m = Grouping(dims), Measure.parse(measure)
        # the demo goes through the 2025 reform: a district that ended is read as recorded;
        # on today's units Đông Phong holds 60 % of Ea Lê's answers (a split)
        for scope in (Scope(), Scope(unit="ST-H01", year_from=2023, view="recorded"),
                      Scope(unit="ST-H02-X01", year_from=2023), Scope(channels=("paper",)),
                      Scope(visible_unit="ST")):  # the root: every unit, read without one
            fast = fetch_cells(scope, grouping, m, refs)
            slow = fetch_cells(scope, grouping, m, refs, use_aggregates=False)
            assert _tables(fast) == _tables(slow) and fast.counts


ELEMENT_SCOPES = [Scope(), Scope(unit="ST-H01", year_from=2023, view="recorded"),
                  Scope(levels=("commune",)), Scope(unit="ST-X01", year_from=2023),
                  Scope(unit="ST", visible_unit="ST-H02", view="recorded"),
                  Scope(service_areas=("land",), year_to=2024),
                  Scope(questionnaires=("land_survey",))]


@pytest.mark.parametrize("scope", ELEMENT_SCOPES, ids=range(len(ELEMENT_SCOPES)))
def test_element_statistics_from_rollups_equal_a_scan_of_the_answers(loaded, scope):
    """α's sums, the drivers' pairs and the respondents per element read from the element
    roll-ups equal those computed from the raw answers (the scan that the channel filter
    still uses)."""
    from survey.services.reporting import elements

    with loaded.app_context():
        refs = References.load()
        items = elements.element_items(scope, refs)
        fast_alpha, fast_pairs, fast_respondents = elements._rolled_up(scope, refs, items)
        slow_alpha, slow_pairs, slow_respondents = elements._scanned(scope, refs, items)
        assert dict(fast_respondents) == slow_respondents and slow_respondents
        assert set(fast_alpha) == set(slow_alpha) == set(items)
        assert any(a is not None for a in slow_alpha.values())
        for element, slow in slow_alpha.items():
            fast = fast_alpha[element]
            assert (fast is None) == (slow is None)
            if slow is not None:
                assert fast.n_respondents == slow.n_respondents
                assert fast.alpha == pytest.approx(slow.alpha, abs=1e-12)

        def table(pairs):
            return {e: sorted(zip(*(c.tolist() for c in columns), strict=True))
                    for e, columns in pairs.items()}

        assert table(fast_pairs) == table(slow_pairs) and slow_pairs


def test_a_scope_of_every_unit_reads_the_year_rollups(loaded):
    from survey.models import AnswerCountUnit, AnswerCountYear
    from survey.services.reporting.cells import rollup_for

    with loaded.app_context():
        refs = References.load()
        assert rollup_for(Scope(visible_unit="ST"), ("year",), refs) is AnswerCountYear
        assert rollup_for(Scope(unit="ST-H01"), ("year",), refs) is AnswerCountUnit
        whole = fetch_cells(Scope(visible_unit="ST"), Grouping(("year",)), Measure("overall"),
                            refs)
        assert _tables(whole) == _tables(fetch_cells(Scope(), Grouping(("year",)),
                                                     Measure("overall"), refs))


def test_rating_stream_from_counts_equals_raw(loaded):
    with loaded.app_context():
        refs = References.load()
        scope = Scope(stream="dossier_rating")
        for dims in itertools.islice(GROUPINGS, 4):
            fast = fetch_cells(scope, Grouping(dims), Measure("overall"), refs)
            slow = fetch_cells(scope, Grouping(dims), Measure("overall"), refs,
                               use_aggregates=False)
            assert _tables(fast) == _tables(slow)


def test_rebuild_and_check_commands(loaded):
    runner = loaded.test_cli_runner()
    assert "equals the raw answers" in runner.invoke(args=["aggregates", "check"]).output
    with loaded.app_context():
        db.session.execute(db.text("UPDATE answer_count SET n = n + 1 WHERE value = 5"))
        db.session.commit()
        assert aggregates.differences()
        assert runner.invoke(args=["aggregates", "rebuild"]).exit_code == 0
        db.session.execute(db.text("UPDATE element_item_year SET n = n + 1 WHERE value = 5"))
        db.session.execute(db.text("DELETE FROM element_pair_unit WHERE overall = 4"))
        db.session.commit()
        assert {table for table, *_ in aggregates.differences()} == {
            "element_item_year", "element_pair_unit"}
    broken = runner.invoke(args=["aggregates", "check"])
    assert broken.exit_code == 1 and "differ" in broken.output
    assert runner.invoke(args=["aggregates", "rebuild"]).exit_code == 0
    with loaded.app_context():
        assert aggregates.differences() == []


def test_counts_follow_submissions_imports_and_deletions(app, tmp_path):
    """Random submissions (also retried), a paper import and deletions: the maintained counts
    always equal a fresh recomputation."""
    counts_follow_submissions_imports_and_deletions(app, tmp_path)


def counts_follow_submissions_imports_and_deletions(app, tmp_path):
    """Shared with tests/postgres, where the counts go through the appended deltas."""
    import random
    import uuid as uuidlib

    from survey.services import responses
    from survey.services.demo.answers import Respondent, answers_for
    from survey.services.questionnaires import definition_of, get_version, load_and_publish_builtins
    from survey.services.responses.admin import delete_responses
    from tests import factories

    rng = random.Random(5)
    with app.app_context():
        load_and_publish_builtins()
        factories.unit("U1")
        db.session.commit()
        definitions = {code: definition_of(get_version(code))
                       for code in ("land_survey", "dossier_rating")}
        ids = []
        for i in range(60):
            code = rng.choice(list(definitions))
            given = answers_for(definitions[code], Respondent(rng, 0.7, 0.2), 2)
            payload = {"id": str(uuidlib.UUID(int=rng.getrandbits(128), version=4)),
                       "questionnaire": code, "unit": "U1",
                       "channel": "kiosk" if code == "dossier_rating" else "phone",
                       "answers": {k: ("no_answer" if a.missing_code else a.value)
                                   for k, a in given.items()}}
            payload = factories.prove(payload)  # a kiosk, or a desk QR code for phone
            result = responses.submit(payload)
            assert result.created, payload
            ids.append(result.response_id)
            if i % 7 == 0:  # a retry stores nothing and counts nothing
                assert not responses.submit(payload).created
        assert aggregates.differences() == []
        delete_responses(rng.sample(ids, 15), actor="test", reason="spam test")
        db.session.commit()
        assert aggregates.differences() == []
    # a paper import goes through the same store, and counts once even when imported twice
    rows = []
    for _ in range(5):
        given = answers_for(definitions["land_survey"], Respondent(rng, 0.7, 0.2), 2)
        rows.append({"response_id": str(uuidlib.UUID(int=rng.getrandbits(128), version=4)),
                     "questionnaire": "land_survey", "version": "1", "unit": "U1",
                     "channel": "paper", "submitted_at": "2025-03-04T09:30:00+07:00",
                     **{k: ("no_answer" if a.missing_code else str(a.value))
                        for k, a in given.items()}})
    columns = list(dict.fromkeys(k for row in rows for k in row))
    path = tmp_path / "paper.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["import-responses", str(path)])
        assert result.exit_code == 0, result.output
    with app.app_context():
        assert aggregates.differences() == []
        paper = db.session.execute(db.text(
            "SELECT SUM(n) FROM answer_count WHERE channel = 'paper' "
            "AND item_code = 'overall_satisfaction'")).scalar()
        assert paper == 5


def test_reports_are_cached_per_data_version(loaded, monkeypatch):
    import importlib

    from survey.services.reporting import cache
    from tests import factories

    # the package re-exports the function `indices`, which hides the module of that name
    indices_module = importlib.import_module("survey.services.reporting.indices")

    # the indices read their cells through the suppression layers, which fetch them
    suppression = importlib.import_module("survey.services.reporting.suppression")
    calls = []
    real = suppression.fetch_cells
    monkeypatch.setattr(suppression, "fetch_cells",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    cache.clear()
    args = (Scope(), Grouping(("year",)), Measure("overall"), 0.8, "survey")
    with loaded.app_context():
        first = indices_module.indices(*args)
        first["rows"].clear()  # a caller mutating its copy must not spoil the cache
        second = indices_module.indices(*args)
        assert len(calls) == 1 and second["rows"]
        factories.response(factories.version("cache_probe"), factories.unit("CACHE"))
        db.session.commit()
        indices_module.indices(*args)
        assert len(calls) == 2  # a new response is a new data version
