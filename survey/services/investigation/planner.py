"""The sample size a design asks for, given the frame's size N (METHODOLOGY §5)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis.sample_size import sample_size_proportion
from survey.services.investigation.design import Size

_EPS = 1e-9  # floating-point residue must not push an exact integer up by one


def sipas_size(population: int, margin: float = 0.05) -> int:
    """The Ministry of Home Affairs' SIPAS formula n = N / (1 + N·e²), rounded up (Slovin's
    formula: the finite-population size for a share with p = 0.5 at roughly 95 %)."""
    if population < 1:
        raise ValueError("the frame is empty")
    return math.ceil(population / (1 + population * margin * margin) - _EPS)


@dataclass(frozen=True, slots=True)
class Planned:
    n: int            # what the size option gives, at most N
    formula: str      # how, in words, for the record and the report

    def as_json(self) -> dict:
        return {"n": self.n, "formula": self.formula}


def planned_size(size: Size, population: int) -> Planned:
    if size.method == "fixed":
        return Planned(min(size.n, population), f"fixed n = {size.n}")
    if size.method == "sipas":
        return Planned(sipas_size(population, size.margin),
                       f"SIPAS n = N/(1 + N·e²), N = {population}, e = {size.margin:g}")
    result = sample_size_proportion(size.margin, size.p, size.confidence, population, size.deff)
    return Planned(min(result.n, population),
                   f"±{size.margin:g} at {size.confidence:g} for p = {size.p:g}, "
                   f"deff {size.deff:g}, N = {population}")
