"""The pure lineage: re-attribution to today's units, estimates, parents over time and the days
a unit's territory changed, on a small reform written out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from survey.services.lineage.graph import EventRow, Lineage, UnitRow

REFORM = date(2025, 7, 1)
# ids: province, two districts, communes (A, B merge into AB; E splits into E1, E2; F moves up;
# H is merged into G, which goes on and moves up)
P, D1, D2, A, B, AB, E, E1, E2, F, G, H = range(1, 13)


def reform() -> Lineage:
    ended = {"valid_to": REFORM}
    born = {"valid_from": REFORM}
    units = [
        UnitRow(P, None), UnitRow(D1, P, **ended), UnitRow(D2, P, **ended),
        UnitRow(A, D1, **ended), UnitRow(B, D1, **ended), UnitRow(AB, P, **born),
        UnitRow(E, D2, **ended), UnitRow(E1, P, **born), UnitRow(E2, P, **born),
        UnitRow(F, P), UnitRow(G, P), UnitRow(H, D1, **ended),
    ]
    events = [
        EventRow(A, "merge", REFORM, ((AB, 1.0),)),
        EventRow(B, "merge", REFORM, ((AB, 1.0),)),
        EventRow(E, "split", REFORM, ((E1, 0.7), (E2, 0.3))),
        EventRow(F, "move", REFORM, old_parent_id=D2, new_parent_id=P),
        EventRow(H, "merge", REFORM, ((G, 1.0),)),
        EventRow(G, "move", REFORM, old_parent_id=D2, new_parent_id=P),
        EventRow(D1, "abolish", REFORM),
        EventRow(D2, "abolish", REFORM),
    ]
    return Lineage(units, events)


def test_a_merge_adds_exactly_and_a_split_is_an_estimate():
    lineage = reform()
    merged = lineage.attribute_year(A, 2024)
    assert merged.shares == {AB: 1.0} and not merged.estimated
    split = lineage.attribute_year(E, 2024)
    assert split.shares == pytest.approx({E1: 0.7, E2: 0.3})
    assert split.is_estimate(E1) and split.is_estimate(E2)
    # the first half of the reform year was still recorded under the old units
    assert lineage.attribute_month(A, 2025, 6).shares == {AB: 1.0}
    assert lineage.attribute(AB, date(2026, 3, 1)).shares == {AB: 1.0}
    assert lineage.attribute_year(G, 2024).shares == {G: 1.0}


def test_events_chain_and_the_parts_of_a_split_that_meet_again_are_whole():
    S, S1, S2, T, X, Y = range(20, 26)
    units = [UnitRow(S, None, valid_to=REFORM), UnitRow(S1, None, REFORM, date(2026, 1, 1)),
             UnitRow(S2, None, REFORM, date(2026, 1, 1)), UnitRow(T, None, date(2026, 1, 1)),
             UnitRow(X, None), UnitRow(Y, None)]
    events = [EventRow(S, "split", REFORM, ((S1, 0.4), (S2, 0.6))),
              EventRow(S1, "merge", date(2026, 1, 1), ((T, 1.0),)),
              EventRow(S2, "split", date(2026, 1, 1), ((T, 0.5), (X, 0.5)))]
    lineage = Lineage(units, events)
    attribution = lineage.attribute_year(S, 2024)
    assert attribution.shares == pytest.approx({T: 0.4 + 0.6 * 0.5, X: 0.3})
    assert attribution.is_estimate(T) and attribution.is_estimate(X)
    whole = Lineage(units[:4], [events[0], events[1],
                                EventRow(S2, "merge", date(2026, 1, 1), ((T, 1.0),))])
    assert whole.attribute_year(S, 2024).shares == pytest.approx({T: 1.0})
    assert not whole.attribute_year(S, 2024).estimated


def test_a_unit_that_keeps_part_of_itself():
    K, N = 30, 31
    lineage = Lineage([UnitRow(K, None), UnitRow(N, None, REFORM)],
                      [EventRow(K, "split", REFORM, ((K, 0.8), (N, 0.2)))])
    assert lineage.attribute_year(K, 2024).shares == pytest.approx({K: 0.8, N: 0.2})
    assert lineage.attribute_year(K, 2026).shares == {K: 1.0}
    assert lineage.territory_changes(K) == [REFORM]
    assert lineage.territory_changes(N) == []  # born that day


def test_contributors_and_estimates_on_todays_units():
    lineage = reform()
    assert lineage.contributors(AB) == {AB, A, B}
    assert lineage.contributors(G) == {G, H}
    assert lineage.contributors(E2) == {E2, E}
    assert lineage.estimated_in(E1, 2024) and lineage.estimated_in(E1, 2025)
    assert not lineage.estimated_in(E1, 2026)
    assert not lineage.estimated_in(AB, 2024)
    assert lineage.today_changed_between(E1, 2024, 2026)
    assert not lineage.today_changed_between(AB, 2024, 2026)
    assert not lineage.today_changed_between(G, 2023, 2026)


def test_parents_over_time():
    lineage = reform()
    assert lineage.parent_on(F, date(2024, 6, 1)) == D2
    assert lineage.parent_on(F, REFORM) == P
    assert lineage.ancestors_on(G, date(2025, 6, 30)) == [G, D2, P]
    assert lineage.ancestors_on(G, REFORM) == [G, P]


def test_the_days_a_territory_changed_as_recorded():
    lineage = reform()
    assert lineage.territory_changes(G) == [REFORM]  # took H in
    assert lineage.territory_changes(D2) == [REFORM]  # F, G, E left it
    assert lineage.territory_changes(D1) == [REFORM]
    assert lineage.territory_changes(P) == []  # everything stayed inside the province
    assert lineage.territory_changes(A) == []  # it ended; while it existed it did not change
    assert lineage.territory_changes(F) == []  # a move keeps the territory
    assert lineage.territory_changes(AB) == []
    assert lineage.changed_between(G, 2024, 2025) and lineage.changed_between(G, 2025, 2026)
    assert lineage.changed_between(G, 2026, 2024)
    assert not lineage.changed_between(G, 2023, 2024)
    assert not lineage.changed_between(G, 2026, 2027)


def test_an_event_on_the_first_of_january_splits_the_years_cleanly():
    K, N = 40, 41
    day = date(2026, 1, 1)
    lineage = Lineage([UnitRow(K, None), UnitRow(N, None, valid_to=day)],
                      [EventRow(N, "merge", day, ((K, 1.0),))])
    assert lineage.changed_between(K, 2025, 2026)
    assert not lineage.changed_between(K, 2024, 2025)
    assert not lineage.changed_between(K, 2026, 2027)
    assert lineage.attribute_year(N, 2025).shares == {K: 1.0}


def test_the_worked_example_of_the_methodology():
    """docs/METHODOLOGY.md §10: the numbers it prints follow from the lineage."""
    from pathlib import Path

    a, b, c, e, f, g = range(50, 56)
    lineage = Lineage(
        [UnitRow(a, None, valid_to=REFORM), UnitRow(b, None, valid_to=REFORM),
         UnitRow(c, None, REFORM), UnitRow(e, None, valid_to=REFORM), UnitRow(f, None),
         UnitRow(g, None)],
        [EventRow(a, "merge", REFORM, ((c, 1.0),)), EventRow(b, "merge", REFORM, ((c, 1.0),)),
         EventRow(e, "split", REFORM, ((f, 0.6), (g, 0.4)))])
    recorded = {a: (40, 30), b: (60, 42), e: (50, 35)}
    on_c = [lineage.attribute_year(u, 2024).shares.get(c, 0) for u in recorded]
    answers = sum(s * n for s, (n, _) in zip(on_c, recorded.values(), strict=True))
    satisfied = sum(s * k for s, (_, k) in zip(on_c, recorded.values(), strict=True))
    share_f = lineage.attribute_year(e, 2024)
    text = Path(__file__).parents[2].joinpath("docs", "METHODOLOGY.md").read_text()
    assert f"{answers:.0f} answers, {satisfied:.0f} satisfied ({satisfied / answers:.0%}" \
        .replace("%", " %") in text
    assert f"{share_f.shares[f]:.1f} × 50 = {share_f.shares[f] * 50:.0f} answers of E " \
           f"({share_f.shares[f] * 35:.0f} satisfied)" in text
    assert share_f.is_estimate(f) and not lineage.attribute_year(a, 2024).is_estimate(c)
