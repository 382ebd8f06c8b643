"""The council's appendix: one row per procedure group and administrative level for a year.

Dossier figures (exact) sit beside the sample survey (with its intervals), never mixed: the
survey columns come from responses, the dossier columns from the dossier statistics.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

import analysis
from survey.extensions import db
from survey.models import Procedure, ProcedureGroup
from survey.services.reporting.cells import References
from survey.services.reporting.indices import CONFIDENCE
from survey.services.reporting.records import records
from survey.services.reporting.scope import Grouping, Measure, Scope
from survey.services.reporting.suppression import (
    ADMIN_LEVEL,
    SMALL_N,
    Protected,
    protected_table,
)

LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2}


def _procedure_counts() -> dict[tuple[str, str], int]:
    rows = db.session.execute(
        select(ProcedureGroup.code, Procedure.level, func.count(Procedure.id))
        .join(ProcedureGroup, Procedure.group_id == ProcedureGroup.id)
        .group_by(ProcedureGroup.code, Procedure.level)).all()
    return {(group, level): n for group, level, n in rows}


def _survey_tables(scope: Scope, year: int, refs: References) -> tuple[Protected, Protected]:
    """Per (group, level as the catalogue has it, year) over `year` and the year before, and
    the same per respondent type; each with the cells it hides, as every report hides them."""
    window = Scope(**{**scope.__dict__, "year_from": year - 1, "year_to": year})
    return tuple(protected_table(window, ("procedure_group", "level@admin", *by, "year"),
                                 Measure("overall"), refs) for by in ((), ("respondent_type",)))


def _cell(table: Protected, key: tuple) -> tuple[int | None, int, bool]:
    """(satisfied or None when hidden, n, hidden) of one cell."""
    counts = table.cells.counts.get(key)
    if counts is None:  # no respondents: nothing to show but n = 0
        return None, 0, True
    n, hidden = int(counts.sum()), table.is_hidden(key)
    return (None if hidden else int(counts[3:].sum())), n, hidden


def appendix(scope: Scope, year: int, benchmark: float, refs: References | None = None) -> dict:
    refs = refs or References.load()
    names = dict(db.session.execute(select(ProcedureGroup.code, ProcedureGroup.name_vi)).all())
    procedures = _procedure_counts()
    dossiers: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    record_scope = Scope(**{**scope.__dict__, "year_from": year, "year_to": year})
    for row in records(record_scope, Grouping(("procedure_group", "level")), refs)["rows"]:
        key = (row["procedure_group"], ADMIN_LEVEL[row["level"]])
        for column in ("received", "carried_over", "resolved", "resolved_early",
                       "resolved_on_time", "resolved_late"):
            dossiers[key][column] += row[column]
    tables = _survey_tables(scope, year, refs)
    keys = sorted({k[:2] for k in tables[0].cells.counts if k[2] == year and k[0] is not None}
                  | set(dossiers),
                  key=lambda k: (str(k[0]), LEVEL_ORDER.get(k[1], 9)))
    rows = [_row(group, level, year, tables, dossiers.get((group, level)), procedures, names,
                 benchmark) for group, level in keys]
    _significance(rows)
    return {"year": year, "benchmark": benchmark, "rows": rows, "method": {
        "survey": "overall item, % answering 4-5; Wilson 95% interval; exact one-sided test "
                  "against the benchmark; change vs the previous year with the Newcombe "
                  "interval and the z-test, Benjamini-Hochberg across the rows",
        "dossiers": "exact counts and rates from the dossier statistics",
        "small_n": f"a group of fewer than {SMALL_N} respondents shows n only, as do the "
                   "groups hidden beside it so that none follows from the others",
    }}


def _row(group, level, year, tables, dossier, procedures, names, benchmark) -> dict:
    whole, split = tables
    k, n, hidden = _cell(whole, (group, level, year))
    k0, n0, hidden0 = _cell(whole, (group, level, year - 1))
    row = {"procedure_group": group, "name_vi": names.get(group, group), "level": level,
           "procedures": procedures.get((group, level), 0), "survey_n": n, "satisfied": k,
           "suppressed": hidden, "share": None, "ci_low": None, "ci_high": None,
           "benchmark_lower": None, "meets_benchmark": None, "verdict": None,
           "previous_n": n0,
           "previous_share": None, "delta": None, "delta_ci_low": None, "delta_ci_high": None,
           "p_value": None, "p_adjusted": None, "significant": None}
    resolved = dossier["resolved"] if dossier else 0
    row.update(
        received=dossier["received"] if dossier else None,
        resolved=resolved if dossier else None,
        late=dossier["resolved_late"] if dossier else None,
        on_time_rate=((dossier["resolved_early"] + dossier["resolved_on_time"]) / resolved)
        if dossier and resolved else None,
    )
    for rtype in ("individual", "organisation"):
        kt, nt, _ = _cell(split, (group, level, rtype, year))
        row[f"{rtype}_n"] = nt
        row[f"{rtype}_share"] = kt / nt if nt and kt is not None else None
    if n and k is not None:
        ci = analysis.wilson_interval(k, n, CONFIDENCE)
        test = analysis.benchmark_test(k, n, benchmark, CONFIDENCE)
        row.update(share=k / n, ci_low=ci.ci_low, ci_high=ci.ci_high,
                   benchmark_lower=test.ci_low, meets_benchmark=test.meets_benchmark,
                   verdict=analysis.benchmark_verdict(test.ci_low, ci.ci_high, benchmark))
        if n0 and k0 is not None:
            change = analysis.proportion_change(k0, n0, k, n, CONFIDENCE)
            row.update(previous_share=k0 / n0, delta=change.difference,
                       delta_ci_low=change.ci_low, delta_ci_high=change.ci_high,
                       p_value=change.p_value)
    return row


def _significance(rows: list[dict]) -> None:
    tested = [r for r in rows if r["p_value"] is not None]
    if not tested:
        return
    adjusted = analysis.adjust_pvalues([r["p_value"] for r in tested], method="bh")
    for row, p, rejected in zip(tested, adjusted.adjusted, adjusted.rejected, strict=True):
        row["p_adjusted"], row["significant"] = float(p), bool(rejected)
