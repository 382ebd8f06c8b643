"""The council's appendix: one row per procedure group and administrative level for a year.

Dossier figures (exact) sit beside the sample survey (with its intervals), never mixed: the
survey columns come from responses, the dossier columns from the dossier statistics.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sqlalchemy import func, select

import analysis
from survey.extensions import db
from survey.models import Procedure, ProcedureGroup
from survey.services.reporting.cells import References, fetch_cells
from survey.services.reporting.indices import CONFIDENCE, SMALL_N
from survey.services.reporting.records import records
from survey.services.reporting.scope import Grouping, Measure, Scope

# Departments work at the province level of the procedure catalogue.
ADMIN_LEVEL = {"province": "province", "department": "province", "district": "district",
               "commune": "commune"}
LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2}


def _procedure_counts() -> dict[tuple[str, str], int]:
    rows = db.session.execute(
        select(ProcedureGroup.code, Procedure.level, func.count(Procedure.id))
        .join(ProcedureGroup, Procedure.group_id == ProcedureGroup.id)
        .group_by(ProcedureGroup.code, Procedure.level)).all()
    return {(group, level): n for group, level, n in rows}


def _survey_tables(scope: Scope, year: int, refs: References) -> dict:
    """counts[(group, admin level, respondent type, year)] over `year` and the year before."""
    window = Scope(**{**scope.__dict__, "year_from": year - 1, "year_to": year})
    cells = fetch_cells(window, Grouping(("procedure_group", "level", "respondent_type",
                                          "year")), Measure("overall"), refs)
    folded: dict[tuple, np.ndarray] = defaultdict(lambda: np.zeros(cells.points, dtype=int))
    for (group, level, rtype, y), counts in cells.counts.items():
        if group is not None:
            folded[(group, ADMIN_LEVEL[level], rtype, y)] += counts
    return folded


def _sum(tables: dict, group: str, level: str, year: int, rtype: str | None = None):
    total = np.zeros(5, dtype=int)
    for (g, lv, t, y), counts in tables.items():
        if (g, lv, y) == (group, level, year) and (rtype is None or t == rtype):
            total = total + counts
    return int(total[3:].sum()), int(total.sum())


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
    keys = sorted({k[:2] for k in tables if k[3] == year} | set(dossiers),
                  key=lambda k: (str(k[0]), LEVEL_ORDER.get(k[1], 9)))
    rows = [_row(group, level, year, tables, dossiers.get((group, level)), procedures, names,
                 benchmark) for group, level in keys]
    _significance(rows)
    return {"year": year, "benchmark": benchmark, "rows": rows, "method": {
        "survey": "overall item, % answering 4-5; Wilson 95% interval; exact one-sided test "
                  "against the benchmark; change vs the previous year with the Newcombe "
                  "interval and the z-test, Benjamini-Hochberg across the rows",
        "dossiers": "exact counts and rates from the dossier statistics",
        "small_n": f"survey share hidden when n < {SMALL_N}",
    }}


def _row(group, level, year, tables, dossier, procedures, names, benchmark) -> dict:
    k, n = _sum(tables, group, level, year)
    k0, n0 = _sum(tables, group, level, year - 1)
    row = {"procedure_group": group, "name_vi": names.get(group, group), "level": level,
           "procedures": procedures.get((group, level), 0), "survey_n": n, "satisfied": k,
           "share": None, "ci_low": None, "ci_high": None, "benchmark_lower": None,
           "meets_benchmark": None, "previous_n": n0, "previous_share": None, "delta": None,
           "delta_ci_low": None, "delta_ci_high": None, "p_value": None, "p_adjusted": None,
           "significant": None}
    resolved = dossier["resolved"] if dossier else 0
    row.update(
        received=dossier["received"] if dossier else None,
        resolved=resolved if dossier else None,
        late=dossier["resolved_late"] if dossier else None,
        on_time_rate=((dossier["resolved_early"] + dossier["resolved_on_time"]) / resolved)
        if dossier and resolved else None,
    )
    for rtype in ("individual", "organisation"):
        kt, nt = _sum(tables, group, level, year, rtype)
        row[f"{rtype}_n"] = nt
        row[f"{rtype}_share"] = kt / nt if nt >= SMALL_N else None
    if n >= SMALL_N:
        ci = analysis.wilson_interval(k, n, CONFIDENCE)
        test = analysis.benchmark_test(k, n, benchmark, CONFIDENCE)
        row.update(share=k / n, ci_low=ci.ci_low, ci_high=ci.ci_high,
                   benchmark_lower=test.ci_low, meets_benchmark=test.meets_benchmark)
    if n >= SMALL_N and n0 >= SMALL_N:
        change = analysis.proportion_change(k0, n0, k, n, CONFIDENCE)
        row.update(previous_share=k0 / n0, delta=change.difference, delta_ci_low=change.ci_low,
                   delta_ci_high=change.ci_high, p_value=change.p_value)
    return row


def _significance(rows: list[dict]) -> None:
    tested = [r for r in rows if r["p_value"] is not None]
    if not tested:
        return
    adjusted = analysis.adjust_pvalues([r["p_value"] for r in tested], method="bh")
    for row, p, rejected in zip(tested, adjusted.adjusted, adjusted.rejected, strict=True):
        row["p_adjusted"], row["significant"] = float(p), bool(rejected)
