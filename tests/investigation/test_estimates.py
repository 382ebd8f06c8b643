"""Weighted estimates of a sampled investigation (#20) against independent computations:
the closed forms of a one-stage stratified SRS with non-response within strata, the
ultimate-cluster formula over communes for two stages, and the element indices' SE from a
numerical derivative of a plain-Python estimator (its influence values)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from scipy import stats

from analysis.proportions import benchmark_verdict
from survey.extensions import db
from survey.models import Answer, FrameDossier, Investigation, SampleCase, ServiceArea, Unit
from survey.services.investigation.estimates import EstimateError, Options, estimates
from tests.investigation.estimates_world import CODE, ELEMENT_ITEMS, estimates_app


@pytest.fixture(scope="module")
def one_stage(tmp_path_factory):
    with estimates_app(tmp_path_factory.mktemp("est1")) as app:
        yield app


def _investigation() -> Investigation:
    return db.session.execute(db.select(Investigation).filter_by(code=CODE)).scalar_one()


def _cases() -> list[dict]:
    """Every case with its stratum, PSU, π, status, unit and area codes, and its answers."""
    inv = _investigation()
    rows = db.session.execute(
        db.select(SampleCase, FrameDossier, Unit.code, ServiceArea.code)
        .join(FrameDossier, FrameDossier.id == SampleCase.frame_dossier_id)
        .join(Unit, Unit.id == FrameDossier.unit_id)
        .join(ServiceArea, ServiceArea.id == FrameDossier.service_area_id)
        .where(SampleCase.investigation_id == inv.id)).all()
    answers: dict[int, dict[str, int]] = defaultdict(dict)
    for a in db.session.execute(db.select(Answer)).scalars():
        if a.value_int is not None:
            answers[a.response_id][a.item_code] = a.value_int
    return [{"stratum": case.stratum_key, "psu": case.psu_key, "pi": case.inclusion,
             "status": case.status, "unit": unit, "area": area,
             "answers": answers.get(case.response_id, {})}
            for case, _dossier, unit, area in rows]


def _frame_sizes() -> dict[str, int]:
    inv = _investigation()
    sizes: dict[str, int] = defaultdict(int)
    for key in db.session.execute(db.select(FrameDossier.stratum_key).where(
            FrameDossier.investigation_id == inv.id)).scalars():
        sizes[key] += 1
    return sizes


def _row(out: dict, domain: str, code, measure: str) -> dict:
    return next(r for r in out["rows"]
                if (r["domain"], r["code"], r["measure"]) == (domain, code, measure))


def _satisfied(value: int | None) -> float | None:
    return None if value is None else float(value >= 4)


def _closed_form(cases, sizes, population_weights: bool):
    """Stratified SRS, non-response within strata: p = Σ W_h p_h and
    V = Σ W_h² (1 − r_h/N_h) p_h q_h / (r_h − 1), with W_h from N̂_h = N_h e_h/n_h (the
    eligible population the weights estimate) or, raked to the frame, from N_h."""
    by: dict[str, list[dict]] = defaultdict(list)
    for case in cases:
        by[case["stratum"]].append(case)
    parts = []
    for key, members in by.items():
        n_h = len(members)
        e_h = sum(c["status"] != "not_eligible" for c in members)
        done = [c for c in members if c["status"] == "completed"]
        r_h = len(done)
        p_h = sum(_satisfied(c["answers"]["overall_satisfaction"]) for c in done) / r_h
        size = sizes[key] if population_weights else sizes[key] * e_h / n_h
        parts.append((size, p_h, r_h, sizes[key]))
    total = sum(size for size, *_ in parts)
    p = sum(size / total * p_h for size, p_h, _, _ in parts)
    var = sum((size / total) ** 2 * (1 - r_h / big) * p_h * (1 - p_h) / (r_h - 1)
              for size, p_h, r_h, big in parts)
    respondents = sum(r_h for *_, r_h, _ in parts)
    return p, var**0.5, respondents - len(parts)


def test_overall_share_is_the_stratified_srs_closed_form(one_stage):
    with one_stage.app_context():
        cases, sizes = _cases(), _frame_sizes()
        out = estimates(_investigation())
    p, se, df = _closed_form(cases, sizes, population_weights=False)
    row = _row(out, "all", None, "overall")
    assert row["estimate"] == pytest.approx(p, rel=1e-12)
    assert row["se"] == pytest.approx(se, rel=1e-10)
    assert out["design"]["df"] == df
    t = stats.t.ppf(0.975, df)
    assert row["ci_low"] == pytest.approx(p - t * se, rel=1e-10)
    assert row["ci_high"] == pytest.approx(p + t * se, rel=1e-10)
    lower = p - stats.t.ppf(0.95, df) * se
    assert row["lower_one_sided"] == pytest.approx(lower, rel=1e-10)
    assert row["verdict"] == benchmark_verdict(lower, p + t * se, 0.8)
    completed = sum(c["status"] == "completed" for c in cases)
    assert out["sample"] == {
        "sampled": len(cases), "respondents": completed,
        "not_eligible": sum(c["status"] == "not_eligible" for c in cases),
        "eligible": sum(c["status"] != "not_eligible" for c in cases),
        "response_rate": pytest.approx(
            completed / sum(c["status"] != "not_eligible" for c in cases))}


def test_raked_to_the_frame_is_post_stratified_by_unit(one_stage):
    """Here every unit handles one service area and the strata are unit × area, so raking to
    the frame's units and areas is post-stratification on the strata: W_h = N_h/N, and the
    variance of calibrated weights keeps the stratified closed form."""
    with one_stage.app_context():
        cases, sizes = _cases(), _frame_sizes()
        out = estimates(_investigation(), Options(raking="frame"))
    p, se, _ = _closed_form(cases, sizes, population_weights=True)
    row = _row(out, "all", None, "overall")
    assert row["estimate"] == pytest.approx(p, rel=1e-9)
    assert row["se"] == pytest.approx(se, rel=1e-7)
    assert out["weights"]["sum"] == pytest.approx(sum(sizes.values()))
    assert out["weights"]["raked"] is True


def _weights(cases, sizes) -> dict[int, float]:
    """1/π × (eligible/respondents) of the stratum, per completed case (by position)."""
    by: dict[str, list[int]] = defaultdict(list)
    for i, case in enumerate(cases):
        by[case["stratum"]].append(i)
    out = {}
    for members in by.values():
        eligible = [i for i in members if cases[i]["status"] != "not_eligible"]
        done = [i for i in members if cases[i]["status"] == "completed"]
        factor = sum(1 / cases[i]["pi"] for i in eligible) / sum(1 / cases[i]["pi"] for i in done)
        out.update({i: factor / cases[i]["pi"] for i in done})
    return out


def _index(w: dict[int, float], cases, elements, domain) -> float:
    """The index as the open collection defines it: mean over elements of the mean over
    items of Σw·satisfied/Σw·answered, in the domain (plain Python, no linearisation)."""
    element_values = []
    for element in elements:
        shares = []
        for item in ELEMENT_ITEMS[element]:
            num = den = 0.0
            for i, weight in w.items():
                value = _satisfied(cases[i]["answers"].get(item))
                if value is not None and domain(cases[i]):
                    num, den = num + weight * value, den + weight
            if den:
                shares.append(num / den)
        if shares:
            element_values.append(sum(shares) / len(shares))
    return sum(element_values) / len(element_values)


def _linearised_se(w, cases, elements, domain, sizes) -> float:
    """SE from influence values z_i = w_i ∂θ/∂w_i (central differences), summed as the
    stratified variance with the finite-population correction."""
    z = {}
    for i in w:
        step = 1e-6 * w[i]
        up, down = dict(w), dict(w)
        up[i] += step
        down[i] -= step
        z[i] = w[i] * (_index(up, cases, elements, domain)
                       - _index(down, cases, elements, domain)) / (2 * step)
    by: dict[str, list[float]] = defaultdict(list)
    for i, value in z.items():
        by[cases[i]["stratum"]].append(value)
    var = 0.0
    for key, values in by.items():
        r_h, mean = len(values), sum(values) / len(values)
        var += (1 - r_h / sizes[key]) * r_h / (r_h - 1) * sum((v - mean) ** 2 for v in values)
    return var**0.5


@pytest.mark.parametrize(("measure", "domain", "code"), [
    ("C", "all", None), ("index", "all", None), ("index", "service_area", "land"),
    ("E", "unit", "D1")])
def test_element_indices_against_a_plain_estimator_and_its_derivative(one_stage, measure,
                                                                      domain, code):
    with one_stage.app_context():
        cases, sizes = _cases(), _frame_sizes()
        out = estimates(_investigation())
    w = _weights(cases, sizes)
    elements = list(ELEMENT_ITEMS) if measure == "index" else [measure]

    def inside(case) -> bool:
        return domain == "all" or case[{"service_area": "area"}.get(domain, domain)] == code

    row = _row(out, domain, code, measure)
    assert not row["suppressed"]
    assert row["estimate"] == pytest.approx(_index(w, cases, elements, inside), rel=1e-12)
    assert row["se"] == pytest.approx(_linearised_se(w, cases, elements, inside, sizes),
                                      rel=1e-5)


def test_small_cells_show_n_only_and_no_hidden_one_follows_by_subtraction(one_stage):
    """A (domain, measure) cell is hidden where fewer than 30 respondents answered the measure
    (an element: any of its items), counted here from the cases; the index wherever an element
    is; n and the respondents are always shown."""
    with one_stage.app_context():
        out = estimates(_investigation())
        cases = [c for c in _cases() if c["status"] == "completed"]

    def answered(code: str, item: str) -> int:
        return sum(1 for c in cases if c["unit"] == code and item in c["answers"])

    units = {r["code"] for r in out["rows"] if r["domain"] == "unit"}
    assert units
    for row in out["rows"]:
        assert isinstance(row["n"], int) and isinstance(row["respondents"], int)
        if row["suppressed"]:
            assert all(row[f] is None for f in ("estimate", "se", "ci_low", "ci_high", "deff",
                                                "verdict"))
        else:
            assert row["estimate"] is not None
        if row["domain"] != "unit":
            continue
        if row["measure"] == "overall":
            assert row["n"] == answered(row["code"], "overall_satisfaction")
            if row["n"] < 30:
                assert row["suppressed"]
        elif row["measure"] in ELEMENT_ITEMS:
            if min(answered(row["code"], i) for i in ELEMENT_ITEMS[row["measure"]]) < 30:
                assert row["suppressed"]
    by = defaultdict(dict)
    for row in out["rows"]:
        by[(row["domain"], row["code"])][row["measure"]] = row["suppressed"]
    for measures in by.values():
        assert measures["index"] == any(measures[e] for e in ELEMENT_ITEMS)
    small = {r["code"] for r in out["rows"] if r["domain"] == "unit"
             and r["measure"] == "overall" and r["n"] < 30}
    assert small, "the fixture should have small communes"
    for measure in ("overall", *ELEMENT_ITEMS):
        hidden = [r for r in out["rows"] if r["domain"] == "unit" and r["measure"] == measure
                  and r["suppressed"]]
        # the total is published: one hidden unit alone would be the total minus the others
        assert len(hidden) != 1, measure


def test_an_officer_sees_the_subtree_of_its_unit(one_stage):
    from survey.services.investigation.estimates import visible_units

    with one_stage.app_context():
        d1 = db.session.execute(db.select(Unit).filter_by(code="D1")).scalar_one()
        out = estimates(_investigation(), within=visible_units(d1))
        cases = _cases()
    codes = {r["code"] for r in out["rows"] if r["domain"] == "unit"}
    assert codes and codes <= {"D1", "C01", "C02", "C03", "C04", "C05", "C06"}
    in_d1 = [c for c in cases if c["status"] == "completed"
             and c["unit"] in {"D1", "C01", "C02", "C03", "C04", "C05", "C06"}]
    assert _row(out, "all", None, "overall")["respondents"] == len(in_d1)


def test_options_are_checked_and_named(one_stage):
    with one_stage.app_context():
        for options, parameter in ((Options(cells="region"), "cells"),
                                   (Options(raking="records2"), "raking"),
                                   (Options(trim=0.5), "trim")):
            with pytest.raises(EstimateError) as caught:
                estimates(_investigation(), options)
            assert caught.value.parameter == parameter
        plain = estimates(_investigation())
        out = estimates(_investigation(), Options(trim=1.1))
    assert "1.1 × median" in out["weights"]["trim_rule"]
    assert out["weights"]["max"] < plain["weights"]["max"]
    assert out["weights"]["sum"] == pytest.approx(plain["weights"]["sum"])  # total kept


def test_two_stages_use_the_communes_as_psus(tmp_path):
    with estimates_app(tmp_path, stages="two", rows=3000, n=240, item_missing=False) as app, \
            app.app_context():
        cases = _cases()
        out = estimates(_investigation())
    w = _weights(cases, {})
    total = sum(w.values())
    p = sum(w[i] * _satisfied(cases[i]["answers"]["overall_satisfaction"]) for i in w) / total
    psu_totals: dict[tuple, float] = defaultdict(float)
    for i, weight in w.items():
        value = _satisfied(cases[i]["answers"]["overall_satisfaction"])
        psu_totals[(cases[i]["stratum"], cases[i]["psu"])] += weight * (value - p) / total
    by: dict[str, list[float]] = defaultdict(list)
    for (stratum, _psu), value in psu_totals.items():
        by[stratum].append(value)
    var = sum(len(v) / (len(v) - 1) * sum((x - sum(v) / len(v)) ** 2 for x in v)
              for v in by.values())
    row = _row(out, "all", None, "overall")
    assert out["design"]["stages"] == "two"
    assert out["design"]["psus"] == len(psu_totals)
    assert row["estimate"] == pytest.approx(p, rel=1e-12)
    assert row["se"] == pytest.approx(var**0.5, rel=1e-10)


def test_raked_to_the_records_takes_their_totals(one_stage):
    """Records of 2025 with twice the frame's dossiers in D1 and the frame's elsewhere: the
    raked share is Σ R_h p_h / Σ R_h (each unit handles one area, strata are unit × area),
    the SE the stratified closed form with those shares and the frame's fpc."""
    from survey.models import DossierStat

    with one_stage.app_context():
        cases, sizes = _cases(), _frame_sizes()
        ids = dict(db.session.execute(db.select(Unit.code, Unit.id)).all())
        areas = dict(db.session.execute(db.select(ServiceArea.code, ServiceArea.id)).all())
        records = {key: size * (2 if key.startswith("D1|") else 1) for key, size in sizes.items()}
        for key, count in records.items():
            unit, area = key.split("|")
            db.session.add(DossierStat(period_kind="year", year=2025, unit_id=ids[unit],
                                       service_area_id=areas[area], received_direct=count,
                                       resolved_on_time=count))
        db.session.flush()
        try:
            out = estimates(_investigation(), Options(raking="records"))
        finally:
            db.session.rollback()
    by: dict[str, list[dict]] = defaultdict(list)
    for case in cases:
        if case["status"] == "completed":
            by[case["stratum"]].append(case)
    total = sum(records.values())
    p = var = 0.0
    for key, done in by.items():
        r_h = len(done)
        p_h = sum(_satisfied(c["answers"]["overall_satisfaction"]) for c in done) / r_h
        share = records[key] / total
        p += share * p_h
        var += share**2 * (1 - r_h / sizes[key]) * p_h * (1 - p_h) / (r_h - 1)
    row = _row(out, "all", None, "overall")
    assert row["estimate"] == pytest.approx(p, rel=1e-9)
    assert row["se"] == pytest.approx(var**0.5, rel=1e-7)
    assert out["weights"]["sum"] == pytest.approx(total)
    assert "records" in out["method"]["raking"]


def test_raking_to_missing_records_is_refused_by_name(one_stage):
    with one_stage.app_context(), pytest.raises(EstimateError) as caught:
        estimates(_investigation(), Options(raking="records"))
    assert caught.value.parameter == "raking"


def test_the_cache_follows_the_fieldwork(one_stage):
    """Kept while nothing of the investigation changes (an open-collection answer does not
    count); a case's new status (a case_event) gives new figures."""
    from datetime import UTC, datetime

    from survey.models.investigation import CaseEvent
    from survey.services.investigation.estimates import cached_estimates

    with one_stage.app_context():
        first = cached_estimates(_investigation())
        assert cached_estimates(_investigation()) == first
        case = db.session.execute(db.select(SampleCase).filter_by(status="refused")
                                  .order_by(SampleCase.id)).scalars().first()
        case.status = "not_eligible"
        db.session.add(CaseEvent(case_id=case.id, from_status="refused",
                                 to_status="not_eligible", at=datetime.now(UTC), actor="test",
                                 note="moved away"))
        db.session.flush()
        try:
            second = cached_estimates(_investigation())
            assert second["sample"]["not_eligible"] == first["sample"]["not_eligible"] + 1
            assert second == estimates(_investigation())
        finally:
            db.session.rollback()
