"""Per-dossier ratings (apart from the survey), the cross-tab view, and open-text comments."""

from __future__ import annotations

from dataclasses import replace

from flask import render_template, request
from flask_babel import gettext as _

import analysis
from survey.access import page_requires
from survey.dashboard import bp, charts, labels
from survey.dashboard.filters import SERIES, choice, current_filters, form_options
from survey.errors import BadParameterPage
from survey.services import reporting
from survey.services.reporting import Grouping, Measure, ScopeError
from survey.services.reporting.comments import comment_page
from survey.services.reporting.crosstab import (
    RESPONSE_DIMENSIONS,
    categorical_items,
    crosstab_report,
)
from survey.services.reporting.suppression import protected_cells


@bp.get("/ratings")
@page_requires("analyse")
def ratings():
    """Self-selected kiosk ratings: counts and percentages only, never pooled or tested."""
    filters = current_filters(SERIES)
    scope = replace(filters.scope, stream="dossier_rating")
    # A year the API would suppress shows its n only here too (docs/METHODOLOGY.md §6).
    table = protected_cells(scope, Grouping(("year",)), Measure("overall"),
                            reporting.References.load())
    years = sorted(k[0] for k in table.cells.counts)
    rows = [(year, analysis.rating_summary(table.cells.counts[(year,)]),
             table.is_hidden((year,))) for year in years]
    level_labels = (_("Dissatisfied"), _("Satisfied"), _("Very satisfied"))
    shown = [(year, s) for year, s, hidden in rows if not hidden]
    figure = charts.ratings_figure(
        [y for y, _s in shown], [tuple(p or 0 for p in s.percentages) for _y, s in shown],
        level_labels)
    return render_template("dashboard/ratings.html", filters=filters, options=form_options(),
                           rows=rows, figure=figure, level_labels=level_labels,
                           title=_("Per-dossier ratings"),
                           n_total=sum(s.n for _y, s, _h in rows))


@bp.get("/crosstab")
@page_requires("analyse")
def crosstab():
    filters = current_filters(SERIES)
    items = categorical_items()
    codes = [code for code, _kind in items]
    row = choice("row", codes, "sex" if "sex" in codes else codes[0] if codes else "")
    column = choice("column", [*RESPONSE_DIMENSIONS, *codes], "year")
    report = None
    if row:
        try:
            report = crosstab_report(filters.scope, row, column)
        except ScopeError as error:
            raise BadParameterPage(error.parameter, _("choose two different variables.")
                                   if column == row else str(error)) from error
    item_words = labels.item_labels()
    shown = report or {"rows": [], "columns": []}
    return render_template("dashboard/crosstab.html", filters=filters, options=form_options(),
                           items=items, dimensions=list(RESPONSE_DIMENSIONS), row=row,
                           column=column, report=report, title=_("Cross-tabulation"),
                           item_words=item_words,
                           row_values=_value_words(row, shown["rows"], item_words),
                           column_values=_value_words(column, shown["columns"], item_words))


def _value_words(variable: str, values: list[str], item_words: dict) -> dict[str, str]:
    """Each value of a cross-tab variable in words: an item's answer labels, or a response
    dimension's names (a year stays a number)."""
    if variable in item_words:
        words = item_words[variable][1]
        return {v: words.get(v, v) for v in values}
    return {v: labels.dimension_value(variable, v) for v in values}


@bp.get("/comments")
@page_requires("analyse")
def comments():
    filters = current_filters(SERIES)
    query = request.args.get("q", "")[:200]
    # keyset pages: the key of the comment a page starts after (older) or ends before (newer);
    # a malformed key is the first page
    page = comment_page(filters.scope, query, after=request.args.get("after", "")[:120],
                        before=request.args.get("before", "")[:120])
    return render_template("dashboard/comments.html", filters=filters, options=form_options(),
                           query=query, found=page.comments, older=page.older,
                           newer=page.newer, unit_words=labels.unit_names(),
                           item_words={c: w[0] for c, w in labels.item_labels().items()},
                           title=_("Open-text comments"))
