"""A sampled investigation at province scale: `python -m bench.bench_investigation`.

A frame of BENCH_FRAME_ROWS resolved dossiers (default 2,000,000; every one with a phone
number and a name, the worst case for the sealing) over 14 districts and 140 communes is
written as CSV, then timed on a fresh database:

* baseline: what a one-off script does with the same file: csv.reader and one executemany
  (SQLite) or COPY (PostgreSQL) of its rows into a bare table, no checks, no contacts sealed;
* `hailong investigation frame-import` (the service): every row checked, strata and PSUs
  keyed, contacts sealed, chunked inserts and the frame's indexes;
* the draw of a SIPAS-sized stratified sample (unit × service area, minimum 30 per stratum)
  and, on the same dossiers copied in SQL to a second investigation stratified by service
  area, of a two-stage sample (communes by PPS, 15 dossiers each), each stored with its π.

Baselines measured in the same run: for the import, the bare load above; for the draw, the
bare read of the frame's ids and strata on the driver (what any draw must read). The previous
run's figures (the results file before this run overwrites it) are shown beside, with its load
average: on the shared 2-core machine the load moves every wall-clock figure.

Target (issue #20): import + draw within 60 s. Results: bench/results/investigation.{json,md}.
BENCH_POSTGRES=0 skips PostgreSQL.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import random
import resource
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

from bench import postgres
from bench.app import RESULTS, app_for, scratch_sqlite
from survey.extensions import db

TARGET_SECONDS = 60.0
DISTRICTS, COMMUNES_PER_DISTRICT = 14, 10
PROCEDURES = (("LAND-01", "land", "district"), ("LAND-02", "land", "district"),
              ("CONS-01", "construction", "district"), ("MAR-01", "marriage", "commune"),
              ("ID-01", "id_card", "commune"))
KEY = "q7dmh2DgUgOtl3vK9fmHkmpWJ2sG2B9bYMsNfAQwTjw="


def write_frame(path: Path, rows: int, seed: int = 20) -> None:
    """`rows` valid dossiers of 2025: district procedures at the district, commune ones at a
    commune; each with its commune (the PSU), a phone number and a name."""
    rng = random.Random(seed)
    communes = [(f"D{d:02d}", f"D{d:02d}-C{c:02d}") for d in range(DISTRICTS)
                for c in range(COMMUNES_PER_DISTRICT)]
    days = [(date(2025, 1, 1) + timedelta(days=i)).strftime("%d/%m/%Y") for i in range(365)]
    kinds = ("individual", "individual", "individual", "organisation")
    with open(path, "w", encoding="utf-8", newline="") as fp:
        writer = csv.writer(fp, lineterminator="\n")
        writer.writerow(["dossier_code", "procedure", "unit", "applicant_type", "resolved_on",
                         "commune", "contact_name", "phone"])
        for i in range(rows):
            district, commune = communes[rng.randrange(len(communes))]
            procedure, _area, level = PROCEDURES[rng.randrange(len(PROCEDURES))]
            writer.writerow([f"000.00.{i:08d}", procedure,
                             district if level == "district" else commune,
                             kinds[rng.randrange(4)], days[rng.randrange(365)], commune,
                             f"Nguyễn Văn {i % 977}", f"09{i:08d}"])


def build_reference() -> None:
    from survey.models import Procedure, ServiceArea, Unit
    from survey.services.questionnaires import load_and_publish_builtins
    from survey.services.reference import load_service_areas

    load_service_areas()
    load_and_publish_builtins()
    province = Unit(code="P", name_vi="Tỉnh", level="province", path="/P/")
    db.session.add(province)
    for d in range(DISTRICTS):
        district = Unit(code=f"D{d:02d}", name_vi=f"Huyện {d}", level="district",
                        parent=province, path=f"/P/D{d:02d}/")
        db.session.add(district)
        for c in range(COMMUNES_PER_DISTRICT):
            code = f"D{d:02d}-C{c:02d}"
            db.session.add(Unit(code=code, name_vi=f"Xã {code}", level="commune",
                                parent=district, path=f"/P/D{d:02d}/{code}/"))
    areas = dict(db.session.execute(db.select(ServiceArea.code, ServiceArea.id)).all())
    for code, area, level in PROCEDURES:
        db.session.add(Procedure(code=code, name_vi=code, service_area_id=areas[area],
                                 level=level))
    db.session.commit()


def baseline(url: str, path: Path) -> float:
    """The bare load of the same file into a bare table, on the same database kind."""
    started = time.perf_counter()
    with open(path, encoding="utf-8", newline="") as fp:
        reader = csv.reader(fp)
        next(reader)
        if url.startswith("sqlite"):
            connection = sqlite3.connect(url.removeprefix("sqlite:///"))
            connection.execute("CREATE TABLE bare_frame (a, b, c, d, e, f, g, h)")
            connection.executemany("INSERT INTO bare_frame VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                   reader)
            connection.commit()
            connection.execute("DROP TABLE bare_frame")
            connection.close()
        else:
            import psycopg
            from sqlalchemy.engine import make_url

            with psycopg.connect(make_url(url).set(drivername="postgresql")
                                 .render_as_string(hide_password=False)) as connection:
                connection.execute("CREATE TABLE bare_frame (a text, b text, c text, d text, "
                                   "e text, f text, g text, h text)")
                with connection.cursor().copy("COPY bare_frame FROM STDIN") as copy:
                    for row in reader:
                        copy.write_row(row)
                connection.commit()
                connection.execute("DROP TABLE bare_frame")
                connection.commit()
    return time.perf_counter() - started


def bare_read(url: str, investigation_id: int) -> float:
    """The draw's baseline: the frame's ids and strata read on a bare driver connection."""
    started = time.perf_counter()
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        connection.execute("SELECT id, stratum_key FROM frame_dossier WHERE investigation_id = ?",
                           (investigation_id,)).fetchall()
        connection.close()
    else:
        import psycopg
        from sqlalchemy.engine import make_url

        with psycopg.connect(make_url(url).set(drivername="postgresql")
                             .render_as_string(hide_password=False)) as connection:
            connection.execute("SELECT id, stratum_key FROM frame_dossier "
                               "WHERE investigation_id = %s", (investigation_id,)).fetchall()
    return time.perf_counter() - started


def measure(url: str, path: Path, label: str) -> dict:
    from flask_migrate import upgrade

    from survey.services.investigation.draw import draw_sample
    from survey.services.investigation.frame_import import import_frame
    from survey.services.investigation.investigations import create

    app = app_for(url)
    app.config["CONTACT_KEY"] = KEY
    out: dict = {}
    with app.app_context():
        upgrade()
        build_reference()
        db.engine.dispose()
    out["baseline_seconds"] = baseline(url, path)
    print(f"   {label} baseline (bare load): {out['baseline_seconds']:.1f} s", flush=True)
    with app.app_context():
        one = create("BENCH-1", "Bench one stage", "land_survey", date(2025, 1, 1),
                     date(2025, 12, 31), {"size": {"method": "sipas"}}, actor="bench")
        two = create("BENCH-2", "Bench two stages", "land_survey", date(2025, 1, 1),
                     date(2025, 12, 31), {"strata": ["service_area"], "stages": "two",
                                          "dossiers_per_psu": 15, "size": {"method": "sipas"}},
                     actor="bench")
        db.session.commit()
        data = path.read_bytes()
        started, cpu = time.perf_counter(), time.process_time()
        result = import_frame(one, data, path.name, actor="bench")
        db.session.commit()
        out["import_seconds"] = time.perf_counter() - started
        out["import_cpu_seconds"] = time.process_time() - cpu
        out["rows"], out["contacts"] = result.rows, result.contacts
        print(f"   {label} import: {out['import_seconds']:.1f} s", flush=True)
        out["draw_baseline_seconds"] = bare_read(url, one.id)
        started, cpu = time.perf_counter(), time.process_time()
        drawn = draw_sample(one, seed=2025, actor="bench")
        db.session.commit()
        out["draw_seconds"] = time.perf_counter() - started
        out["draw_cpu_seconds"] = time.process_time() - cpu
        out["cases"], out["strata"] = drawn.cases, drawn.strata
        print(f"   {label} draw: {out['draw_seconds']:.1f} s ({drawn.cases} cases)", flush=True)
        _copy_frame(one.id, two.id)
        started = time.perf_counter()
        drawn_two = draw_sample(two, seed=2025, actor="bench")
        db.session.commit()
        out["two_stage_draw_seconds"] = time.perf_counter() - started
        out["two_stage_cases"] = drawn_two.cases
        db.session.remove()
        db.engine.dispose()
    out["import_and_draw_seconds"] = out["import_seconds"] + out["draw_seconds"]
    out["ratio_to_baseline"] = out["import_seconds"] / out["baseline_seconds"]
    out["within_target"] = out["import_and_draw_seconds"] <= TARGET_SECONDS
    return out


def _copy_frame(source: int, target: int) -> None:
    """The two-stage investigation's frame: the same dossiers, stratified by service area,
    copied in SQL (the import is timed once, above)."""
    db.session.execute(db.text(
        "INSERT INTO frame_dossier (investigation_id, line, dossier_code, procedure_code, "
        "unit_id, service_area_id, applicant_type, resolved_on, stratum_key, psu_key) "
        "SELECT :target, f.line, f.dossier_code, f.procedure_code, f.unit_id, "
        "f.service_area_id, f.applicant_type, f.resolved_on, a.code, f.psu_key "
        "FROM frame_dossier f JOIN service_area a ON a.id = f.service_area_id "
        "WHERE f.investigation_id = :source"), {"source": source, "target": target})
    db.session.commit()


def markdown(results: dict) -> str:
    lines = ["| what | measured | baseline in the same run | ratio | target |",
             "|---|---|---|---|---|"]
    for label, r in results["databases"].items():
        if "skipped" in r:
            lines.append(f"| {label} | skipped: {r['skipped']} | — | — | — |")
            continue
        rows = f"{r['rows']:,}"
        lines.append(
            f"| frame import of {rows} dossiers ({r['contacts']:,} contacts sealed), {label} | "
            f"{r['import_seconds']:.1f} s ({r['rows'] / r['import_seconds']:,.0f} rows/s) | "
            f"bare load {r['baseline_seconds']:.1f} s | {r['ratio_to_baseline']:.1f}× | — |")
        lines.append(
            f"| stratified draw (SIPAS n, {r['strata']} strata, {r['cases']:,} cases), "
            f"{label} | {r['draw_seconds']:.1f} s | bare read of the frame "
            f"{r['draw_baseline_seconds']:.1f} s | "
            f"{r['draw_seconds'] / r['draw_baseline_seconds']:.1f}× | — |")
        before = results.get("previous", {}).get(label, {})
        was = (f"; previous run {before['import_and_draw_seconds']:.1f} s at load "
               f"{results['previous']['load_average']:.1f}"
               if "import_and_draw_seconds" in before else "")
        lines.append(
            f"| import + draw, {label} | {r['import_and_draw_seconds']:.1f} s{was} | — | — | "
            f"≤ {TARGET_SECONDS:.0f} s ({'met' if r['within_target'] else 'NOT met'}) |")
        lines.append(f"| two-stage draw (communes by PPS, {r['two_stage_cases']:,} cases), "
                     f"{label} | {r['two_stage_draw_seconds']:.1f} s | — | — | — |")
    for label, r in results["databases"].items():
        if "import_cpu_seconds" in r:
            lines.append(f"\n{label}: this process's CPU time: import "
                         f"{r['import_cpu_seconds']:.1f} s, draw {r['draw_cpu_seconds']:.1f} s")
    lines.append(f"\nframe file written in {results['file_seconds']:.1f} s; peak RSS "
                 f"{results['peak_rss_mb']:.0f} MB; load average (1 min) at the start "
                 f"{results['load_average']:.1f}, at the end {results['load_average_end']:.1f}, "
                 f"on {results['machine']['cpus']} CPUs (other processes' work slows every "
                 "wall-clock figure, the baselines' too)")
    return "\n".join(lines) + "\n"


def main() -> None:
    rows = int(os.environ.get("BENCH_FRAME_ROWS", "2000000"))
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
               "started": time.strftime("%Y-%m-%d %H:%M:%S"), "databases": {},
               "load_average": os.getloadavg()[0]}
    results["previous"] = _previous(rows)
    path = RESULTS / "tmp" / f"frame-{rows}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"== investigation: writing a frame of {rows:,} dossiers", flush=True)
    started = time.perf_counter()
    write_frame(path, rows)
    results["file_seconds"] = time.perf_counter() - started
    try:
        print("== investigation: SQLite", flush=True)
        url = scratch_sqlite("investigation")
        results["databases"]["SQLite"] = measure(url, path, "SQLite")
        for suffix in ("", "-wal", "-shm", ".writers"):
            Path(f"{url.removeprefix('sqlite:///')}{suffix}").unlink(missing_ok=True)
        pg_url = postgres.with_database(postgres.bench_url(), "hailong_bench_investigation")
        reason = postgres.unreachable(pg_url)
        if reason:
            results["databases"]["PostgreSQL"] = {"skipped": reason}
        else:
            print("== investigation: PostgreSQL", flush=True)
            postgres.recreate(pg_url)
            try:
                results["databases"]["PostgreSQL"] = measure(pg_url, path, "PostgreSQL")
            finally:
                postgres.drop(pg_url)
    finally:
        path.unlink(missing_ok=True)
    results["load_average_end"] = os.getloadavg()[0]
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "investigation.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "investigation.md").write_text(markdown(results))
    print(markdown(results))


def _previous(rows: int) -> dict:
    """The last run's import + draw per database and its load average, if it had as many
    rows (a run of another size is no comparison)."""
    try:
        last = json.loads((RESULTS / "investigation.json").read_text())
    except (OSError, ValueError):
        return {}
    out = {"load_average": last.get("load_average", 0.0), "started": last.get("started")}
    for label, r in last.get("databases", {}).items():
        if r.get("rows") == rows and "import_and_draw_seconds" in r:
            out[label] = {"import_and_draw_seconds": r["import_and_draw_seconds"]}
    return out


if __name__ == "__main__":
    main()
