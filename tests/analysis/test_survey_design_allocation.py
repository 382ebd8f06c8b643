"""Stratum allocation and AAPOR outcome rates, against hand-computed values."""

import numpy as np
import pytest

from analysis import aapor_rates, allocate


def test_proportional_exact():
    r = allocate(1000, [5000, 3000, 2000])
    assert r.sizes == (500, 300, 200)
    assert r.quotas == pytest.approx((500.0, 300.0, 200.0))


def test_largest_remainder_keeps_the_total():
    # quotas 333.26, 333.26, 333.44 -> floors add to 999; the largest remainder gets the extra
    r = allocate(1000, [3000, 3000, 3001])
    assert sum(r.sizes) == 1000
    assert r.sizes == (333, 333, 334)
    # quotas 2.5, 1.5, 1.0 -> remainders .5, .5: the larger stratum first
    assert allocate(5, [50, 30, 20]).sizes == (3, 1, 1)


def test_neyman_from_prior_sds():
    # a_h = N_h S_h = 1000*0.5, 2000*0.3 -> 500 : 600
    sd = np.sqrt([0.5 * 0.5, 0.9 * 0.1])
    r = allocate(110, [1000, 2000], "neyman", sds=sd)
    assert r.sizes == (50, 60)


def test_minimum_per_stratum_and_population_cap():
    # proportional would give 540, 30, 30; the minimum of 50 lifts the small strata
    r = allocate(600, [9000, 500, 500], minimum=50)
    assert r.sizes == (500, 50, 50)
    # a stratum smaller than the minimum is taken whole, and never beyond N_h
    r = allocate(100, [1000, 20, 30], "equal", minimum=30)
    assert r.sizes == (50, 20, 30)
    assert all(s <= n for s, n in zip(r.sizes, [1000, 20, 30], strict=True))


def test_equal_allocation():
    assert allocate(90, [1000, 2000, 3000], "equal").sizes == (30, 30, 30)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((5000, [100, 200]), {}, r"total \(5000\) exceeds the population \(300\)"),
        ((100, [100, 200]), {"minimum": 60}, "a minimum of 60 per stratum needs 120, more than"),
        ((10, [100, 200]), {"method": "pps"}, "method must be one of proportional, neyman, equal"),
        ((10, [100, 200], "neyman"), {}, "neyman allocation needs the prior standard deviation"),
        ((10, [100, 200], "neyman"), {"sds": [0.5]}, r"sds must have one value per stratum \(2\)"),
        ((10, [100, 0]), {}, "population must list at least one stratum, each with N_h > 0"),
    ],
)
def test_allocation_errors(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        allocate(*args, **kwargs)


def test_aapor_rates_by_hand():
    # I=600 R=100 NC=200 U=100 NE=50: denominators 1000 (RR1, REF1), 700 (COOP1)
    r = aapor_rates(complete=600, refused=100, non_contact=200, unknown=100, not_eligible=50)
    assert (r.rr1, r.coop1, r.ref1, r.con1) == pytest.approx((0.6, 600 / 700, 0.1, 0.7))
    # partials and other non-interviews enter every denominator but not RR1's numerator
    r = aapor_rates(complete=50, partial=10, refused=20, non_contact=10, other=10, unknown=0)
    assert r.rr1 == pytest.approx(50 / 100)
    assert r.coop1 == pytest.approx(50 / 90)
    assert r.ref1 == pytest.approx(20 / 100)
    assert r.con1 == pytest.approx(90 / 100)
    assert r.to_dict()["not_eligible"] == 0


def test_aapor_empty_and_errors():
    r = aapor_rates(complete=0, not_eligible=3)
    assert (r.rr1, r.coop1, r.ref1, r.con1) == (None, None, None, None)
    with pytest.raises(ValueError, match="refused must be non-negative"):
        aapor_rates(complete=1, refused=-1)
