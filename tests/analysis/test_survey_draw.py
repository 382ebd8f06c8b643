"""The sample draw (analysis.survey_draw): sizes, π, reproducibility, frequencies, errors, speed."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from analysis import (
    design_weights,
    draw_pps_systematic,
    draw_stratified,
    draw_two_stage,
    pps_probabilities,
)

DRAWS = 2000


def _frequencies(draw, n_units: int) -> np.ndarray:
    hits = np.zeros(n_units)
    for seed in range(DRAWS):
        hits[draw(seed).selected] += 1
    return hits / DRAWS


def _assert_binomial(freq: np.ndarray, pi: np.ndarray) -> None:
    """Each unit's selection frequency within 4 binomial standard errors of its π."""
    se = np.sqrt(pi * (1 - pi) / DRAWS)
    bad = np.flatnonzero(np.abs(freq - pi) > 4 * se + 1e-12)
    assert bad.size == 0, [(int(i), freq[i], pi[i]) for i in bad]


# -- stratified -------------------------------------------------------------------------------

STRATA = ["b"] * 7 + ["a"] * 5 + ["c"] * 3 + ["a"] * 2 + ["b"]  # interleaved, as frames are


def test_stratified_sizes_and_inclusion_per_stratum():
    sizes = {"a": 3, "b": 2, "c": 3}
    r = draw_stratified(STRATA, sizes, seed=11)
    labels = np.array(STRATA)
    got = Counter(labels[r.selected].tolist())
    assert got == Counter(sizes)
    assert np.all(np.diff(r.selected) > 0)  # sorted, no duplicate
    for h, n in sizes.items():
        in_h = labels == h
        assert r.inclusion[in_h].sum() == pytest.approx(n, abs=1e-12)
        assert np.all(r.inclusion[in_h] == n / in_h.sum())
    assert r.strata == ("a", "b", "c") and r.sizes == (3, 2, 3) and r.population == (7, 8, 3)
    assert r.seed == 11
    assert r.to_dict()["selected"] == r.selected.tolist()
    # 1/π are the design weights the weighting step takes.
    assert design_weights(r.inclusion[r.selected]).tolist() == pytest.approx(
        [1 / r.inclusion[i] for i in r.selected])
    with pytest.raises(ValueError):
        r.inclusion[0] = 0.5  # the record cannot be altered after the draw


def test_stratified_reproducible_and_order_free():
    one = draw_stratified(STRATA, {"a": 3, "b": 2, "c": 1}, seed=2026)
    two = draw_stratified(np.array(STRATA, dtype=object), {"c": 1, "b": 2, "a": 3}, seed=2026)
    assert one.selected.tolist() == two.selected.tolist()
    # Changing one stratum's size leaves the other strata's samples as they were.
    three = draw_stratified(STRATA, {"a": 3, "b": 4, "c": 1}, seed=2026)
    not_b = np.array(STRATA) != "b"
    assert sorted(set(one.selected) & set(np.flatnonzero(not_b))) == sorted(
        set(three.selected) & set(np.flatnonzero(not_b)))
    others = {tuple(draw_stratified(STRATA, {"a": 3, "b": 2, "c": 1}, s).selected)
              for s in range(2027, 2037)}
    assert len(others - {tuple(one.selected)}) >= 8  # another seed, another sample


def test_stratified_frequencies_match_inclusion():
    sizes = {"a": 3, "b": 2, "c": 1}
    pi = draw_stratified(STRATA, sizes, 0).inclusion
    freq = _frequencies(lambda s: draw_stratified(STRATA, sizes, s), len(STRATA))
    _assert_binomial(freq, pi)


def test_stratified_integer_labels_zero_and_full_strata():
    r = draw_stratified([3, 1, 3, 1, 2], {1: 0, 2: 1, 3: 2}, seed=0)
    assert r.selected.tolist() == [0, 2, 4]
    assert r.inclusion.tolist() == [1.0, 0.0, 1.0, 0.0, 1.0]


def test_stratified_errors():
    with pytest.raises(ValueError, match=r"stratum 'c': sample size 4 exceeds its 3 frame units"):
        draw_stratified(STRATA, {"a": 1, "b": 1, "c": 4}, 1)
    with pytest.raises(ValueError, match=r"stratum 'c' of the frame has no sample size"):
        draw_stratified(STRATA, {"a": 1, "b": 1}, 1)
    with pytest.raises(ValueError, match=r"stratum 'z' has a sample size but no unit"):
        draw_stratified(STRATA, {"a": 1, "b": 1, "c": 1, "z": 1}, 1)
    with pytest.raises(ValueError, match="must be non-negative"):
        draw_stratified(STRATA, {"a": -1, "b": 1, "c": 1}, 1)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        draw_stratified(STRATA, {"a": 1, "b": 1, "c": 1}, -5)
    with pytest.raises(TypeError, match="seed must be an integer"):
        draw_stratified(STRATA, {"a": 1, "b": 1, "c": 1}, 1.5)
    with pytest.raises(ValueError, match="frame has no units"):
        draw_stratified([], {}, 1)
    with pytest.raises(TypeError, match="labels of one type"):
        draw_stratified(np.array([1, "a"], dtype=object), {1: 1, "a": 1}, 1)
    with pytest.raises(TypeError, match="mapping"):
        draw_stratified(STRATA, [1, 2, 3], 1)


# -- PPS ------------------------------------------------------------------------------------

PPS_SIZES = [100, 1, 1, 1, 50, 0, 3]


def test_pps_certainty_units_removed_iteratively():
    # Σx = 156, n = 3: unit 0 has π = 300/156 ≥ 1 → certain; then n = 2 over Σ = 56:
    # unit 4 has 100/56 ≥ 1 → certain; then n = 1 over Σ = 6: x/6.
    r = draw_pps_systematic(PPS_SIZES, 3, seed=4)
    assert r.inclusion.tolist() == pytest.approx([1, 1 / 6, 1 / 6, 1 / 6, 1, 0, 3 / 6])
    assert r.inclusion.sum() == pytest.approx(3, abs=1e-12)
    assert r.certainty.tolist() == [0, 4]
    assert set(r.certainty) <= set(r.selected) and r.selected.size == 3
    assert 5 not in r.selected  # size 0, never drawn


def test_pps_inclusion_sums_to_n_on_a_random_frame():
    x = np.random.default_rng(3).lognormal(0, 2, 500)
    for n in (1, 10, 100, 400):
        r = draw_pps_systematic(x, n, seed=n)
        assert r.inclusion.sum() == pytest.approx(n, abs=1e-9)
        assert r.selected.size == n == np.unique(r.selected).size
        assert np.all(r.inclusion <= 1)
        free = r.inclusion < 1  # the non-certainty units keep π ∝ x
        ratio = r.inclusion[free] / x[free]
        assert np.allclose(ratio, ratio[0])
        assert np.all(x[~free] >= x[free].max())


def test_pps_reproducible_and_seed_dependent():
    x = np.arange(1, 41)
    a = draw_pps_systematic(x, 8, 99).selected.tolist()
    assert a == draw_pps_systematic(list(x), 8, 99).selected.tolist()
    assert len({tuple(draw_pps_systematic(x, 8, s).selected) for s in range(10)}) >= 8


def test_pps_frequencies_match_inclusion():
    x = np.array([40, 1, 2, 3, 5, 8, 13, 21, 0, 2, 4, 9])
    pi, certain = pps_probabilities(x, 4)
    assert certain.tolist() == [True] + [False] * 11
    freq = _frequencies(lambda s: draw_pps_systematic(x, 4, s), x.size)
    _assert_binomial(freq, pi)


def test_pps_errors():
    with pytest.raises(ValueError, match="n = 3 exceeds the 2 units with a positive size"):
        draw_pps_systematic([1, 0, 2], 3, 1)
    with pytest.raises(ValueError, match=r"size measure of unit 1 is negative \(-2.0\)"):
        draw_pps_systematic([1, -2, 3], 1, 1)
    with pytest.raises(ValueError, match="size measure of unit 2 is not a finite number"):
        draw_pps_systematic([1, 2, float("nan")], 1, 1)
    with pytest.raises(ValueError, match="non-empty"):
        draw_pps_systematic([], 0, 1)
    with pytest.raises(TypeError, match="size measures"):
        draw_pps_systematic(["a", "b"], 1, 1)
    assert draw_pps_systematic([1, 2], 0, 1).selected.size == 0


# -- two stages ------------------------------------------------------------------------------

PSU_OF_UNIT = ["x"] * 6 + ["y"] * 2 + ["z"] * 4 + ["w"] * 3 + ["x"] * 2 + ["v"]
PSU_SIZES = {"x": 8, "y": 2, "z": 4, "w": 3, "v": 1}


def test_two_stage_probabilities():
    r = draw_two_stage(PSU_OF_UNIT, PSU_SIZES, n_psu=3, units_per_psu=3, seed=8)
    assert r.psus == ("v", "w", "x", "y", "z")
    # π_psu = 3·x/18: x = 8 → 24/18 ≥ 1 → certain; then 2 over Σ = 10 → x/5.
    assert r.psu_probabilities.tolist() == pytest.approx([0.2, 0.6, 1.0, 0.4, 0.8])
    labels = np.array(PSU_OF_UNIT)
    m_of = {"v": 1, "w": 3, "x": 3, "y": 2, "z": 3}  # min(3, M_i)
    big_m = Counter(PSU_OF_UNIT)
    for i, psu in enumerate(labels):
        assert r.unit_inclusion[i] == pytest.approx(m_of[psu] / big_m[psu])
        assert r.inclusion[i] == pytest.approx(r.psu_inclusion[i] * r.unit_inclusion[i])
    assert len(r.selected_psus) == 3 and "x" in r.selected_psus
    got = Counter(labels[r.selected].tolist())
    assert got == Counter({p: m_of[p] for p in r.selected_psus})
    # Expected sample size is Σπ over the frame.
    assert r.inclusion.sum() == pytest.approx(sum(
        r.psu_probabilities[k] * m_of[p] for k, p in enumerate(r.psus)))
    again = draw_two_stage(PSU_OF_UNIT, dict(reversed(PSU_SIZES.items())), 3, 3, seed=8)
    assert again.selected.tolist() == r.selected.tolist()


def test_two_stage_frequencies_match_inclusion():
    pi = draw_two_stage(PSU_OF_UNIT, PSU_SIZES, 3, 2, 0).inclusion
    freq = _frequencies(lambda s: draw_two_stage(PSU_OF_UNIT, PSU_SIZES, 3, 2, s),
                        len(PSU_OF_UNIT))
    _assert_binomial(freq, pi)


def test_two_stage_errors():
    with pytest.raises(ValueError, match=r"PSU 'q' has a size measure but no unit"):
        draw_two_stage(PSU_OF_UNIT, {**PSU_SIZES, "q": 1}, 2, 1, 1)
    with pytest.raises(ValueError, match=r"PSU 'v' of the frame has no size measure"):
        draw_two_stage(PSU_OF_UNIT, {k: v for k, v in PSU_SIZES.items() if k != "v"}, 2, 1, 1)
    with pytest.raises(ValueError, match="units_per_psu must be at least 1"):
        draw_two_stage(PSU_OF_UNIT, PSU_SIZES, 2, 0, 1)
    with pytest.raises(ValueError, match="n = 6 exceeds the 5 units"):
        draw_two_stage(PSU_OF_UNIT, PSU_SIZES, 6, 1, 1)
    with pytest.raises(ValueError, match=r"size measure of PSU 'w' is negative \(-3.0\)"):
        draw_two_stage(PSU_OF_UNIT, {**PSU_SIZES, "w": -3}, 2, 1, 1)


# -- scale -------------------------------------------------------------------------------------

def test_a_large_frame_in_twenty_strata_gives_each_stratum_its_size():
    # The time it takes at 2,000,000 units is a benchmark (bench/analysis.py), not a test.
    rng = np.random.default_rng(20)
    labels = np.array([f"commune-{i:02d}|service-{i % 4}" for i in range(20)])
    strata = labels[rng.integers(0, 20, 200_000)]
    sizes = {label: 50 + 10 * k for k, label in enumerate(labels)}
    r = draw_stratified(strata, sizes, seed=2026)
    assert r.selected.size == sum(sizes.values()) == np.unique(r.selected).size
    counts = Counter(strata[r.selected].tolist())
    assert counts == Counter(sizes)


def test_pps_equal_sizes_with_rounding_take_everyone_or_exactly_n():
    # 10·0.1/Σ falls a hair under 1: no unit is "certain", yet all ten must be drawn once.
    r = draw_pps_systematic([0.1] * 10, 10, seed=5)
    assert r.selected.tolist() == list(range(10))
    r = draw_pps_systematic([0.1] * 10, 7, seed=5)
    assert r.selected.size == 7 == np.unique(r.selected).size
    assert r.inclusion.tolist() == pytest.approx([0.7] * 10)
