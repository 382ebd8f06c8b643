"""The live fieldwork figures: cases per stratum by status, and AAPOR response rates.

Each case's status is coded as an AAPOR final disposition (*Standard Definitions*, 10th ed.,
2023) as if the fieldwork closed now, and the rates come from `analysis.aapor_rates`:

| case status  | AAPOR code | meaning |
|--------------|------------|---------|
| completed    | I   (1.1)  | complete interview (through the link or a paper form) |
| refused      | R   (2.10) | eligible, refusal or break-off |
| unreachable  | NC  (2.20) | eligible, non-contact |
| contacted    | O   (2.30) | eligible, contacted, no interview yet (other) |
| issued       | UO  (3.0)  | unknown eligibility: letter sent, nobody reached yet |
| not_eligible | NE  (4.0)  | not eligible: out of the denominators |

RR1 = I / (I + P + R + NC + O + UH + UO); COOP1 = I / (I + P + R + O);
REF1 = R / (I + P + R + NC + O + UH + UO); CON1 = (I + P + R + O) / (I + P + R + O + NC + UH + UO).
There are no partial interviews (P = 0): a response is stored whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from analysis.survey_allocation import OutcomeRates, aapor_rates
from survey.extensions import db
from survey.models.investigation import CASE_STATUSES, Investigation, SampleCase
from survey.services.investigation.fieldwork import OPEN_STATUSES, Scope

AAPOR_CODES = {"completed": "I", "refused": "R", "unreachable": "NC", "contacted": "O",
               "issued": "UO", "not_eligible": "NE"}


@dataclass(frozen=True, slots=True)
class Line:
    stratum: str
    sampled: int
    by_status: dict[str, int]
    rates: OutcomeRates

    @property
    def open(self) -> int:
        return sum(self.by_status.get(s, 0) for s in OPEN_STATUSES)


def rates_of(by_status: dict[str, int]) -> OutcomeRates:
    count = by_status.get
    return aapor_rates(complete=count("completed", 0), refused=count("refused", 0),
                       non_contact=count("unreachable", 0), unknown=count("issued", 0),
                       not_eligible=count("not_eligible", 0), other=count("contacted", 0))


def progress(investigation: Investigation, scope: Scope) -> tuple[list[Line], Line]:
    """A line per stratum (in the scope's cases) and the total line."""
    query = scope.where(
        db.select(SampleCase.stratum_key, SampleCase.status, func.count())
        .where(SampleCase.investigation_id == investigation.id)
        .group_by(SampleCase.stratum_key, SampleCase.status))
    counts: dict[str, dict[str, int]] = {}
    for stratum, status, count in db.session.execute(query):
        counts.setdefault(stratum, {})[status] = count
    lines = [Line(key, sum(c.values()), c, rates_of(c)) for key, c in sorted(counts.items())]
    total = {s: sum(line.by_status.get(s, 0) for line in lines) for s in CASE_STATUSES}
    return lines, Line("", sum(total.values()), total, rates_of(total))
