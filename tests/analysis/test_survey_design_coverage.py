"""Repeated sampling from a known population: the interval covers and the one-sided test holds.

A synthetic population of 10 strata x 40 clusters x 50 people with cluster effects (so the
design effect is well above 1); 1,000 stratified cluster samples (8 clusters per stratum,
without replacement, fpc 40). With the true share as the target, the 95 % t interval should
cover about 95 % of the time and the one-sided lower bound reach the target about 5 % of the
time; the bounds allow for binomial noise over 1,000 draws (±2.5 SE) and the t approximation.
"""

import numpy as np
import pytest

from analysis import design_share, survey_design


@pytest.fixture(scope="module")
def population():
    rng = np.random.default_rng(2026)
    strata, clusters, people = 10, 40, 50
    level = rng.normal(1.4, 0.3, strata)[:, None] + rng.normal(0, 0.6, (strata, clusters))
    p = 1 / (1 + np.exp(-level))
    y = (rng.random((strata, clusters, people)) < p[:, :, None]).astype(float)
    return y


def test_coverage_and_one_sided_size(population):
    rng = np.random.default_rng(7)
    strata, clusters, people = population.shape
    truth = float(population.mean())
    take = 8
    covered = reached = 0
    deffs = []
    reps = 1000
    h = np.repeat(np.arange(strata), take * people)
    psu = np.repeat(np.arange(strata * take), people)
    w = np.full(h.size, clusters / take)
    pop = np.full(h.size, float(clusters))
    for _ in range(reps):
        chosen = np.stack([rng.choice(clusters, take, replace=False) for _ in range(strata)])
        y = population[np.arange(strata)[:, None], chosen].reshape(-1)
        r = design_share(survey_design(w, h, psu, population=pop), y, target=truth)
        covered += r.ci_low <= truth <= r.ci_high
        reached += r.lower_one_sided >= truth
        deffs.append(r.deff)
    assert 0.93 <= covered / reps <= 0.97
    assert 0.03 <= reached / reps <= 0.075
    assert np.mean(deffs) > 2  # clustering is real here, so SRS formulas would undercover
