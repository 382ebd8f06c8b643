"""A realistic synthetic data set at any size, written fast through the raw driver.

A province of ~180 units (departments, districts, communes), the four service areas, the
built-in questionnaires, five years; each survey response answers the 21 rating items of the
land questionnaire plus demographics, each kiosk rating its 3-level item. Satisfaction rises
over the years and differs by service and unit. The generator writes the raw tables, then the
maintained counts are rebuilt once, exactly as a bulk import would.
"""

from __future__ import annotations

import io
import uuid

import numpy as np

from survey.extensions import db
from survey.models import Unit
from survey.services import aggregates
from survey.services.questionnaires import get_version, load_and_publish_builtins
from survey.services.reference import load_service_areas

YEARS = np.arange(2021, 2026)
AREAS = ("land", "id_card", "marriage", "construction")
RATING_SHARE = 0.3  # of all responses, the kiosk stream


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


def generate(n_responses: int, seed: int = 7) -> dict:
    """Fill the current (empty, migrated) database; returns a summary."""
    load_service_areas()
    load_and_publish_builtins()
    unit_ids = np.array(build_units())
    survey = get_version("land_survey")
    rating = get_version("dossier_rating")
    likert_codes = [i.code for i in survey.items if i.item_type == "likert5"]
    db.session.commit()
    rng = np.random.default_rng(seed)
    n_rating = int(n_responses * RATING_SHARE)
    n_survey = n_responses - n_rating
    area_ids = dict(db.session.execute(db.text("SELECT code, id FROM service_area")).all())
    writer = _writer()
    next_id = 1
    for stream, count in (("survey", n_survey), ("rating", n_rating)):
        for start in range(0, count, 200_000):
            size = min(200_000, count - start)
            next_id = _chunk(writer, rng, stream, size, next_id, unit_ids, area_ids,
                             survey.id, rating.id, likert_codes)
    writer.finish()
    db.session.commit()
    counts = aggregates.rebuild()
    db.session.commit()
    return {"responses": n_responses, "survey": n_survey, "ratings": n_rating,
            "answer_count_rows": counts, "likert_items": len(likert_codes)}


def _chunk(writer, rng, stream, size, next_id, unit_ids, area_ids, survey_id, rating_id,
           likert_codes) -> int:
    ids = np.arange(next_id, next_id + size)
    year = rng.choice(YEARS, size=size)
    month = rng.integers(1, 13, size=size)
    unit = rng.choice(unit_ids, size=size)
    area = rng.choice(len(AREAS), size=size, p=(0.4, 0.25, 0.15, 0.2))
    theta = (0.4 + 0.15 * (year - YEARS[0]) + 0.2 * (area == 1) - 0.2 * (area == 3)
             + rng.normal(0, 0.1, size=unit_ids.max() + 1)[unit] + rng.normal(0, 1.0, size=size))
    organisation = rng.random(size) < 0.15
    respondent = np.where(organisation, "organisation", "individual")
    channel = "kiosk" if stream == "rating" else None
    version = rating_id if stream == "rating" else survey_id
    area_codes = np.array([area_ids[a] for a in AREAS])[area]
    day = rng.integers(1, 28, size=size)
    for i in range(size):
        writer.response((int(ids[i]), uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | i,
                                                 version=4).hex,
                         version, int(unit[i]), int(area_codes[i]),
                         channel or ("paper", "phone", "web")[i % 3],
                         None if stream == "rating" else str(respondent[i]),
                         f"{int(year[i])}-{int(month[i]):02d}-{int(day[i]):02d} 03:00:00",
                         int(year[i]), int(month[i])))
    if stream == "rating":
        values = np.where(theta > 0, np.where(theta > 0.9, 3, 2), 1)
        for i in range(size):
            writer.answer((int(ids[i]), "rating", int(values[i]), None, None))
        return next_id + size
    values = _likert(rng, theta, len(likert_codes))
    missing = rng.random(values.shape) < 0.03
    sexes = rng.choice(("male", "female"), size=size)
    for i in range(size):
        rid = int(ids[i])
        for j, code in enumerate(likert_codes):
            if missing[i, j]:
                writer.answer((rid, code, None, None, 98))
            else:
                writer.answer((rid, code, int(values[i, j]), None, None))
        writer.answer((rid, "respondent_type", None, str(respondent[i]), None))
        writer.answer((rid, "sex", None, str(sexes[i]), None))
    return next_id + size


class _writer:
    """Buffered inserts through the raw driver: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self):
        self.connection = db.session.connection().connection.dbapi_connection
        self.postgres = db.session.get_bind().dialect.name == "postgresql"
        self.responses, self.answers = [], []

    def response(self, row):
        self.responses.append(row)
        if len(self.responses) >= 100_000:
            self._flush()

    def answer(self, row):
        self.answers.append(row)
        if len(self.answers) >= 500_000:
            self._flush()

    def _flush(self):
        cursor = self.connection.cursor()
        if self.responses:
            self._write(cursor, "response (id, uuid, version_id, unit_id, service_area_id, "
                        "channel, respondent_type, submitted_at, year, month, received_at)",
                        [(*r, r[7]) for r in self.responses])
            self.responses = []
        if self.answers:
            self._write(cursor, "answer (response_id, item_code, value_int, value_text, "
                        "missing_code)", self.answers)
            self.answers = []
        cursor.close()

    def _write(self, cursor, table: str, rows: list[tuple]):
        if self.postgres:
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
            buffer.seek(0)
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(buffer.read())
        else:
            marks = ", ".join("?" * len(rows[0]))
            cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)

    def finish(self):
        self._flush()
