"""The audit log page and its CSV export."""

from __future__ import annotations

from flask import Response, render_template, request

from survey.access import page_requires
from survey.admin import audit_words, bp
from survey.admin.forms import AuditFilterForm, options
from survey.services.audit import log as audit_log

PAGE_SIZE = 100


def _filter() -> tuple[AuditFilterForm, audit_log.AuditFilter]:
    form = AuditFilterForm(request.args)
    form.entity_type.choices = options(
        [("", "—")] + [(t, audit_words.entity_label(t)) for t in audit_log.entity_types()])
    form.validate()
    return form, audit_log.AuditFilter(
        entity_type=form.entity_type.data or "", actor=(form.actor.data or "").strip(),
        key=(form.key.data or "").strip(),
        since=form.since.data if not form.since.errors else None,
        until=form.until.data if not form.until.errors else None)


@bp.get("/audit")
@page_requires("view_audit")
def audit():
    form, selection = _filter()
    page = max(request.args.get("page", 1, type=int), 1)
    rows = audit_log.entries(selection, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("admin/audit.html", form=form, rows=rows[:PAGE_SIZE], page=page,
                           more=len(rows) > PAGE_SIZE, args=args, words=audit_words)


@bp.get("/audit.csv")
@page_requires("view_audit")
def audit_csv():
    _, selection = _filter()
    return Response(audit_log.to_csv(selection), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})
