"""Pure edits of a draft dict: sections and items added, changed, moved and deleted.

Every function returns a new dict (the JSON column only notices a new value) and never
validates: a half-finished item is kept as typed and `designer.store` reports what is wrong.
"""

from __future__ import annotations

import copy
import re

import questionnaires as qn

MAX_CONDITIONS = 3  # rows of the show_if menus; deeper logic stays as it was written
OPERATOR_CHOICES = ("equals", "not_equals", "in", "not_in", "less", "greater", "answered")


def _sections(draft: dict) -> list[dict]:
    sections = draft.setdefault("sections", [])
    return sections if isinstance(sections, list) else []


def section_at(draft: dict, s: int) -> dict:
    sections = _sections(draft)
    if not 0 <= s < len(sections) or not isinstance(sections[s], dict):
        raise IndexError(f"no section {s}")
    return sections[s]


def item_at(draft: dict, s: int, i: int) -> dict:
    items = section_at(draft, s).setdefault("items", [])
    if not 0 <= i < len(items):
        raise IndexError(f"no item {i} in section {s}")
    return items[i]


def _text(vi: str | None, en: str | None) -> dict:
    vi, en = (vi or "").strip(), (en or "").strip()
    return {"vi": vi, "en": en} if en else {"vi": vi}


def set_meta(draft: dict, title_vi: str, title_en: str, intro_vi: str, intro_en: str,
             service_areas: list[str] | None = None) -> dict:
    """Title, introduction and (when given) the service areas; an empty list clears them."""
    new = copy.deepcopy(draft)
    new["title"] = _text(title_vi, title_en)
    if (intro_vi or "").strip() or (intro_en or "").strip():
        new["intro"] = _text(intro_vi, intro_en)
    else:
        new.pop("intro", None)
    if service_areas is not None:
        areas = list(dict.fromkeys(a.strip() for a in service_areas if a and a.strip()))
        if areas:
            new["service_areas"] = areas
        else:
            new.pop("service_areas", None)
    return new


def put_section(draft: dict, s: int | None, code: str, title_vi: str, title_en: str) -> dict:
    """Add a section at the end (``s`` None) or change section ``s``."""
    new = copy.deepcopy(draft)
    code = (code or "").strip()
    if s is None:
        _sections(new).append({"code": code, "title": _text(title_vi, title_en),
                               "items": []})
    else:
        section = section_at(new, s)
        section.update(code=code, title=_text(title_vi, title_en))
    return new


def delete_section(draft: dict, s: int) -> dict:
    new = copy.deepcopy(draft)
    section_at(new, s)
    del _sections(new)[s]
    return new


def move_section(draft: dict, s: int, delta: int) -> dict:
    new = copy.deepcopy(draft)
    sections = _sections(new)
    section_at(new, s)
    target = s + delta
    if 0 <= target < len(sections):
        sections[s], sections[target] = sections[target], sections[s]
    return new


def put_item(draft: dict, s: int, i: int | None, item: dict) -> dict:
    """Add an item at the end of section ``s`` (``i`` None) or replace item ``i``."""
    new = copy.deepcopy(draft)
    items = section_at(new, s).setdefault("items", [])
    if i is None:
        items.append(item)
    else:
        item_at(new, s, i)
        items[i] = item
    return new


def delete_item(draft: dict, s: int, i: int) -> dict:
    new = copy.deepcopy(draft)
    item_at(new, s, i)
    del section_at(new, s)["items"][i]
    return new


def move_item(draft: dict, s: int, i: int, delta: int) -> dict:
    """Move an item up or down; past the end of its section it joins the next one."""
    new = copy.deepcopy(draft)
    item = item_at(new, s, i)
    items = section_at(new, s)["items"]
    target = i + delta
    if 0 <= target < len(items):
        items[i], items[target] = items[target], items[i]
    elif 0 <= s + delta < len(_sections(new)):
        del items[i]
        other = section_at(new, s + delta).setdefault("items", [])
        other.insert(len(other) if delta < 0 else 0, item)
    return new


def earlier_items(draft: dict, s: int, i: int | None) -> list[dict]:
    """The items before position (s, i): the only ones a show_if may refer to."""
    out = []
    for si, section in enumerate(_sections(draft)):
        for ii, item in enumerate(section.get("items") or []):
            if (si, ii) >= (s, i if i is not None else 10**9):
                return out
            if isinstance(item, dict):
                out.append(item)
    return out


# --- form fields <-> item dict ---------------------------------------------------------------


def _int_or_text(text: str) -> int | str:
    text = text.strip()
    return int(text) if re.fullmatch(r"-?\d{1,18}", text) else text


def _choices(text: str) -> list[dict]:
    """``code | Vietnamese | English`` per line."""
    choices = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")] + ["", ""]
        choices.append({"code": parts[0], "label": _text(parts[1], parts[2])})
    return choices


def choices_text(item: dict) -> str:
    return "\n".join(
        " | ".join(filter(None, [str(c.get("code", "")), c.get("label", {}).get("vi", ""),
                                 c.get("label", {}).get("en", "")]))
        for c in item.get("choices") or [] if isinstance(c, dict))


def _condition_value(op: str, raw: str, target_type: str | None) -> object:
    numeric = target_type is not None and qn.TYPES.get(target_type) is not None and \
        qn.TYPES[target_type].storage == "int"
    if op == "answered":
        return raw.strip().lower() not in ("false", "no", "0", "không")
    if op in ("in", "not_in"):
        parts = [p for p in re.split(r"[,\s]+", raw) if p]
        return [_int_or_text(p) if numeric else p for p in parts]
    return _int_or_text(raw) if numeric or op in ("less", "greater") else raw.strip()


def show_if_from_rows(join: str, rows: list[tuple[str, str, str]],
                      types: dict[str, str]) -> dict | None:
    """A show_if dict from the menu rows (item, operator, value); empty rows are skipped."""
    leaves = [{"item": item, op: _condition_value(op, value or "", types.get(item))}
              for item, op, value in rows if item and op]
    if not leaves:
        return None
    return leaves[0] if len(leaves) == 1 else {join if join in ("all", "any") else "all": leaves}


def rows_from_show_if(cond: dict | None) -> tuple[str, list[tuple[str, str, str]], bool]:
    """(join, rows, simple): simple is False when the condition is deeper than the menus."""
    if not cond:
        return "all", [], True
    join = next((g for g in ("all", "any") if g in cond), None)
    leaves = cond[join] if join else [cond]
    rows = []
    for leaf in leaves:
        op = next((k for k in leaf if k in OPERATOR_CHOICES), None) if isinstance(leaf, dict) \
            else None
        if op is None or "item" not in leaf:
            return join or "all", [], False
        value = leaf[op]
        text = ", ".join(map(str, value)) if isinstance(value, list) else (
            ("true" if value else "false") if isinstance(value, bool) else str(value))
        rows.append((leaf["item"], op, text))
    return join or "all", rows, len(rows) <= MAX_CONDITIONS


def item_from_fields(f: dict, show_if: dict | None) -> dict:
    """An item dict from the editor's fields (strings and booleans), keys as authors write."""
    f = {k: ("" if v is None else v) for k, v in f.items()}
    item: dict = {"code": f.get("code", "").strip(), "type": f.get("type", "")}
    item["label"] = _text(f.get("label_vi", ""), f.get("label_en", ""))
    if f.get("help_vi", "").strip() or f.get("help_en", "").strip():
        item["help"] = _text(f.get("help_vi", ""), f.get("help_en", ""))
    for flag in ("required", "overall", "respondent_type", "no_answer"):
        if f.get(flag):
            item[flag] = True
    for key in ("element", "demographic"):
        if f.get(key, "").strip():
            item[key] = f[key].strip()
    kind = qn.TYPES.get(item["type"])
    options = kind.options if kind else frozenset()
    if "choices" in options:
        item["choices"] = _choices(f.get("choices", ""))
    for key in ("min", "max", "max_length"):
        if key in options and str(f.get(key, "")).strip():
            item[key] = _int_or_text(str(f[key]))
    if show_if:
        item["show_if"] = show_if
    return item
