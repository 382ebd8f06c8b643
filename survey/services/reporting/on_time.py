"""Satisfaction of dossiers returned on time versus late, and the rating response rate (§7).

Only responses linked to a dossier through its receipt token count, and only once the one-stop
software has told us whether that dossier was resolved on time.
"""

from __future__ import annotations

from sqlalchemy import func, select

import analysis
from analysis.scales import SCALES
from survey.extensions import db
from survey.models import (
    Answer,
    DossierToken,
    Response,
    VersionItem,
)
from survey.services.reporting import views
from survey.services.reporting.cells import RATING_TYPES, References, answers_in_scope
from survey.services.reporting.indices import view_note
from survey.services.reporting.scope import Scope
from survey.services.reporting.suppression import SMALL_N


def _counts(scope: Scope, refs: References, stream: str) -> dict:
    # with unit events and a unit filter the rows keep their unit and month, so that the
    # scope's view can weigh them (`views.weigh`); otherwise one row per status and value
    keep = refs.lineage is not None and refs.restricts_units(scope)
    where = (Response.unit_id, Response.year, Response.month) if keep else ()
    rows = db.session.execute(
        answers_in_scope(scope, refs, stream, DossierToken.on_time_status, VersionItem.item_type,
                         Answer.value_int, func.count(), *where)
        .join(DossierToken, DossierToken.response_id == Response.id)
        .where(VersionItem.is_overall.is_(True), Answer.value_int.is_not(None),
               DossierToken.on_time_status.is_not(None))
        .group_by(DossierToken.on_time_status, VersionItem.item_type, Answer.value_int, *where)
    ).all()
    totals = {"in_time": [0.0, 0.0], "late": [0.0, 0.0]}
    for row in rows:
        status, item_type, value, n = row[:4]
        share = views.weigh(scope, refs, *row[4:]) if keep else 1.0
        scale = SCALES[RATING_TYPES[item_type]]
        bucket = totals["late" if status == "late" else "in_time"]
        bucket[0] += n * share if value in scale.positive else 0
        bucket[1] += n * share
    # a split's share is an estimate: counted in whole respondents
    return {k: [int(round(v)) for v in pair] for k, pair in totals.items()}


def response_rate(scope: Scope, refs: References) -> dict:
    """Receipts rated / receipts issued (tokens), within the units in scope."""
    query = select(func.count(DossierToken.id), func.count(DossierToken.used_at))
    for code in (scope.unit, scope.visible_unit):
        if code is not None:
            query = query.where(DossierToken.unit_id.in_(refs.subtree_ids(code)))
    issued, used = db.session.execute(query).one()
    return {"issued": issued, "rated": used, "rate": used / issued if issued else None}


def on_time_satisfaction(scope: Scope, stream: str, refs: References | None = None) -> dict:
    refs = refs or References.load()
    totals = _counts(scope, refs, stream)
    (k1, n1), (k2, n2) = totals["in_time"], totals["late"]
    result = analysis.satisfaction_by_on_time(k1, n1, k2, n2).to_dict()
    small = [group for group, n in (("on_time", n1), ("late", n2)) if n < SMALL_N]
    for group in small:  # n only; and nothing computed from it (the difference gives it)
        result.update({f"k_{group}": None, f"share_{group}": None})
    if small:
        result.update(difference=None, difference_points=None, ci_low=None, ci_high=None,
                      chi2=None, p_value=None, warning=f"fewer than {SMALL_N} respondents")
    return {
        "method": {"groups": "in time = resolved early or on time; late = resolved late",
                   "test": "difference in % satisfied with the Newcombe interval; chi-square "
                           "on the 2x2 table", "stream": stream,
                   "small_n": f"a group of fewer than {SMALL_N} respondents shows n only, "
                              "and then neither the difference nor the test is shown",
                   **view_note(scope, refs)},
        "result": result,
        "suppressed": small,
        "response_rate": response_rate(scope, refs),
    }
