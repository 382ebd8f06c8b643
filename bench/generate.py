"""A realistic synthetic data set at any size, written fast through the raw driver.

A province of ~180 units (departments, districts, communes), the four service areas, the
built-in questionnaires, five years; each survey response answers the 20 rating items of the
land questionnaire plus two demographics, each kiosk rating its 3-level item. Satisfaction
rises over the years and differs by service and unit. The generator writes the raw tables
(`bench.loading`: COPY on PostgreSQL, executemany on SQLite, secondary indexes built after the
load) and the maintained counts of those answers, computed alongside with numpy
(`bench.counts`): exactly what `aggregates.rebuild()` would store, without its GROUP BY over
every answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from bench import counts as rollups
from bench.loading import bulk_writer
from survey.extensions import db
from survey.models import Unit
from survey.services.questionnaires import get_version, load_and_publish_builtins
from survey.services.reference import load_service_areas

YEARS = np.arange(2021, 2026)
AREAS = ("land", "id_card", "marriage", "construction")
RATING_SHARE = 0.3  # of all responses, the kiosk stream
CHUNK = 200_000
SURVEY_CHANNELS = np.array(["paper", "phone", "web"], dtype=object)


def build_units() -> list[int]:
    root = Unit(code="BP", name_vi="Tỉnh Benchmark", name_en="Benchmark province",
                level="province", path="/BP/")
    units = [root]
    for d in range(20):
        units.append(Unit(code=f"BP-S{d:02d}", name_vi=f"Sở {d}", level="department",
                          parent=root, path=f"/BP/BP-S{d:02d}/"))
    for h in range(10):
        district = Unit(code=f"BP-H{h:02d}", name_vi=f"Huyện {h}", level="district",
                        parent=root, path=f"/BP/BP-H{h:02d}/")
        units.append(district)
        for x in range(15):
            code = f"BP-H{h:02d}-X{x:02d}"
            units.append(Unit(code=code, name_vi=f"Xã {h}.{x}", level="commune",
                              parent=district, path=f"{district.path}{code}/"))
    db.session.add_all(units)
    db.session.flush()
    return [u.id for u in units if u.level != "province"]


def _likert(rng, theta, n_items):
    noise = rng.normal(0.0, 0.7, size=(theta.size, n_items))
    latent = theta[:, None] + noise
    return 1 + (latent > -1.6).astype(int) + (latent > -0.7) + (latent > 0.0) + (latent > 1.3)


@dataclass(frozen=True)
class Province:
    """The ids the generated rows refer to (plain values: no ORM object stays loaded)."""

    unit_ids: np.ndarray
    area_ids: dict[str, int]
    survey_id: int
    rating_id: int
    likert_codes: list[str]
    element_of: dict[str, str]  # the likert items of an element: code -> element
    overall: str  # the overall satisfaction item's code

    def counter(self) -> rollups.RollupCounter:
        sizes = (int(self.unit_ids.max()), max(self.survey_id, self.rating_id),
                 max(self.area_ids.values()))
        elements = rollups.ElementCounter(self.likert_codes, self.element_of, self.overall,
                                          *sizes)
        return rollups.RollupCounter([*self.likert_codes, "rating"], *sizes, elements)


def reference_data() -> Province:
    """Service areas, the built-in questionnaires and the units, committed."""
    load_service_areas()
    load_and_publish_builtins()
    unit_ids = np.array(build_units())
    survey = get_version("land_survey")
    province = Province(
        unit_ids, dict(db.session.execute(db.text("SELECT code, id FROM service_area")).all()),
        survey.id, get_version("dossier_rating").id, *survey_items(survey))
    # Nothing of the session may stay open (or be reloaded) while a loader's own connection
    # holds the tables: plain ids only from here.
    db.session.commit()
    return province


def survey_items(survey) -> tuple[list[str], dict[str, str], str]:
    """The likert codes the generator answers, their elements, and the overall item."""
    likert = [i for i in survey.items if i.item_type == "likert5"]
    return ([i.code for i in likert], {i.code: i.element for i in likert if i.element},
            next(i.code for i in likert if i.is_overall))


def write_responses(writer, counter, rng, province: Province, first_id: int, count: int,
                    years=YEARS) -> int:
    """`count` responses (70 % survey, 30 % kiosk ratings) with ids from `first_id`, dated in
    `years`; returns the next free id."""
    n_rating = int(count * RATING_SHARE)
    next_id = first_id
    for stream, total in (("survey", count - n_rating), ("rating", n_rating)):
        for start in range(0, total, CHUNK):
            size = min(CHUNK, total - start)
            _chunk(writer, counter, rng, stream, size, next_id, province, np.asarray(years))
            next_id += size
    return next_id


def write_counts(writer, counter) -> int:
    """The roll-ups of what `counter` saw; returns the finest answer count's row count."""
    for model in rollups.ROLLUPS:
        rows = counter.rows(model)
        writer.rows(model.__tablename__, (*model.KEY, "n"), rows)
        if model is rollups.AnswerCount:
            finest = len(rows)
    for model in rollups.ELEMENT_ROLLUPS:
        writer.rows(model.__tablename__, (*model.KEY, "n"), counter.elements.rows(model))
    return finest


def generate(n_responses: int, seed: int = 7) -> dict:
    """Fill the current (empty, migrated) database; returns a summary with phase timings."""
    province = reference_data()
    rng = np.random.default_rng(seed)
    counter = province.counter()
    started = time.perf_counter()
    with bulk_writer(db.engine.url) as writer:
        write_responses(writer, counter, rng, province, 1, n_responses)
        written = time.perf_counter()
        count_rows = write_counts(writer, counter)
        counted = time.perf_counter()
    indexed = time.perf_counter()
    if db.engine.dialect.name == "postgresql":  # as autovacuum would, soon after a load
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    n_rating = int(n_responses * RATING_SHARE)
    return {"responses": n_responses, "survey": n_responses - n_rating, "ratings": n_rating,
            "answer_count_rows": count_rows, "likert_items": len(province.likert_codes),
            "write_seconds": written - started, "count_seconds": counted - written,
            "index_seconds": indexed - counted, "analyse_seconds": time.perf_counter() - indexed}


def _uuids(rng, size: int) -> list[str]:
    """Random version-4 UUIDs as 32 hex digits (what SQLite stores; PostgreSQL reads it)."""
    raw = rng.integers(0, 256, size=(size, 16), dtype=np.uint8)
    raw[:, 6] = raw[:, 6] & 0x0F | 0x40
    raw[:, 8] = raw[:, 8] & 0x3F | 0x80
    text = raw.tobytes().hex()
    return [text[i:i + 32] for i in range(0, 32 * size, 32)]


def _chunk(writer, counter, rng, stream, size, first_id, province: Province, years) -> None:
    """One chunk of responses and their answers, built as whole columns (numpy), not rows."""
    unit_ids, area_ids, likert_codes = province.unit_ids, province.area_ids, province.likert_codes
    survey_id, rating_id = province.survey_id, province.rating_id
    ids = np.arange(first_id, first_id + size)
    year = rng.choice(years, size=size)
    month = rng.integers(1, 13, size=size)
    unit = rng.choice(unit_ids, size=size)
    area = rng.choice(len(AREAS), size=size, p=(0.4, 0.25, 0.15, 0.2))
    theta = (0.4 + 0.15 * (year - YEARS[0]) + 0.2 * (area == 1) - 0.2 * (area == 3)
             + rng.normal(0, 0.1, size=unit_ids.max() + 1)[unit] + rng.normal(0, 1.0, size=size))
    organisation = rng.random(size) < 0.15
    respondent = np.where(organisation, "organisation", "individual").astype(object)
    day = rng.integers(1, 28, size=size)
    area_codes = np.array([area_ids[a] for a in AREAS])[area]
    rated = stream == "rating"
    channel = ["kiosk"] * size if rated else SURVEY_CHANNELS[np.arange(size) % 3].tolist()
    at = [f"{y}-{m:02d}-{d:02d} 03:00:00"
          for y, m, d in zip(year.tolist(), month.tolist(), day.tolist(), strict=True)]
    writer.responses(ids.tolist(), _uuids(rng, size),
                     [rating_id if rated else survey_id] * size, unit.tolist(),
                     area_codes.tolist(), channel,
                     [None] * size if rated else respondent.tolist(), at,
                     year.tolist(), month.tolist())
    envelope = {"year": year - rollups.FIRST_YEAR, "month": month, "unit_id": unit,
                "version_id": np.full(size, rating_id if rated else survey_id),
                "service_area_id": area_codes, "channel": rollups.channel_index(channel),
                "respondent_type": rollups.respondent_index(
                    [None] * size if rated else respondent.tolist())}
    if rated:
        values = np.where(theta > 0, np.where(theta > 0.9, 3, 2), 1)
        writer.answers(ids.tolist(), ["rating"] * size, values.tolist(), [None] * size,
                       [None] * size)
        counter.add({**envelope, "item_code": counter.index_of_items(["rating"])[[0] * size],
                     "value": rollups.value_index(values)})
        return
    n_items = len(likert_codes)
    values = _likert(rng, theta, n_items)
    missing = rng.random(values.shape) < 0.03
    sexes = rng.choice(np.array(["male", "female"], dtype=object), size=size)
    width = n_items + 2
    value_int = np.full((size, width), None, dtype=object)
    value_int[:, :n_items] = values
    value_int[:, :n_items][missing] = None
    missing_code = np.full((size, width), None, dtype=object)
    missing_code[:, :n_items][missing] = 98
    value_text = np.full((size, width), None, dtype=object)
    value_text[:, n_items] = respondent
    value_text[:, n_items + 1] = sexes
    # every likert answer counts: its value, or 98 (missing) where it was not given
    counter.elements.add(envelope, values, missing)
    counter.add({**{k: np.repeat(v, n_items) for k, v in envelope.items()},
                 "item_code": np.tile(counter.index_of_items(likert_codes), size),
                 "value": rollups.value_index(np.where(missing, 98, values).ravel())})
    writer.answers(np.repeat(ids, width).tolist(),
                   [*likert_codes, "respondent_type", "sex"] * size,
                   value_int.ravel().tolist(), value_text.ravel().tolist(),
                   missing_code.ravel().tolist())
