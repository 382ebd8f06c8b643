"""Sections and items of a draft: add, edit, move, delete; and the phone and kiosk previews."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

import questionnaires as qn
from survey.access import page_requires
from survey.admin.forms import options
from survey.collect.forms import FACES, build_form
from survey.design import bp
from survey.design.forms import EmptyForm, ItemForm, SectionForm
from survey.design.views import actor, after_edit, checked_form, row_or_404
from survey.extensions import db
from survey.i18n import current_lang
from survey.services import designer
from survey.services import questionnaires as qservice
from survey.services.designer import edit
from survey.services.designer.edit import MAX_CONDITIONS


def _draft(row) -> dict:
    return row.draft or designer.blank(row.code, row.kind, row.title_vi, row.title_en)


def _apply(row, change, action: str, old: object, new: object):
    try:
        draft = change(_draft(row))
    except IndexError:
        abort(404)
    checked = designer.store(row, draft, actor(), action, old, new)
    db.session.commit()
    return after_edit(row, checked)


def _lookup(getter, *args):
    try:
        return getter(*args)
    except IndexError:
        abort(404)


@bp.route("/<code>/sections/new", methods=["GET", "POST"], defaults={"s": None})
@bp.route("/<code>/sections/<int:s>", methods=["GET", "POST"])
@page_requires("design")
def section(code: str, s: int | None):
    row = row_or_404(code)
    draft = _draft(row)
    current = _lookup(edit.section_at, draft, s) if s is not None else None
    form = SectionForm()
    if checked_form(form):
        return _apply(row, lambda d: edit.put_section(
            d, s, form.code.data, form.title_vi.data, form.title_en.data),
            "edit_section" if current else "add_section", current,
            {"code": form.code.data, "title": {"vi": form.title_vi.data,
                                               "en": form.title_en.data}})
    if current is not None:
        form.code.data = current.get("code", "")
        form.title_vi.data = (current.get("title") or {}).get("vi", "")
        form.title_en.data = (current.get("title") or {}).get("en", "")
    return render_template("design/section.html", row=row, form=form, s=s)


@bp.post("/<code>/sections/<int:s>/<any(up, down, delete):op>")
@page_requires("design")
def section_op(code: str, s: int, op: str):
    row = row_or_404(code)
    if not checked_form(EmptyForm()):
        abort(400)
    old = _lookup(edit.section_at, _draft(row), s)
    if op == "delete":
        return _apply(row, lambda d: edit.delete_section(d, s), "delete_section", old, None)
    delta = -1 if op == "up" else 1
    return _apply(row, lambda d: edit.move_section(d, s, delta), "move_section",
                  {"section": old.get("code"), "position": s}, {"position": s + delta})


def _earlier(draft: dict, s: int, i: int | None) -> list[dict]:
    return [it for it in edit.earlier_items(draft, s, i) if it.get("code")]


def _fill(form: ItemForm, item: dict) -> None:
    def text(key: str, lang: str) -> str:
        return (item.get(key) or {}).get(lang, "")

    form.code.data, form.type.data = item.get("code", ""), item.get("type", "likert5")
    form.label_vi.data, form.label_en.data = text("label", "vi"), text("label", "en")
    form.help_vi.data, form.help_en.data = text("help", "vi"), text("help", "en")
    for key in ("required", "overall", "respondent_type"):
        getattr(form, key).data = bool(item.get(key))
    form.no_answer.data = bool(item.get("no_answer"))
    for key in ("element", "demographic", "min", "max", "max_length"):
        getattr(form, key).data = "" if item.get(key) is None else str(item[key])
    form.choices.data = edit.choices_text(item)
    join, rows, _simple = edit.rows_from_show_if(item.get("show_if"))
    form.cond_join.data = join
    for n, (target, op, value) in enumerate(rows[:MAX_CONDITIONS]):
        form[f"cond_item_{n}"].data, form[f"cond_op_{n}"].data = target, op
        form[f"cond_value_{n}"].data = value


def _item_from(form: ItemForm, earlier: list[dict], old: dict | None) -> dict:
    types = {it["code"]: it.get("type", "") for it in earlier}
    rows = [(form[f"cond_item_{n}"].data or "", form[f"cond_op_{n}"].data or "",
             form[f"cond_value_{n}"].data or "") for n in range(MAX_CONDITIONS)]
    show_if = edit.show_if_from_rows(form.cond_join.data, rows, types)
    simple = edit.rows_from_show_if((old or {}).get("show_if"))[2]
    if not simple and not any(r[0] for r in rows):
        show_if = old.get("show_if")  # a condition deeper than the menus is kept as written
    fields = {name: form[name].data for name in form._fields if name != "csrf_token"}
    return edit.item_from_fields(fields, show_if)


@bp.route("/<code>/sections/<int:s>/items/new", methods=["GET", "POST"],
          defaults={"i": None})
@bp.route("/<code>/sections/<int:s>/items/<int:i>", methods=["GET", "POST"])
@page_requires("design")
def item(code: str, s: int, i: int | None):
    row = row_or_404(code)
    draft = _draft(row)
    _lookup(edit.section_at, draft, s)
    old = _lookup(edit.item_at, draft, s, i) if i is not None else None
    earlier = _earlier(draft, s, i)
    form = ItemForm()
    choices = options([("", "—")] + [(it["code"], it["code"]) for it in earlier])
    for n in range(MAX_CONDITIONS):
        form[f"cond_item_{n}"].choices = choices
    if checked_form(form):
        new = _item_from(form, earlier, old)
        response = _apply(row, lambda d: edit.put_item(d, s, i, new),
                          "edit_item" if old else "add_item", old, new)
        if request.headers.get("X-Fragment") or i is not None or not new.get("code"):
            return response
        # a new item: stay on it, so its problems are shown beside its fields
        position = len(edit.section_at(row.draft, s).get("items", [])) - 1
        return _redirect_item(code, s, position)
    if old is not None:
        _fill(form, old)
    elif request.args.get("type") in qn.TYPES:
        form.type.data = request.args["type"]
    errors = designer.check(row.draft).by_field(old.get("code", ""), current_lang()) if old else {}
    return render_template("design/item.html", row=row, form=form, s=s, i=i, errors=errors,
                           published=_published(row, old),
                           earlier=earlier, types=qn.TYPES, max_conditions=MAX_CONDITIONS,
                           complex=old is not None and not edit.rows_from_show_if(
                               old.get("show_if"))[2])


def _published(row, old: dict | None):
    """The item as the latest version asks it (its code kept), for the wording hint."""
    latest = qservice.latest_version(row)
    if old is None or latest is None:
        return None
    found = [it for it in qservice.definition_of(latest).items if it.code == old.get("code")]
    return found[0] if found else None


def _redirect_item(code: str, s: int, i: int):
    return redirect(url_for("design.item", code=code, s=s, i=i))


@bp.post("/<code>/sections/<int:s>/items/<int:i>/<any(up, down, delete):op>")
@page_requires("design")
def item_op(code: str, s: int, i: int, op: str):
    row = row_or_404(code)
    if not checked_form(EmptyForm()):
        abort(400)
    old = _lookup(edit.item_at, _draft(row), s, i)
    if op == "delete":
        return _apply(row, lambda d: edit.delete_item(d, s, i), "delete_item", old, None)
    delta = -1 if op == "up" else 1
    return _apply(row, lambda d: edit.move_item(d, s, i, delta), "move_item",
                  {"item": old.get("code"), "section": s, "position": i},
                  {"direction": op})


@bp.get("/<code>/preview/<any(phone, kiosk):mode>")
@page_requires("design")
def preview(code: str, mode: str):
    row = row_or_404(code)
    checked = designer.check(row.draft)
    if checked.definition is None:
        return render_template("design/preview.html", row=row, mode=mode, definition=None,
                               problems=checked.problems, lang=current_lang()), 422
    view_lang = request.args.get("lang") if request.args.get("lang") in ("vi", "en") else "vi"
    definition = checked.definition
    form = build_form(definition.items, view_lang, formdata=None)
    return render_template("design/preview.html", row=row, mode=mode, definition=definition,
                           form=form, lang=view_lang, faces=FACES, problems=[])
