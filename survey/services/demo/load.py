"""Writing the demo data set into the database, in bulk (Core inserts, not ORM objects)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

import questionnaires as qn
from survey.extensions import db
from survey.models import (
    Answer,
    Desk,
    DossierStat,
    Kiosk,
    ParIndexEntry,
    Procedure,
    ProcedureGroup,
    Response,
    ServiceArea,
    Unit,
    UnitEvent,
)
from survey.services import aggregates
from survey.services import questionnaires as qservice
from survey.services.demo import province as P
from survey.services.demo.answers import Respondent, answers_for
from survey.services.demo.investigation import (
    delete_cases,
    delete_investigations,
    demo_codes,
    load_investigations,
)
from survey.services.lineage.events import EventInput, record_event
from survey.services.periods import LOCAL_TZ, year_month
from survey.services.records.par_index import set_entry
from survey.services.reference import load_service_areas

SEED = 20171130  # fixed: the same demo on every machine
SURVEY_PER_YEAR = 1_600  # sample-survey respondents per year, over the four services
RATINGS_PER_YEAR = 1_200  # per-dossier kiosk ratings per year
SURVEY_CHANNELS = (("paper", 5), ("phone", 3), ("web", 2))
BATCH = 2_000


class DemoRefused(RuntimeError):
    """The database holds responses that are not the demo's."""


@dataclass(frozen=True)
class _Timeline:
    """When the province went through the two-level reform; None: it never did (a fixed
    three-level tree, which the reporting tests compare with raw answers grouped by unit)."""

    reform: date | None

    def after(self, day: date) -> bool:
        return self.reform is not None and day >= self.reform

    def handlers(self, area: str, day: date) -> tuple[str, ...]:
        return P.HANDLERS_AFTER[area] if self.after(day) else P.HANDLERS[area]

    def alive(self, code: str, day: date) -> bool:
        if code in P.ENDED:
            return not self.after(day)
        return self.after(day) or code not in {c for c, *_ in P.REFORM_UNITS}

    def handled_part(self, code: str, area: str, year: int) -> float:
        """The part of `year` the unit handled the service, around the reform."""
        start, end = date(year, 1, 1), date(year + 1, 1, 1)
        cut = min(max(self.reform or end, start), end)
        days = (cut - start).days if code in P.HANDLERS[area] else 0
        if self.reform is not None and code in P.HANDLERS_AFTER[area]:
            days += (end - cut).days
        return days / (end - start).days


def load_demo(force: bool = False, skip_if_not_empty: bool = False, scale: float = 1.0,
              reform: bool = True, investigations: bool = True) -> str:
    """Load the demo (see the package's doc); `investigations`: also the sampled
    investigations of its last year (demo/investigation.py), which commits the rest first."""
    units = _demo_units_present()
    real = _real_response_count()
    demo_count = _demo_response_count() if units else 0
    if real and not force:
        if skip_if_not_empty:
            return "The database holds responses; the demo data set was not loaded."
        raise DemoRefused(
            f"The database holds {real} response(s) that are not demo data; "
            "refusing to add the demo data set (use --force to add it anyway)."
        )
    if demo_count and not force:
        return "The demo data set is already loaded."
    load_service_areas()
    qservice.load_and_publish_builtins()
    if demo_count:
        _delete_demo_data()
    timeline = _Timeline(P.REFORM if reform else None)
    ids = _ensure_reference(P, timeline)
    rng = random.Random(SEED)
    counts = _responses(rng, ids, scale, timeline)
    stats = _dossier_stats(random.Random(SEED + 1), ids, timeline)
    if reform:
        _reform(ids["units"])  # after the answers: it carries the old units' kiosks on
    for year, score, rank, method_break in P.PAR_INDEX:
        if db.session.execute(db.select(ParIndexEntry.id).filter_by(year=year)).first() is None:
            set_entry(year, score, rank, method_break, "demo", actor="demo")
    db.session.flush()
    aggregates.rebuild()  # a bulk load is counted once, at the end
    made = []
    if investigations:
        # Completing a case commits (the fieldwork service stores each response in its own
        # transaction), so the demo so far is committed first.
        db.session.commit()
        made = load_investigations(ids, timeline, P.YEARS[-1])
    return (
        f"Demo data loaded: {counts['survey']} survey responses and {counts['rating']} "
        f"per-dossier ratings over {P.YEARS[0]}–{P.YEARS[-1]}, {stats} dossier statistics rows, "
        f"{len(ids['units'])} units of the fictional province {P.UNITS[0][1]}"
        + (f", through the two-level reform of {P.REFORM:%d/%m/%Y}" if reform else "")
        + (f"; sampled investigations {' and '.join(m.describe() for m in made)}."
           if made else ".")
    )


def _demo_root() -> Unit | None:
    return db.session.execute(db.select(Unit).filter_by(code=P.ROOT)).scalar_one_or_none()


def _demo_units_present() -> bool:
    return _demo_root() is not None


def _in_demo():
    return Unit.path.startswith(f"/{P.ROOT}/")


def _demo_response_count() -> int:
    query = db.select(db.func.count(Response.id)).join(Unit).where(_in_demo())
    return db.session.execute(query).scalar_one()


def _real_response_count() -> int:
    query = db.select(db.func.count(Response.id)).join(Unit).where(~_in_demo())
    return db.session.execute(query).scalar_one()


def _delete_demo_data() -> None:
    # the investigations' cases name their responses: they go first, the frames last
    investigations = delete_cases(demo_codes(P.YEARS[-1]))
    demo_units = db.select(Unit.id).where(_in_demo())
    demo_responses = db.select(Response.id).where(Response.unit_id.in_(demo_units))
    db.session.execute(db.delete(Answer).where(Answer.response_id.in_(demo_responses)))
    db.session.execute(db.delete(Response).where(Response.unit_id.in_(demo_units)))
    db.session.execute(db.delete(DossierStat).where(DossierStat.unit_id.in_(demo_units)))
    delete_investigations(investigations)


def _ensure_reference(p, timeline: _Timeline) -> dict:
    """Units, procedure groups, procedures, desks and kiosks of the demo province."""
    units = {u.code: u for u in db.session.execute(db.select(Unit)).scalars()}
    born = {code: p.REFORM for code, *_ in p.REFORM_UNITS}
    for code, name_vi, name_en, level, parent in (
            *p.UNITS, *(p.REFORM_UNITS if timeline.reform else ())):
        if code not in units:
            parent_unit = units.get(parent)
            path = (parent_unit.path if parent_unit else "/") + code + "/"
            units[code] = Unit(code=code, name_vi=name_vi, name_en=name_en, level=level,
                               parent=parent_unit, path=path, valid_from=born.get(code))
            db.session.add(units[code])
    areas = {a.code: a for a in db.session.execute(db.select(ServiceArea)).scalars()}
    # Each department is named after its service, so its posters open that service's survey.
    for area, code in p.DEPARTMENT_OF.items():
        if units[code].service_area is None:
            units[code].service_area = areas[area]
    groups = {g.code: g for g in db.session.execute(db.select(ProcedureGroup)).scalars()}
    for code, name_vi, name_en, area in p.PROCEDURE_GROUPS:
        if code not in groups:
            groups[code] = ProcedureGroup(code=code, name_vi=name_vi, name_en=name_en,
                                          service_area=areas[area])
            db.session.add(groups[code])
    procedures = {x.code: x for x in db.session.execute(db.select(Procedure)).scalars()}
    for code, name_vi, name_en, group, level in p.PROCEDURES:
        if code not in procedures:
            procedures[code] = Procedure(code=code, name_vi=name_vi, name_en=name_en, level=level,
                                         group=groups[group],
                                         service_area=groups[group].service_area)
            db.session.add(procedures[code])
    db.session.flush()
    kiosks = _ensure_kiosks(units)
    return {"units": units, "areas": areas, "groups": groups, "procedures": procedures,
            "kiosks": kiosks}


def _ensure_kiosks(units: dict[str, Unit]) -> dict[str, Kiosk]:
    rating = qservice.get("dossier_rating")
    # by the unit each was set up in (its name): the reform carried some to other units
    kiosks = {k.name.removeprefix("Kiosk "): k for k in db.session.execute(
        db.select(Kiosk).where(Kiosk.name.startswith("Kiosk "))).scalars()}
    for code, unit in units.items():
        if unit.level == "province" or not unit.path.startswith(f"/{P.ROOT}/") or code in kiosks:
            continue
        desk = Desk(unit=unit, code="MC1", name_vi="Bàn tiếp nhận số 1", name_en="Desk 1")
        kiosks[code] = Kiosk(name=f"Kiosk {code}", unit=unit, desk=desk, questionnaire=rating,
                             token_nonce=uuid.UUID(int=len(kiosks) + 1).hex)
        db.session.add_all([desk, kiosks[code]])
    db.session.flush()
    return kiosks


def _target(area: str, year_index: int, unit_effect: float) -> float:
    first, last = P.SATISFACTION[area]
    share = first + (last - first) * year_index / (len(P.YEARS) - 1)
    return min(0.97, max(0.05, share + unit_effect))


def _random_time(rng: random.Random, year: int) -> datetime:
    day = datetime(year, 1, 1, 7, 30, tzinfo=LOCAL_TZ) + timedelta(days=rng.randrange(365))
    while day.weekday() >= 5:  # one-stop desks work Monday to Friday
        day += timedelta(days=1)
    if day.year != year:
        day -= timedelta(days=3)
    return (day + timedelta(minutes=rng.randrange(9 * 60))).astimezone(UTC)


def _procedure_for(ids: dict, area: str, unit: Unit, rng: random.Random,
                   after_reform: bool) -> Procedure | None:
    level = "province" if unit.level == "department" else unit.level
    # after the reform the communes handle what the districts did
    levels = ("district", "commune") if level == "commune" and after_reform else (level,)
    options = [x for x in ids["procedures"].values()
               if x.service_area.code == area and x.level in levels]
    return rng.choice(options) if options else None


def _responses(rng: random.Random, ids: dict, scale: float,
               timeline: _Timeline) -> dict[str, int]:
    surveys = {a: qservice.get_version(f"{a}_survey") for a in P.SATISFACTION}
    rating_version = qservice.get_version("dossier_rating")
    definitions = {v.id: qservice.definition_of(v) for v in [*surveys.values(), rating_version]}
    unit_effect = {code: rng.gauss(0.0, 0.05) for code in ids["units"]}
    rows: list[dict] = []
    answers: list[tuple[uuid.UUID, dict[str, qn.Answer]]] = []
    counts = {"survey": 0, "rating": 0}
    for year_index, year in enumerate(P.YEARS):
        for _ in range(round(SURVEY_PER_YEAR * scale)):
            at, day = _early_time(rng, year, timeline)
            area = rng.choices(list(P.SATISFACTION), weights=(4, 2, 2, 3))[0]
            unit = ids["units"][rng.choice(timeline.handlers(area, day))]
            target = _target(area, year_index, unit_effect[unit.code])
            person = Respondent(rng, target, P.ORGANISATION_SHARE[area])
            version = surveys[area]
            channel = rng.choices(*zip(*SURVEY_CHANNELS, strict=True))[0]
            given = answers_for(definitions[version.id], person, year_index)
            at = at or _random_time(rng, year)
            rows.append(_row(rng, version.id, unit, ids, area, channel, at, given,
                             timeline.after(day)))
            answers.append((rows[-1]["uuid"], given))
            counts["survey"] += 1
        for _ in range(round(RATINGS_PER_YEAR * scale)):
            at, day = _early_time(rng, year, timeline)
            # the kiosks of the units open that day (ids["kiosks"] is by the unit it stood in)
            code = rng.choice([c for c in ids["kiosks"] if timeline.alive(c, day)])
            kiosk, unit = ids["kiosks"][code], ids["units"][code]
            area = rng.choice([a for a in P.HANDLERS if unit.code in timeline.handlers(a, day)])
            person = Respondent(rng, _target(area, year_index, 0.08), 0.1)
            given = answers_for(definitions[rating_version.id], person, year_index)
            at = at or _random_time(rng, year)
            row = _row(rng, rating_version.id, unit, ids, area, "kiosk", at, given,
                       timeline.after(day))
            row["kiosk_id"] = kiosk.id
            rows.append(row)
            answers.append((row["uuid"], given))
            counts["rating"] += 1
        _flush(rows, answers)
        rows, answers = [], []
    return counts


def _early_time(rng: random.Random, year: int, timeline: _Timeline):
    """Through a reform the day decides which offices exist, so it is drawn first; without
    one it is drawn last, as it always was, so the fixed tree's data set stays the same."""
    if timeline.reform is None:
        return None, date(year, 1, 1)
    at = _random_time(rng, year)
    return at, at.astimezone(LOCAL_TZ).date()


def _row(rng, version_id, unit, ids, area, channel, at: datetime, given,
         after_reform: bool) -> dict:
    local_year, month = year_month(at)
    procedure = _procedure_for(ids, area, unit, rng, after_reform)
    respondent = given.get("respondent_type")
    return {
        "uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
        "version_id": version_id,
        "unit_id": unit.id,
        "service_area_id": ids["areas"][area].id,
        "procedure_id": procedure.id if procedure else None,
        "kiosk_id": None,
        "channel": channel,
        "respondent_type": respondent.value_text if respondent else None,
        "submitted_at": at,
        "received_at": at + timedelta(seconds=rng.randrange(1, 30)),
        "year": local_year,
        "month": month,
    }


def _flush(rows: list[dict], answers: list[tuple[uuid.UUID, dict[str, qn.Answer]]]) -> None:
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        returned = db.session.execute(
            insert(Response).returning(Response.id, Response.uuid, sort_by_parameter_order=True),
            chunk,
        ).all()
        answer_rows = [
            {"response_id": rid, "item_code": code, "value_int": a.value_int,
             "value_text": a.value_text, "missing_code": a.missing_code}
            for (rid, _uuid), (_same, given) in zip(
                returned, answers[start : start + BATCH], strict=True
            )
            for code, a in given.items()
        ]
        if answer_rows:
            db.session.execute(insert(Answer), answer_rows)


def _dossier_stats(rng: random.Random, ids: dict, timeline: _Timeline) -> int:
    """Yearly counts per unit and procedure group, balanced as the official report requires."""
    made = 0
    for group in ids["groups"].values():
        area = group.service_area.code
        before = P.HANDLERS[area]
        after = P.HANDLERS_AFTER[area] if timeline.reform else ()
        for code in dict.fromkeys((*before, *after)):
            unit = ids["units"][code]
            size = {"department": 2400, "district": 900, "commune": 160}[unit.level]
            if code in after and code not in P.DEPARTMENT_OF.values():
                size += 400  # a commune after the reform does what its district did
            carried = rng.randrange(size // 20, size // 8)
            for year_index, year in enumerate(P.YEARS):
                # the part of the year the unit handled the service, around the reform
                part = timeline.handled_part(code, area, year)
                if not part:
                    continue
                received = int(size * part * rng.uniform(0.85, 1.2) * (1 + 0.06 * year_index))
                online = int(received * min(0.7, 0.08 + 0.12 * year_index))
                total = received + carried
                pending = int(total * rng.uniform(0.03, 0.07))
                resolved = total - pending
                late = int(resolved * max(0.004, rng.uniform(0.01, 0.04) - 0.004 * year_index))
                early = int((resolved - late) * rng.uniform(0.2, 0.45))
                overdue = int(pending * rng.uniform(0.05, 0.3))
                db.session.add(DossierStat(
                    period_kind="year", year=year, period_number=0, unit=unit,
                    service_area=group.service_area, procedure_group=group,
                    received_online=online, received_direct=received - online,
                    carried_over=carried, resolved_early=early,
                    resolved_on_time=resolved - late - early, resolved_late=late,
                    pending_within=pending - overdue, pending_overdue=overdue,
                ))
                carried = pending
                made += 1
    return made


def _reform(units: dict[str, Unit]) -> None:
    """Record the reform's events once, as an officer would from the decision."""
    first = units[P.REFORM_EVENTS[0][0]]
    if db.session.execute(db.select(UnitEvent.id).filter_by(unit_id=first.id)).first():
        return
    number, decided = P.REFORM_DECISION
    for code, kind, change in P.REFORM_EVENTS:
        moved = kind == "move"
        record_event(EventInput(
            unit_code=code, kind=kind, effective=P.REFORM, decision_number=number,
            decision_date=decided, successors=() if moved else change,
            new_parent_code=change if moved else ""), actor="demo")
