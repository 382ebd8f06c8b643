"""The draw: reproducible from its seed, π per stratum summing to n_h, two stages' π the
product of the stages' probabilities, each checked against counts taken from the frame here."""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction

import pytest

from survey.extensions import db
from survey.models import CaseEvent, FrameDossier, SampleCase
from survey.services.investigation.draw import draw_sample
from survey.services.investigation.frame_import import import_frame
from survey.services.investigation.investigations import InvestigationError
from tests.investigation.helpers import csv_bytes, frame, new_investigation


def _drawn(inv) -> dict[str, SampleCase]:
    cases = db.session.execute(
        db.select(SampleCase, FrameDossier.dossier_code)
        .join(FrameDossier, FrameDossier.id == SampleCase.frame_dossier_id)
        .where(SampleCase.investigation_id == inv.id)).all()
    return {code: case for case, code in cases}


def _frame_counts(inv, column) -> Counter:
    return Counter(db.session.execute(
        db.select(column).where(FrameDossier.investigation_id == inv.id)).scalars())


def _prepared(code: str, rows, **design):
    inv = new_investigation(code, **design)
    import_frame(inv, csv_bytes(rows), f"{code}.csv")
    db.session.commit()
    return inv


def test_the_same_seed_draws_the_same_sample_and_another_seed_another(ctx):
    rows = frame(3000)
    design = {"size": {"method": "fixed", "n": 400}, "minimum": 10}
    first, again, other = (_prepared(c, rows, **design) for c in ("A", "B", "C"))
    draw_sample(first, seed=20251)
    draw_sample(again, seed=20251)
    draw_sample(other, seed=20252)
    a, b, c = _drawn(first), _drawn(again), _drawn(other)
    assert sorted(a) == sorted(b) and len(a) == 400
    assert all(a[k].inclusion == b[k].inclusion for k in a)
    assert sorted(a) != sorted(c)
    assert first.seed == 20251 and first.status == "drawn" and first.draw["n"] == 400


def test_inclusion_probabilities_sum_to_n_per_stratum(ctx):
    rows = frame(2500, seed=3)
    inv = _prepared("P1", rows, size={"method": "sipas"}, minimum=30)
    draw_sample(inv, seed=7)
    population = _frame_counts(inv, FrameDossier.stratum_key)
    cases = list(_drawn(inv).values())
    drawn = Counter(c.stratum_key for c in cases)
    # SIPAS, computed here in exact arithmetic: n = ceil(N / (1 + N e^2)), e = 0.05
    big_n = len(rows)
    sipas = math.ceil(Fraction(big_n) / (1 + big_n * Fraction(1, 400)))
    floor = sum(min(30, n) for n in population.values())
    assert len(cases) == max(sipas, floor) == inv.draw["n"]
    for stratum, big in population.items():
        n_h = drawn[stratum]
        assert n_h >= min(30, big)  # the minimum per stratum
        pis = [c.inclusion for c in cases if c.stratum_key == stratum]
        assert all(p == pytest.approx(n_h / big, rel=1e-12) for p in pis)
        # π of every frame unit of the stratum is n_h/N_h: Σπ over the frame = n_h
        assert big * pis[0] == pytest.approx(n_h, rel=1e-12)
        assert inv.draw["strata"][stratum] == {"N": big, "n": n_h}
    for case in cases:
        assert case.psu_probability == 1.0 and case.unit_probability == case.inclusion
        assert case.design_weight == pytest.approx(1 / case.inclusion, rel=1e-12)
        assert case.status == "issued" and case.token_hash is None


def test_proportional_allocation_is_proportional(ctx):
    """With no minimum binding, n_h is N_h·n/N rounded (largest remainder): within one."""
    rows = frame(4000, seed=5)
    inv = _prepared("P2", rows, size={"method": "fixed", "n": 800}, minimum=0)
    draw_sample(inv, seed=1)
    population = _frame_counts(inv, FrameDossier.stratum_key)
    drawn = Counter(c.stratum_key for c in _drawn(inv).values())
    for stratum, big in population.items():
        assert abs(drawn[stratum] - big * 800 / 4000) < 1


def test_every_case_has_its_history_and_the_draw_is_once(ctx):
    inv = _prepared("H", frame(500), size={"method": "fixed", "n": 60}, minimum=0)
    draw_sample(inv, seed=3, actor="analyst1")
    events = db.session.execute(db.select(CaseEvent)).scalars().all()
    assert len(events) == 60
    assert {(e.from_status, e.to_status, e.actor) for e in events} == {
        (None, "issued", "analyst1")}
    with pytest.raises(InvestigationError, match="drawn once"):
        draw_sample(inv, seed=3)
    with pytest.raises(Exception, match="can no longer be replaced"):
        import_frame(inv, csv_bytes(frame(10)), "again.csv")


def test_a_draw_without_a_frame_or_with_a_missing_prior_is_refused(ctx):
    empty = new_investigation("E")
    with pytest.raises(InvestigationError, match="no frame"):
        draw_sample(empty, seed=1)
    neyman = _prepared("NY", frame(300), allocation="neyman", prior_shares={"D1|land": 0.8})
    with pytest.raises(InvestigationError, match="no share of last year for stratum"):
        draw_sample(neyman, seed=1)


def test_neyman_allocation_follows_n_h_s_h(ctx):
    rows = frame(3000, seed=11)
    keys = {f"{r['unit']}|{'land' if r['procedure'] == 'LAND-01' else 'marriage'}"
            for r in rows}
    shares = {k: (0.5 if k.startswith("D") else 0.95) for k in keys}
    inv = _prepared("NY2", rows, allocation="neyman", prior_shares=shares, minimum=0,
                    size={"method": "fixed", "n": 600})
    draw_sample(inv, seed=2)
    population = _frame_counts(inv, FrameDossier.stratum_key)
    a = {k: population[k] * math.sqrt(shares[k] * (1 - shares[k])) for k in population}
    drawn = Counter(c.stratum_key for c in _drawn(inv).values())
    for k in population:
        assert abs(drawn[k] - 600 * a[k] / sum(a.values())) < 1


def test_two_stages_probabilities_are_the_product_of_the_stages(ctx):
    """Communes by PPS on their dossiers within each stratum, then m dossiers by SRS: the
    first-stage π is n_psu·M_i/ΣM (no commune is large enough to be taken for certain here),
    the second min(m, M_i)/M_i, computed from the frame's counts, and π is their product."""
    rows = frame(6000, seed=4)
    m = 8
    inv = _prepared("TS", rows, strata=["service_area"], stages="two", dossiers_per_psu=m,
                    minimum=16, size={"method": "fixed", "n": 64})
    draw_sample(inv, seed=99)
    cases = list(_drawn(inv).values())
    sizes = Counter(db.session.execute(
        db.select(FrameDossier.stratum_key, FrameDossier.psu_key)
        .where(FrameDossier.investigation_id == inv.id)).all())
    totals = Counter()
    for (stratum, _psu), count in sizes.items():
        totals[stratum] += count
    record = inv.draw["strata"]
    assert sum(r["psus_drawn"] for r in record.values()) == 64 // m
    for stratum, r in record.items():
        n_psu = r["psus_drawn"]
        assert n_psu >= 2 and r["psus"] == len([k for k in sizes if k[0] == stratum])
        mine = [c for c in cases if c.stratum_key == stratum]
        drawn_psus = Counter(c.psu_key for c in mine)
        assert len(drawn_psus) == n_psu
        for case in mine:
            big_m = sizes[(stratum, case.psu_key)]
            first = n_psu * big_m / totals[stratum]
            second = min(m, big_m) / big_m
            assert first < 1
            assert case.psu_probability == pytest.approx(first, rel=1e-12)
            assert case.unit_probability == pytest.approx(second, rel=1e-12)
            assert case.inclusion == pytest.approx(first * second, rel=1e-12)
            assert case.design_weight == pytest.approx(1 / (first * second), rel=1e-12)
        assert all(count == min(m, sizes[(stratum, p)]) for p, count in drawn_psus.items())
        # Σ over the stratum's communes of the first-stage π is the number drawn
        assert sum(n_psu * sizes[k] / totals[stratum] for k in sizes if k[0] == stratum) == \
            pytest.approx(n_psu, rel=1e-12)
    again = _prepared("TS2", rows, strata=["service_area"], stages="two", dossiers_per_psu=m,
                      minimum=16, size={"method": "fixed", "n": 64})
    draw_sample(again, seed=99)
    assert sorted(_drawn(again)) == sorted(_drawn(inv))


def test_the_draw_reads_the_frame_in_file_order(ctx):
    from survey.services.investigation.draw import load_frame

    rows = frame(700, seed=8)
    inv = _prepared("ORD", rows)
    loaded = load_frame(inv.id)
    code_of = dict(db.session.execute(
        db.select(FrameDossier.id, FrameDossier.dossier_code)).all())
    assert [code_of[i] for i in loaded.ids.tolist()] == [r["dossier_code"] for r in rows]
    stored = {r.id: (r.stratum_key, r.psu_key) for r in db.session.execute(
        db.select(FrameDossier)).scalars()}
    assert [stored[i] for i in loaded.ids.tolist()] == list(zip(loaded.strata.tolist(),
                                                                loaded.psus.tolist(),
                                                                strict=True))
