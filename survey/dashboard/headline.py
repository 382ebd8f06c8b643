"""The overview's headline strip: one year's index, its interval, the verdict and the change
from the year before, picked from the rows the page already shows (so they cannot disagree)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func

from survey.extensions import db
from survey.models import Answer, VersionItem
from survey.services.reporting import References, Scope
from survey.services.reporting.cells import answers_in_scope


@dataclass(frozen=True)
class Headline:
    year: int
    row: dict | None  # the year's index row, None when the year has no answers
    change: dict | None  # its year-over-year row, None without a previous year

    @property
    def shown(self) -> bool:
        return self.row is not None and not self.row["suppressed"] \
            and self.row["share"] is not None


def headline(year: int | None, overall: list[dict], changes: list[dict]) -> Headline | None:
    if year is None:
        return None
    row = next((r for r in overall if r["year"] == year), None)
    change = next((r for r in changes if r["year"] == year and r.get("previous_year")), None)
    return Headline(year, row, change)


def element_respondents(scope: Scope, refs: References) -> int:
    """People who answered at least one item of the five elements in scope: the n of the
    elements panel (each person answers some twenty items; n counts people, not answers)."""
    query = answers_in_scope(scope, refs, "survey", func.count(distinct(Answer.response_id))) \
        .where(VersionItem.element.is_not(None), VersionItem.item_type == "likert5",
               Answer.value_int.is_not(None))
    return int(db.session.execute(query).scalar_one())
