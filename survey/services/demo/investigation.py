"""The demo's sampled investigations of its last year (issue #20), made through the real
services as an officer and a collector would: frame import, draw, assignment, statuses, and
completed cases stored through the fieldwork service (so they are the investigation's
responses, set apart from the open collection).

* ST-DT-<year>: land, stratified by unit × service area, SIPAS size, one stage, recorded
  seed; in the field: most cases assigned to a demo collector, a seeded mix of outcomes
  (contacted, completed on paper or through the personal link, refused, not eligible,
  unreachable), the rest still issued.
* ST-DT-<year>-HT: marriage, two stages (communes by PPS, then dossiers), drawn and waiting
  for its fieldwork.

The frame is the year's resolved dossiers of the demo's records (`dossier_stat`): one frame
dossier per resolved dossier of each unit and procedure group, so the frame's totals are the
records' (what a calibration to known totals uses). Contact details are made only when a
contact key is configured (`HAILONG_CONTACT_KEY`); without one the frame carries none.

Everything here draws from its own generators, never the answers' (load.SEED), so the rest of
the demo is the same with or without this part.
"""

from __future__ import annotations

import csv
import io
import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import questionnaires as qn
from survey.extensions import db
from survey.models import DossierStat, Investigation, ProcedureGroup, SampleCase, Unit, User
from survey.models.investigation import CaseEvent, FrameDossier
from survey.services import questionnaires as qservice
from survey.services.accounts import create_user
from survey.services.demo import province as P
from survey.services.demo.answers import Respondent, answers_for
from survey.services.investigation import cases, contacts, fieldwork
from survey.services.investigation.draw import draw_sample
from survey.services.investigation.fieldwork import Scope
from survey.services.investigation.frame_import import COLUMNS, import_frame
from survey.services.investigation.investigations import create, start_fieldwork

FRAME_SEED = 20171130 + 20  # the frames' and the fieldwork's own generator
CONTACT_SEED = FRAME_SEED + 1  # contacts apart: with or without a key the rest is the same
DRAW_SEED = 2025070115  # recorded on the investigation, as `hailong investigation draw --seed`
TWO_STAGE_SEED = 2025070116
COLLECTOR = "dieutra.demo"  # the demo's field staff (data entry); its password is never shown
ACTOR = "demo"
# The collector covers the department and the two rural districts (their communes, and the new
# commune Bình Lập); the city's cases wait for a second collector.
COLLECTOR_UNITS = frozenset(
    ["ST-STNMT", "ST-H01", "ST-H02", "ST-X01"]
    + [code for code, *_, parent in P.UNITS if parent in ("ST-H01", "ST-H02")])
# An assigned case's outcome so far: (status, share); "issued" takes what is left.
OUTCOMES = (("completed", 0.26), ("contacted", 0.16), ("refused", 0.06),
            ("not_eligible", 0.04), ("unreachable", 0.08))
LINK_SHARE = 0.3  # of the completed: answered through the letter's link rather than on paper
NOTES = {
    "contacted": ("Đã gọi điện, hẹn gặp tại nhà", "Đã gửi thư, người dân hẹn trả lời sau",
                  "Đã gặp, xin phát phiếu giấy"),
    "refused": ("Người dân không muốn tham gia", "Từ chối qua điện thoại: bận"),
    "not_eligible": ("Hồ sơ do người được ủy quyền nộp, người nộp không nhớ quá trình",
                     "Đã chuyển đi nơi khác, không liên hệ được chủ hồ sơ"),
    "unreachable": ("Gọi 3 lần không nghe máy", "Không có người ở địa chỉ ghi trong hồ sơ"),
}
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Ngọc", "Đức", "Hữu", "Thu")
GIVEN = ("An", "Bình", "Cường", "Dung", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Lan", "Long",
         "Mai", "Nam", "Phương", "Quân", "Thảo", "Trang", "Tuấn", "Yến")
COMPANIES = ("Công ty TNHH Xây dựng Sơn Thủy", "Công ty CP Địa ốc Bình Sơn",
             "Hợp tác xã Nông nghiệp Đông Hòa", "Công ty TNHH Thương mại Phú Hòa")


@dataclass(frozen=True, slots=True)
class Made:
    code: str
    frame_rows: int
    cases: int
    outcomes: dict[str, int]

    def describe(self) -> str:
        done = ", ".join(f"{n} {s}" for s, n in sorted(self.outcomes.items()) if n)
        return f"{self.code} ({self.frame_rows} dossiers, {self.cases} cases: {done})"


def load_investigations(ids: dict, timeline, year: int) -> list[Made]:
    """Both demo investigations of `year`; the caller has committed the rest of the demo
    (completing a case commits, as the fieldwork service does for each response)."""
    delete_investigations(delete_cases(demo_codes(year)))  # left by a demo without responses
    rng = random.Random(FRAME_SEED)
    contact_rng = random.Random(CONTACT_SEED) if contacts.configured_key() else None
    land = _investigation(f"{P.ROOT}-DT-{year}", "land", year, {
        "strata": ["unit", "service_area"], "allocation": "proportional", "minimum": 30,
        "stages": "one", "size": {"method": "sipas", "margin": 0.04}},
        ids, timeline, rng, contact_rng, DRAW_SEED)
    marriage = _investigation(f"{P.ROOT}-DT-{year}-HT", "marriage", year, {
        "strata": ["service_area"], "minimum": 30, "stages": "two", "dossiers_per_psu": 15,
        "size": {"method": "fixed", "n": 90}},
        ids, timeline, rng, contact_rng, TWO_STAGE_SEED)
    db.session.commit()
    outcomes = _fieldwork(land, rng, year)
    return [_made(land, outcomes), _made(marriage, {"issued": _count(marriage)})]


def _made(investigation: Investigation, outcomes: dict[str, int]) -> Made:
    return Made(investigation.code, investigation.frame_rows, _count(investigation), outcomes)


def _count(investigation: Investigation) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(SampleCase).where(
        SampleCase.investigation_id == investigation.id)).scalar_one()


def _investigation(code: str, area: str, year: int, design: dict, ids: dict, timeline,
                   rng: random.Random, contact_rng: random.Random | None,
                   seed: int) -> Investigation:
    two = design["stages"] == "two"
    name = (f"Điều tra xã hội học sự hài lòng {year}: "
            f"{'đất đai' if area == 'land' else 'hộ tịch (chọn mẫu hai giai đoạn)'}")
    row = create(code, name, f"{area}_survey", date(year, 1, 1), date(year, 12, 31), design,
                 actor=ACTOR)
    lines = _frame(area, year, ids, timeline, rng, contact_rng, psu=two)
    import_frame(row, _csv(lines), f"{code.lower()}-frame.csv", actor=ACTOR)
    draw_sample(row, seed, actor=ACTOR)
    return row


# --- the frame: the year's resolved dossiers of the records --------------------------------


def _frame(area: str, year: int, ids: dict, timeline, rng: random.Random,
           contact_rng: random.Random | None, psu: bool) -> list[dict]:
    stats = db.session.execute(
        db.select(Unit.code, ProcedureGroup.code,
                  DossierStat.resolved_early + DossierStat.resolved_on_time
                  + DossierStat.resolved_late)
        .join(Unit, Unit.id == DossierStat.unit_id)
        .join(ProcedureGroup, ProcedureGroup.id == DossierStat.procedure_group_id)
        .where(DossierStat.year == year, DossierStat.period_kind == "year",
               ProcedureGroup.service_area.has(code=area))
        .order_by(Unit.code, ProcedureGroup.code)).all()
    lines: list[dict] = []
    numbers: dict[str, int] = {}
    for unit_code, group, resolved in stats:
        unit = ids["units"][unit_code]
        days = _working_days(*_handled(unit_code, area, year, timeline))
        options = _procedures(ids, group, unit.level)
        for _ in range(resolved):
            day = rng.choice(days)
            numbers[unit_code] = numbers.get(unit_code, 0) + 1
            organisation = rng.random() < P.ORGANISATION_SHARE[area]
            line = {"dossier_code": f"{unit_code}-{day:%y%m%d}-{numbers[unit_code]:05d}",
                    "procedure": rng.choice(options), "unit": unit_code,
                    "applicant_type": "organisation" if organisation else "individual",
                    "resolved_on": day.isoformat(), "service_area": area}
            home = unit_code if unit.level == "commune" else rng.choice(
                _communes(timeline, day, unit_code))
            if psu:
                line["commune"] = home
            if contact_rng is not None:
                line.update(_contact(contact_rng, organisation, ids["units"][home]))
            lines.append(line)
    # the one-stop software exports by day resolved: the draw reads the frame in file order
    lines.sort(key=lambda line: (line["resolved_on"], line["dossier_code"]))
    return lines


def _handled(code: str, area: str, year: int, timeline) -> tuple[date, date]:
    """The first and last day of `year` the unit handled the service (around the reform)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    if timeline.reform is None or not start < timeline.reform <= end:
        return start, end
    before, after = code in P.HANDLERS[area], code in P.HANDLERS_AFTER[area]
    if before and not after:
        return start, timeline.reform - timedelta(days=1)
    if after and not before:
        return timeline.reform, end
    return start, end


@lru_cache(maxsize=8)
def _working_days(start: date, end: date) -> tuple[date, ...]:
    """Monday to Friday from `start` to `end`: the days a one-stop desk resolves dossiers."""
    days = (start + timedelta(days=i) for i in range((end - start).days + 1))
    return tuple(day for day in days if day.weekday() < 5)


def _procedures(ids: dict, group: str, level: str) -> list[str]:
    mine = [p.code for p in ids["procedures"].values() if p.group.code == group]
    level = "province" if level == "department" else level
    return [p.code for p in ids["procedures"].values()
            if p.group.code == group and p.level == level] or mine


def _communes(timeline, day: date, unit_code: str) -> tuple[str, ...]:
    """Where an applicant of a department or district lives: a commune of that day, within
    the district (the tree as it was before the reform: districts ended with it)."""
    alive = P.COMMUNES_AFTER if timeline.after(day) else P.COMMUNES
    return tuple(c for c in alive if unit_code in P.DEPARTMENT_OF.values()
                 or _PARENT.get(c) == unit_code)


_PARENT = {code: parent for code, *_, parent in P.UNITS}


def _contact(rng: random.Random, organisation: bool, home: Unit) -> dict[str, str]:
    if rng.random() < 0.2:  # not every dossier left a way to reach its applicant
        return {}
    name = rng.choice(COMPANIES) if organisation else \
        f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    place = "tổ dân phố" if home.name_vi.startswith("Phường") else "thôn"
    found = {"contact_name": name, "phone": f"0900{rng.randrange(10**6):06d}",
             "address": f"Số {rng.randrange(1, 200)}, {place} {rng.randrange(1, 12)}, "
                        f"{home.name_vi}"}
    if rng.random() < 0.3:
        found["email"] = f"nguoidan{rng.randrange(10**5)}@example.com"
    return found


def _csv(lines: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(lines)
    return out.getvalue().encode()


# --- the fieldwork so far -------------------------------------------------------------------


def _collector() -> User:
    found = db.session.execute(db.select(User).filter_by(username=COLLECTOR)).scalar_one_or_none()
    if found is not None:
        return found
    # a password nobody is told: an admin resets it (/admin/users) to log in as the collector
    return create_user(COLLECTOR, secrets.token_urlsafe(24), "data_entry", actor=ACTOR)


def _fieldwork(investigation: Investigation, rng: random.Random, year: int) -> dict[str, int]:
    officer = Scope(None, ACTOR, manager=True)
    collector = _collector()
    start_fieldwork(investigation, actor=ACTOR)
    mine = list(db.session.execute(
        db.select(SampleCase)
        .join(FrameDossier, FrameDossier.id == SampleCase.frame_dossier_id)
        .join(Unit, Unit.id == FrameDossier.unit_id)
        .where(SampleCase.investigation_id == investigation.id,
               Unit.code.in_(COLLECTOR_UNITS))
        .order_by(SampleCase.id)).scalars())
    fieldwork.assign(investigation, [c.id for c in mine], collector.id, officer)
    field = Scope(collector.id, collector.username, manager=False)
    outcomes = {"issued": _count(investigation) - len(mine)}
    completing: list[tuple[SampleCase, str | None]] = []
    for case in mine:
        token = cases.issue_link(case)  # the letter was printed and delivered
        outcome = _outcome(rng)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome == "issued":
            continue
        if outcome != "contacted" and rng.random() < 0.5:
            fieldwork.change_status(investigation, case, "contacted",
                                    rng.choice(NOTES["contacted"]), field)
        if outcome == "completed":
            completing.append((case, token if rng.random() < LINK_SHARE else None))
        else:
            fieldwork.change_status(investigation, case, outcome, rng.choice(NOTES[outcome]),
                                    field)
    db.session.commit()
    _complete(investigation, completing, rng, year, collector.username)
    return outcomes


def _outcome(rng: random.Random) -> str:
    u = rng.random()
    for status, share in OUTCOMES:
        if u < share:
            return status
        u -= share
    return "issued"


def _complete(investigation: Investigation, completing: list, rng: random.Random, year: int,
              actor: str) -> None:
    """Each completed case's answers through the fieldwork service: a paper form entered by
    the collector, or the citizen's own send through the letter's link."""
    code = investigation.questionnaire.code
    definition = qservice.definition_of(qservice.get_version(code))
    area = code.removesuffix("_survey")
    first, last = P.SATISFACTION[area]
    year_index = P.YEARS.index(year) if year in P.YEARS else len(P.YEARS) - 1
    share = first + (last - first) * year_index / (len(P.YEARS) - 1)
    for case, token in completing:
        unit = db.session.get(Unit, case.dossier.unit_id).code
        person = Respondent(rng, share, P.ORGANISATION_SHARE[area])
        payload = {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                   "questionnaire": code, "unit": unit, "service_area": area,
                   "answers": {k: _raw(a) for k, a in
                               answers_for(definition, person, year_index).items()}}
        if token is not None:
            fieldwork.submit_by_link(token, payload, "vi")
        else:
            fieldwork.submit_paper(case.id, payload, "vi", actor)


def _raw(answer) -> int | str | None:
    """An answer as a form or the API sends it."""
    if answer.missing_code is not None:
        return qn.MISSING_WORDS[answer.missing_code]
    return answer.value_int if answer.value_int is not None else answer.value_text


# --- removal, when the demo is loaded again -------------------------------------------------


def delete_cases(codes: list[str]) -> list[int]:
    """Delete the named investigations' cases and their history (before their responses);
    returns the investigations' ids for `delete_investigations`."""
    ids = list(db.session.execute(
        db.select(Investigation.id).where(Investigation.code.in_(codes))).scalars())
    if ids:
        case_ids = db.select(SampleCase.id).where(SampleCase.investigation_id.in_(ids))
        db.session.execute(db.delete(CaseEvent).where(CaseEvent.case_id.in_(case_ids)))
        db.session.execute(db.delete(SampleCase).where(SampleCase.investigation_id.in_(ids)))
    return ids


def delete_investigations(ids: list[int]) -> None:
    for investigation_id in ids:
        contacts.delete_all(investigation_id)
        db.session.execute(db.delete(FrameDossier).where(
            FrameDossier.investigation_id == investigation_id))
    if ids:
        db.session.execute(db.delete(Investigation).where(Investigation.id.in_(ids)))


def demo_codes(year: int) -> list[str]:
    return [f"{P.ROOT}-DT-{year}", f"{P.ROOT}-DT-{year}-HT"]
