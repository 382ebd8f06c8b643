"""What each maintained roll-up must hold, recomputed from the raw answers (SELECTs).

`aggregates.rebuild` inserts these; `aggregates.differences` compares them with what the
submissions maintained. One function per family of roll-ups; each takes the roll-up model and
groups by its KEY, so the coarser tables of a family read the same source.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import and_, func, select

from survey.models import Answer, Response, VersionItem
from survey.models.aggregates import AGGREGATED_TYPES


def _with_item():
    """FROM answer JOIN response JOIN its version's item: what every recount starts from."""
    return (select().select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .join(VersionItem, and_(VersionItem.version_id == Response.version_id,
                                    VersionItem.code == Answer.item_code))
            # quarantined responses are subtracted from the roll-ups (response_admin), and an
            # investigation's are never counted in them (responses.store)
            .where(Response.in_figures))


def _envelope() -> dict:
    return {
        "year": Response.year, "month": Response.month, "unit_id": Response.unit_id,
        "version_id": Response.version_id,
        "service_area_id": func.coalesce(Response.service_area_id, 0),
        "procedure_id": func.coalesce(Response.procedure_id, 0), "channel": Response.channel,
        "respondent_type": func.coalesce(Response.respondent_type, ""),
    }


def answers(model):
    """Answer counts: every rating answer's value or missing code."""
    value = func.coalesce(Answer.value_int, Answer.missing_code)
    source = {**_envelope(), "item_code": Answer.item_code, "value": value}
    columns = [source[k] for k in model.KEY]
    return (_with_item().add_columns(*columns, func.count())
            .where(VersionItem.item_type.in_(AGGREGATED_TYPES), value.is_not(None))
            .group_by(*columns))


ELEMENT_ITEM = and_(VersionItem.element.is_not(None), VersionItem.item_type == "likert5",
                    Answer.value_int.is_not(None))


def per_respondent():
    """Per response and element: the sum of its answered items and how many were answered."""
    return (_with_item().add_columns(Answer.response_id, VersionItem.element,
                                     func.sum(Answer.value_int).label("total"),
                                     func.count().label("answered"))
            .where(ELEMENT_ITEM).group_by(Answer.response_id, VersionItem.element)
            .subquery("per"))


def _overall():
    return (_with_item().add_columns(Answer.response_id,
                                     func.max(Answer.value_int).label("overall"))
            .where(VersionItem.is_overall.is_(True), Answer.value_int.is_not(None))
            .group_by(Answer.response_id).subquery("ov"))


def element_sizes():
    """Per version and element, the number of its likert items."""
    return (select(VersionItem.version_id, VersionItem.element, func.count().label("k"))
            .where(VersionItem.element.is_not(None), VersionItem.item_type == "likert5")
            .group_by(VersionItem.version_id, VersionItem.element).subquery("sizes"))


def element_pairs(model):
    """Respondents per (element score total, items answered, overall answer)."""
    per, overall = per_respondent(), _overall()
    source = {**_envelope(), "element": per.c.element, "total": per.c.total,
              "answered": per.c.answered, "overall": func.coalesce(overall.c.overall, 0)}
    columns = [source[k] for k in model.KEY]
    return (select(*columns, func.count()).select_from(per)
            .join(Response, Response.id == per.c.response_id)
            .outerjoin(overall, overall.c.response_id == per.c.response_id)
            .group_by(*columns))


def element_items(model):
    """The element answers of respondents who left some of the element's items unanswered."""
    per, sizes = per_respondent(), element_sizes()
    source = {**_envelope(), "element": VersionItem.element, "item_code": Answer.item_code,
              "value": Answer.value_int}
    columns = [source[k] for k in model.KEY]
    return (_with_item().add_columns(*columns, func.count())
            .join(per, and_(per.c.response_id == Answer.response_id,
                            per.c.element == VersionItem.element))
            .join(sizes, and_(sizes.c.version_id == Response.version_id,
                              sizes.c.element == VersionItem.element))
            .where(ELEMENT_ITEM, per.c.answered < sizes.c.k)
            .group_by(*columns))


def steps(families, progress: Callable[[int, int], None] | None):
    """A function to call after each roll-up table is done: it tells `progress(done, total)`
    (every table of `families`; one statement each, so a table is the finest step there is)."""
    total = sum(len(family.rollups) for family in families)
    done = 0
    if progress is None:
        return lambda: None
    progress(0, total)

    def step() -> None:
        nonlocal done
        done += 1
        progress(done, total)

    return step
