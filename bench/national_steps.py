"""The phases of `bench.national`, each one transaction (or one idempotent step), and the
record of which ones are done."""

from __future__ import annotations

import json
import re
import secrets

import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import reports
from bench.generate import (
    YEARS,
    Province,
    build_units,
    survey_items,
    write_counts,
    write_responses,
)
from bench.loading import (
    ANSWER_COLUMNS,
    RESPONSE_COLUMNS,
    copy_rows,
    drop_secondary,
    libpq_url,
)
from survey.extensions import db

SEED = 2031
STATE = "bench_national_state"


def exists(url: str) -> bool:
    name = make_url(url).database
    engine = create_engine(make_url(url).set(database="postgres"))
    with engine.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                   {"n": name}).first()
    engine.dispose()
    return found is not None


def size_of(url: str) -> int:
    """Bytes the database at `url` takes now."""
    engine = create_engine(make_url(url).set(database="postgres"))
    with engine.connect() as connection:
        size = connection.execute(text("SELECT pg_database_size(:n)"),
                                  {"n": make_url(url).database}).scalar()
    engine.dispose()
    return size


def data_directory(url: str) -> str | None:
    """Where the server keeps its files (readable when it runs on this machine as a
    superuser's cluster), to compare the estimate with the free space."""
    engine = create_engine(make_url(url).set(database="postgres"))
    try:
        with engine.connect() as connection:
            return connection.execute(text("SHOW data_directory")).scalar()
    except Exception:  # not a superuser: the estimate alone is printed
        return None
    finally:
        engine.dispose()


def database_bytes() -> int:
    return db.session.execute(text("SELECT pg_database_size(current_database())")).scalar()


class State:
    """Phases done so far, kept in the database they describe."""

    def __init__(self, responses: int):
        db.session.execute(text(f"CREATE TABLE IF NOT EXISTS {STATE} (phase text PRIMARY KEY, "
                                "seconds double precision, detail text, "
                                "done_at timestamptz DEFAULT now())"))
        db.session.commit()
        rows = db.session.execute(text(f"SELECT phase, seconds, detail FROM {STATE} "
                                       "ORDER BY done_at")).all()
        self.done = {p: {"seconds": s, "detail": json.loads(d) if d else None}
                     for p, s, d in rows}
        size = self.done.get("size")
        if size and size["detail"]["responses"] != responses:
            raise SystemExit(f"this database was begun with {size['detail']['responses']:,} "
                             "responses: give the same --responses, or --restart")
        if not size:
            self.record("size", 0.0, {"responses": responses})
        self.responses = responses

    def record(self, phase: str, seconds: float, detail: dict | None) -> None:
        db.session.execute(text(f"INSERT INTO {STATE} (phase, seconds, detail) VALUES "
                                "(:p, :s, :d)"), {"p": phase, "s": seconds,
                                                  "d": json.dumps(detail) if detail else None})
        db.session.commit()
        self.done[phase] = {"seconds": seconds, "detail": detail}

    def report(self) -> dict:
        return {"responses": self.responses,
                "phases": {k: v for k, v in self.done.items() if k != "size"}}


def year_ranges(responses: int) -> list[tuple[int, int, int]]:
    """(year, first id, count): responses are numbered in time order, year after year."""
    per_year, out, first = responses // len(YEARS), [], 1
    for i, year in enumerate(YEARS.tolist()):
        count = per_year if i < len(YEARS) - 1 else responses - per_year * (len(YEARS) - 1)
        out.append((year, first, count))
        first += count
    return out


def plan(responses: int, raw: bool) -> list:
    phases = [("schema: migrations, reference data, answer partitioned by year", schema)]
    phases += [(f"load {year}: {count:,} responses (COPY)", _loader(year, first, count))
               for year, first, count in year_ranges(responses)]
    phases += [("indexes and constraints", finish), ("vacuum and analyse", analyse),
               ("overview: 3 API calls from the roll-ups", overview)]
    if raw:
        phases.append(("raw GROUP BY of the same 3 questions", raw_group_by))
    phases += [("demographic cross over the last year", demographic_year),
               ("migrations to head (roll-ups added since are counted from the answers)",
                migrate),
               ("dashboard page (cache emptied), against pandas", dashboard_page)]
    return phases


def schema(app, state) -> dict:
    from flask_migrate import upgrade

    upgrade()
    build_reference()
    connection = db.session.connection().connection.dbapi_connection
    # the secondary indexes and foreign keys are built once, after the load
    deferred = drop_secondary(connection, ("response", "answer"))
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE answer RENAME TO answer_unpartitioned")
        cursor.execute("CREATE TABLE answer (LIKE answer_unpartitioned INCLUDING DEFAULTS "
                       "INCLUDING CONSTRAINTS) PARTITION BY RANGE (response_id)")
        cursor.execute("DROP TABLE answer_unpartitioned")
        cursor.execute("ALTER TABLE answer ADD CONSTRAINT pk_answer "
                       "PRIMARY KEY (response_id, item_code)")
    db.session.commit()
    return {"deferred": deferred}


def build_reference() -> None:
    from survey.services.questionnaires import load_and_publish_builtins
    from survey.services.reference import load_service_areas

    load_service_areas()
    load_and_publish_builtins()
    build_units()
    db.session.commit()


def province() -> Province:
    from survey.services.questionnaires import get_version

    survey = get_version("land_survey")
    found = Province(
        np.array(db.session.execute(text("SELECT id FROM unit WHERE level <> 'province' "
                                         "ORDER BY id")).scalars().all()),
        dict(db.session.execute(text("SELECT code, id FROM service_area")).all()),
        survey.id, get_version("dossier_rating").id, *survey_items(survey))
    db.session.commit()
    return found


class _YearWriter:
    """COPY into `response`, the year's new answer partition (FREEZE: created in this
    transaction) and the roll-ups (each year's counts have their own keys)."""

    def __init__(self, connection, partition: str):
        self.connection, self.partition = connection, partition

    def _copy(self, table: str, columns, rows, freeze: bool = False) -> None:
        copy_rows(self.connection, table, columns, rows, freeze)

    def responses(self, *columns) -> None:
        self._copy("response", (*RESPONSE_COLUMNS, "received_at"),
                   zip(*columns, columns[7], strict=True))

    def answers(self, *columns) -> None:
        self._copy(self.partition, ANSWER_COLUMNS, zip(*columns, strict=True), freeze=True)

    def rows(self, table: str, columns, rows) -> None:
        self._copy(table, columns, rows)


def _loader(year: int, first: int, count: int):
    def load(app, state) -> dict:
        import psycopg

        where = province()
        partition = f"answer_y{year}"
        with psycopg.connect(libpq_url(db.engine.url)) as connection:
            connection.execute(f"CREATE TABLE {partition} PARTITION OF answer "
                               f"FOR VALUES FROM ({first}) TO ({first + count})")
            writer = _YearWriter(connection, partition)
            counter = where.counter()
            write_responses(writer, counter, np.random.default_rng(SEED + year), where,
                            first, count, years=[year])
            rows = write_counts(writer, counter)
            connection.commit()
        return {"first_id": first, "answer_count_rows": rows}
    return load


def finish(app, state) -> dict:
    deferred = state.done["schema: migrations, reference data, answer partitioned by year"][
        "detail"]["deferred"]
    for statement in deferred:
        db.session.execute(text(statement))
    db.session.execute(text("SELECT setval(pg_get_serial_sequence('response', 'id'), "
                            "(SELECT max(id) FROM response))"))
    db.session.commit()
    return {"statements": len(deferred)}


def analyse(app, state) -> dict:
    engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:  # VACUUM cannot run inside a transaction
        connection.execute(text("VACUUM (ANALYZE) response"))
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return {}


def _client(app):
    from survey.services.accounts import create_api_key

    key = create_api_key(f"national-{secrets.token_hex(4)}", "analyst").key
    db.session.commit()
    return app.test_client(), {"Authorization": f"Bearer {key}"}


def overview(app, state) -> dict:
    client, headers = _client(app)
    cold = sum(reports.timed(lambda k=k, d=d: reports._cold(client, headers, k, d), 3)
               for k, d in reports.OVERVIEW)
    cached = sum(reports.timed(lambda k=k, d=d: client.get(
        f"/api/v1/{k}?by={','.join(d)}", headers=headers), 3) for k, d in reports.OVERVIEW)
    return {"cold_ms": cold * 1000, "cached_ms": cached * 1000}


def raw_group_by(app, state) -> dict:
    seconds = sum(reports.timed(lambda k=k, d=d: reports._report(k, d, False), 1, warm=False)
                  for k, d in reports.OVERVIEW)
    db.session.rollback()
    ours = state.done.get("overview: 3 API calls from the roll-ups")
    ratio = seconds * 1000 / ours["detail"]["cold_ms"] if ours else None
    return {"seconds": seconds, "times_the_overview": ratio}


def demographic_year(app, state) -> dict:
    from survey.services.reporting import Grouping, Measure, References, Scope, fetch_cells

    year = int(YEARS[-1])
    scope = Scope(year_from=year, year_to=year)
    seconds = reports.timed(lambda: fetch_cells(scope, Grouping.parse(["demographic:sex"]),
                                                Measure("overall"), References.load()), 1,
                            warm=False)
    plan = db.session.execute(text(
        "EXPLAIN " + reports.RAW_DEMOGRAPHIC_SQL.text.replace(
            "WHERE vi.is_overall", f"WHERE vi.is_overall AND r.year = {year}"))).scalars()
    partitions = {match for line in plan for match in re.findall(r"answer_y\d{4}\b", line)}
    db.session.rollback()
    return {"year": year, "seconds": seconds, "partitions_scanned": len(partitions)}


def migrate(app, state) -> dict:
    """A database loaded before a later migration gets its new tables here, as an upgraded
    deployment would (0007 counts the element roll-ups of every stored answer)."""
    from flask_migrate import upgrade

    before = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    db.session.commit()
    upgrade()
    after = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    db.session.commit()
    return {"from": before, "to": after}


def dashboard_page(app, state) -> dict:
    from bench import dashboard

    out = dashboard.measure(app, repeat=3)
    return {k: v for k, v in out.items() if k.startswith("dashboard_")}
