"""Recording what happened to a unit: merge, split, rename, move, abolish (docs/METHODOLOGY.md
§10). `record_event` takes plain data, checks it against the units as they are, writes the
event, applies it to the unit (its end, its names, its parent and the paths under it), carries
what was attached to the unit when the event is in effect (`attached`), and audits each change.

Every refusal is an `EventError` naming the field at fault (the CSV import maps fields to its
columns, the admin form to its inputs) with its message in Vietnamese and English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from survey.extensions import db
from survey.models import Unit, UnitEvent, UnitEventSuccessor
from survey.models.units import UNIT_EVENT_KINDS
from survey.services import audit
from survey.services.lineage import attached
from survey.services.lineage.dates import day_text, local_today
from survey.services.units import _refresh_paths

ENDING_KINDS = ("merge", "split", "abolish")
# The kinds as the Vietnamese messages name them (the file's code follows in brackets).
KIND_VI = {"merge": "sáp nhập (merge)", "split": "chia tách (split)", "rename": "đổi tên (rename)",
           "move": "chuyển đơn vị cấp trên (move)", "abolish": "giải thể (abolish)"}
SHARE_TOLERANCE = 1e-6  # a split's shares come from typed text (0.333): they add up to 1 within it

MESSAGES = {  # code: (English, Vietnamese)
    "required": ("required", "bắt buộc"),
    "unknown_unit": ("unknown unit {code!r}", "không có đơn vị {code!r}"),
    "kind": ("{value!r} is not one of merge, split, rename, move, abolish",
             "{value!r} không phải một trong merge, split, rename, move, abolish"),
    "not_born": ("{code} did not exist yet on {day} (it exists from {start})",
                 "{code} chưa tồn tại vào ngày {day} (đơn vị có từ ngày {start})"),
    "ended": ("{code} no longer existed on {day} (it ended on {end})",
              "{code} không còn tồn tại vào ngày {day} (đã chấm dứt từ ngày {end})"),
    "later_event": ("{code} has a later event ({kind} on {day}): record a unit's events in "
                    "date order", "{code} đã có sự kiện sau ngày này ({kind} ngày {day}): hãy "
                    "ghi các sự kiện của một đơn vị theo thứ tự ngày"),
    "duplicate": ("{code} already has a {kind} on {day}",
                  "{code} đã có sự kiện {kind} vào ngày {day}"),
    "no_successor": ("a {kind} needs its successor(s)", "sự kiện {kind} cần đơn vị kế thừa"),
    "merge_one": ("a merge has exactly one successor, with share 1",
                  "sáp nhập có đúng một đơn vị kế thừa, tỷ lệ 1"),
    "split_two": ("a split has at least two successors",
                  "chia tách có ít nhất hai đơn vị kế thừa"),
    "no_successors_here": ("a {kind} has no successors", "sự kiện {kind} không có đơn vị kế thừa"),
    "share_range": ("the share of {code} is {share}: a share is more than 0 and at most 1",
                    "tỷ lệ của {code} là {share}: tỷ lệ phải lớn hơn 0 và không quá 1"),
    "share_sum": ("the shares add up to {total}, not 1", "tổng các tỷ lệ là {total}, không phải 1"),
    "repeated": ("{code} is named twice", "{code} được ghi hai lần"),
    "successor_not_alive": ("successor {code} does not exist on {day}: create it first, born "
                            "that day at the latest",
                            "đơn vị kế thừa {code} không tồn tại vào ngày {day}: hãy tạo đơn vị "
                            "trước, có hiệu lực muộn nhất từ ngày đó"),
    "into_itself": ("a unit cannot merge into itself",
                    "một đơn vị không thể sáp nhập vào chính nó"),
    "parent_only_move": ("only a move has a new parent",
                         "chỉ sự kiện chuyển đơn vị cấp trên (move) có đơn vị cấp trên mới"),
    "names_only_rename": ("only a rename has new names",
                          "chỉ sự kiện đổi tên (rename) có tên mới"),
    "same_parent": ("{code} is already under {parent}", "{code} đã thuộc {parent}"),
    "cycle": ("{parent} is {code} or lies under it: the move would make a cycle",
              "{parent} là {code} hoặc nằm dưới nó: việc chuyển sẽ tạo vòng lặp"),
    "parent_not_alive": ("the new parent {code} does not exist on {day}",
                         "đơn vị cấp trên mới {code} không tồn tại vào ngày {day}"),
    "same_names": ("the new names are the unit's names already",
                   "tên mới trùng với tên hiện tại của đơn vị"),
    "live_children": ("{code} still holds {children} on {day}: move, merge or abolish them "
                      "first (or in the same file)",
                      "{code} vẫn còn đơn vị trực thuộc {children} vào ngày {day}: hãy chuyển, "
                      "sáp nhập hoặc giải thể chúng trước (hoặc trong cùng tệp)"),
    "carry_kind": ("only a split or an abolition chooses where its kiosks and officers go",
                   "chỉ chia tách hoặc giải thể mới chọn nơi chuyển kiosk và cán bộ"),
    "carry_not_successor": ("{code} is not one of the split's successors",
                            "{code} không phải đơn vị kế thừa của việc chia tách"),
    "carry_self": ("the kiosks and officers of {code} cannot go to {code} itself",
                   "kiosk và cán bộ của {code} không thể chuyển cho chính {code}"),
    "too_long": ("at most {most} characters", "tối đa {most} ký tự"),
    "nothing_to_undo": ("{code} has no recorded event", "{code} chưa có sự kiện nào được ghi"),
}


class EventError(ValueError):
    """The event cannot be recorded; `field` names what is at fault (unit, kind, effective,
    decision_number, successors, new_parent, new_name_vi, carry_to)."""

    def __init__(self, field: str, problem: str, /, **params):
        self.field = field
        self.problem = problem  # the key of MESSAGES
        self.params = params
        super().__init__(f"{field}: {self.message('en')}")

    def message(self, lang: str = "en") -> str:
        english, vietnamese = MESSAGES[self.problem]
        if lang != "vi":
            return english.format(**self.params)
        params = dict(self.params)
        if params.get("kind") in KIND_VI:
            params["kind"] = KIND_VI[params["kind"]]
        return vietnamese.format(**params)


@dataclass(frozen=True, slots=True)
class EventInput:
    """An event as a person states it: codes and plain values."""

    unit_code: str
    kind: str
    effective: date
    decision_number: str
    decision_date: date | None = None
    successors: tuple[tuple[str, float], ...] = ()  # (unit code, share)
    new_parent_code: str = ""
    new_name_vi: str = ""
    new_name_en: str = ""
    note: str = ""
    # Where the unit's kiosks, desks, tokens and officers go (a split: one of its successors,
    # by default the largest share; an abolition: any unit, by default none).
    carry_to: str = ""


@dataclass(frozen=True, slots=True)
class Recorded:
    event: UnitEvent
    carried: attached.Carried | None  # None: the event is not in effect yet


def _unit(code: str, field: str) -> Unit:
    unit = db.session.execute(db.select(Unit).filter_by(code=code)).scalar_one_or_none()
    if unit is None:
        raise EventError(field, "unknown_unit", code=code)
    return unit


def _alive(unit: Unit, day: date, field: str, code: str) -> None:
    if not unit.exists_on(day):
        raise EventError(field, code, code=unit.code, day=day_text(day))


def record_event(data: EventInput, actor: str, today: date | None = None) -> Recorded:
    """Check `data`, write the event, apply it; EventError names the first problem."""
    today = today or local_today()
    unit, successors, new_parent, carry_to = _check(data, today)
    event = UnitEvent(unit=unit, kind=data.kind, effective=data.effective,
                      decision_number=data.decision_number.strip(),
                      decision_date=data.decision_date, note=data.note.strip(),
                      created_by=actor[:100])
    for successor, share in successors:
        event.successors.append(UnitEventSuccessor(unit=successor, share=share))
    db.session.add(event)
    _apply(event, unit, new_parent, data)
    db.session.flush()
    audit.record(actor, data.kind, "unit", unit.code, old=_old_values(event),
                 new=_new_values(event, data))
    carried = None
    if data.effective <= today:
        carried = attached.carry(event, carry_to, actor)
    return Recorded(event, carried)


def _check(data: EventInput, today: date):
    if not data.unit_code:
        raise EventError("unit", "required")
    unit = _unit(data.unit_code, "unit")
    if data.kind not in UNIT_EVENT_KINDS:
        raise EventError("kind", "kind", value=data.kind)
    if not data.decision_number.strip():
        raise EventError("decision_number", "required")
    if len(data.decision_number.strip()) > 100:
        raise EventError("decision_number", "too_long", most=100)
    if len(data.note.strip()) > 500:
        raise EventError("note", "too_long", most=500)
    day = data.effective
    _check_order(unit, data)
    if unit.valid_from is not None and day < unit.valid_from:
        raise EventError("effective", "not_born", code=unit.code, day=day_text(day),
                         start=day_text(unit.valid_from))
    if unit.valid_to is not None and day >= unit.valid_to:
        raise EventError("effective", "ended", code=unit.code, day=day_text(day),
                         end=day_text(unit.valid_to))
    successors = _check_successors(unit, data)
    new_parent = _check_move(unit, data)
    _check_rename(unit, data)
    if data.kind in ENDING_KINDS and all(s is not unit for s, _ in successors):
        _check_no_live_children(unit, day)
    carry_to = _check_carry(unit, data, successors, today)
    return unit, successors, new_parent, carry_to


def _check_order(unit: Unit, data: EventInput) -> None:
    events = db.session.execute(
        db.select(UnitEvent).filter_by(unit_id=unit.id).order_by(UnitEvent.effective)
    ).scalars().all()
    for event in events:
        if event.kind == data.kind and event.effective == data.effective:
            raise EventError("effective", "duplicate", code=unit.code, kind=data.kind,
                             day=day_text(data.effective))
    later = [e for e in events if e.effective > data.effective]
    if later:
        raise EventError("effective", "later_event", code=unit.code, kind=later[0].kind,
                         day=day_text(later[0].effective))


def _check_successors(unit: Unit, data: EventInput) -> list[tuple[Unit, float]]:
    kind, day = data.kind, data.effective
    if kind in ("rename", "move", "abolish"):
        if data.successors:
            raise EventError("successors", "no_successors_here", kind=kind)
        return []
    if not data.successors:
        raise EventError("successors", "no_successor", kind=kind)
    found: list[tuple[Unit, float]] = []
    seen: set[str] = set()
    for code, share in data.successors:
        if code in seen:
            raise EventError("successors", "repeated", code=code)
        seen.add(code)
        successor = _unit(code, "successors")
        if not (0 < share <= 1):
            raise EventError("successors", "share_range", code=code, share=share)
        if successor is not unit:
            _alive(successor, day, "successors", "successor_not_alive")
        found.append((successor, float(share)))
    if kind == "merge":
        if len(found) != 1 or found[0][1] != 1:
            raise EventError("successors", "merge_one")
        if found[0][0] is unit:
            raise EventError("successors", "into_itself")
    elif len(found) < 2:
        raise EventError("successors", "split_two")
    total = sum(share for _, share in found)
    if abs(total - 1) > SHARE_TOLERANCE:
        raise EventError("successors", "share_sum", total=round(total, 9))
    return found


def _check_move(unit: Unit, data: EventInput) -> Unit | None:
    if data.kind != "move":
        if data.new_parent_code:
            raise EventError("new_parent", "parent_only_move")
        return None
    if not data.new_parent_code:
        raise EventError("new_parent", "required")
    parent = _unit(data.new_parent_code, "new_parent")
    if parent is unit.parent:
        raise EventError("new_parent", "same_parent", code=unit.code, parent=parent.code)
    if parent is unit or parent.path.startswith(unit.path):
        raise EventError("new_parent", "cycle", code=unit.code, parent=parent.code)
    _alive(parent, data.effective, "new_parent", "parent_not_alive")
    return parent


def _check_rename(unit: Unit, data: EventInput) -> None:
    if data.kind != "rename":
        if data.new_name_vi or data.new_name_en:
            raise EventError("new_name_vi", "names_only_rename")
        return
    if not data.new_name_vi and not data.new_name_en:
        raise EventError("new_name_vi", "required")
    for name in (data.new_name_vi, data.new_name_en):
        if len(name) > 200:
            raise EventError("new_name_vi", "too_long", most=200)
    if ((data.new_name_vi or unit.name_vi) == unit.name_vi
            and (data.new_name_en or unit.name_en) == unit.name_en):
        raise EventError("new_name_vi", "same_names")


def _check_no_live_children(unit: Unit, day: date) -> None:
    """A unit that ends hands over its territory, so nothing may still hang under it: the
    sub-units were moved, merged or abolished first (a file's events are applied in date
    order, sub-units before their parent on the same day)."""
    children = db.session.execute(
        db.select(Unit).filter_by(parent_id=unit.id).order_by(Unit.code)).scalars()
    alive = [c.code for c in children if c.exists_on(day)]
    if alive:
        shown = ", ".join(alive[:5]) + (" …" if len(alive) > 5 else "")
        raise EventError("unit", "live_children", code=unit.code, children=shown,
                         day=day_text(day))


def _check_carry(unit: Unit, data: EventInput, successors, today: date) -> Unit | None:
    code = data.carry_to.strip()
    if not code:
        return None
    if data.kind == "merge" and code == successors[0][0].code:
        return None  # what a merge does anyway
    if data.kind not in ("split", "abolish"):
        raise EventError("carry_to", "carry_kind")
    target = _unit(code, "carry_to")
    if target is unit:
        raise EventError("carry_to", "carry_self", code=unit.code)
    if data.kind == "split" and all(s is not target for s, _ in successors):
        raise EventError("carry_to", "carry_not_successor", code=code)
    _alive(target, data.effective, "carry_to", "successor_not_alive")
    # an event ahead of its day keeps the choice in its audit entry until the day comes
    # (attached.chosen_target, read by attached.carry_due)
    return target


def _apply(event: UnitEvent, unit: Unit, new_parent: Unit | None, data: EventInput) -> None:
    if event.kind in ENDING_KINDS:
        if all(s.unit is not unit for s in event.successors):
            unit.valid_to = event.effective
    elif event.kind == "rename":
        event.old_name_vi, event.old_name_en = unit.name_vi, unit.name_en
        unit.name_vi = data.new_name_vi or unit.name_vi
        unit.name_en = data.new_name_en or unit.name_en
        event.new_name_vi, event.new_name_en = unit.name_vi, unit.name_en
    elif event.kind == "move":
        subtree = list(db.session.execute(
            db.select(Unit).where(Unit.path.startswith(unit.path, autoescape=True))).scalars())
        event.old_parent = unit.parent
        event.new_parent = new_parent
        unit.parent = new_parent
        _refresh_paths(subtree)


def _old_values(event: UnitEvent) -> dict | None:
    if event.kind == "rename":
        return {"name_vi": event.old_name_vi, "name_en": event.old_name_en}
    if event.kind == "move":
        return {"parent": event.old_parent.code if event.old_parent else None}
    return None


def _new_values(event: UnitEvent, data: EventInput) -> dict:
    values = {"effective": event.effective.isoformat(),
              "decision_number": event.decision_number,
              "decision_date": event.decision_date.isoformat() if event.decision_date else None}
    if event.successors:
        values["successors"] = "; ".join(f"{s.unit.code}={s.share:g}" for s in event.successors)
    if event.kind == "rename":
        values.update(name_vi=event.new_name_vi, name_en=event.new_name_en)
    if event.kind == "move":
        values["parent"] = event.new_parent.code if event.new_parent else None
    if data.carry_to:
        values["carry_to"] = data.carry_to
    if event.note:
        values["note"] = event.note
    return values


def unit_events(unit: Unit) -> list[UnitEvent]:
    """The events of the unit and those that made it (it is their successor), by date."""
    own = db.session.execute(db.select(UnitEvent).filter_by(unit_id=unit.id)).scalars().all()
    making = db.session.execute(
        db.select(UnitEvent).join(UnitEventSuccessor)
        .where(UnitEventSuccessor.unit_id == unit.id, UnitEvent.unit_id != unit.id)
    ).scalars().all()
    return sorted({*own, *making}, key=lambda e: (e.effective, e.id))


def all_events() -> list[UnitEvent]:
    return list(db.session.execute(
        db.select(UnitEvent).order_by(UnitEvent.effective, UnitEvent.id)).scalars())
