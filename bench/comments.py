"""Comment search at scale: `python -m bench.comments` (part of `make bench`; issue #21).

BENCH_COMMENTS responses (default 200,000) of the land survey, each with an open-text comment
(plus its overall rating and the respondent's sex, so the answer table is not all comments),
dated over five years in 180 units, are written to a fresh SQLite file and a fresh PostgreSQL
database (`BENCH_POSTGRES_URL`'s server, database hailong_bench_comments; BENCH_POSTGRES=0
skips it). The rows go in through the database's triggers, as the application's writers store
them, so the search index is what production would hold.

Each search is timed (median of BENCH_COMMENTS_REPEAT runs, warm) through the service the
comments page calls (`comment_page`, loading the reference tables as each request does):
browsing newest first, a common phrase without its diacritics ("dat dai" for "đất đai"), a
rare word, a query nothing matches, one unit's comments, and the 40th page (by its key).
Beside each, the path it replaces, measured in the same run on the same data: the Python
loop over every text answer with OFFSET paging, masking each one before matching
(`old_comments`, kept here as it was), stopped after BENCH_COMMENTS_OLD_LIMIT seconds (default
60; its OFFSET pages make a search that reads every comment grow with the square of their
number). Target: every search ≤ 200 ms.
Results: bench/results/comments.{json,md}.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
from flask_migrate import upgrade
from sqlalchemy import text

import analysis
from bench import postgres
from bench.app import RESULTS, app_for, scratch_sqlite
from bench.generate import build_units
from bench.loading import copy_rows, libpq_url
from survey.extensions import db
from survey.models import Answer, Response, Unit, VersionItem
from survey.services.masking import mask_text
from survey.services.questionnaires import get_version, load_and_publish_builtins
from survey.services.reference import load_service_areas
from survey.services.reporting.cells import References, answers_in_scope
from survey.services.reporting.comments import comment_page
from survey.services.reporting.scope import Scope

TARGET_SECONDS = 0.200
OLD_LIMIT_SECONDS = float(os.environ.get("BENCH_COMMENTS_OLD_LIMIT", "60"))
CHUNK = 50_000
# Fragments of what citizens write; the generator strings two or three together.
COMMON = ("Cán bộ tiếp đón nhiệt tình", "Thời gian chờ hơi lâu", "Phòng chờ chật, nóng",
          "Nên có thêm ghế ngồi", "Thủ tục nhanh gọn", "Hướng dẫn rõ ràng, dễ hiểu",
          "Cần niêm yết phí, lệ phí công khai", "Bãi đỗ xe nhỏ", "Nhân viên thân thiện",
          "Nộp hồ sơ trực tuyến thuận tiện", "Trả kết quả đúng hẹn", "Máy lấy số hay hỏng",
          "Đề nghị mở thêm quầy", "Không phải đi lại nhiều lần", "Ưu tiên người cao tuổi")
LAND = "Hồ sơ đất đai giải quyết chậm"       # ~8 % of comments
RARE = "Đề nghị bổ sung dịch vụ công chứng"   # ~0.3 %
PII = "Liên hệ tôi qua số 0912345678"         # ~2 %, masked when stored
QUERIES = {"browse": "", "common phrase 'dat dai'": "dat dai", "rare 'cong chung'": "cong chung",
           "no match": "khong co tu nay", "phone number (masked)": "0912345678"}


def comment_texts(rng, size: int) -> list[str]:
    parts = np.array(COMMON, dtype=object)
    first, second = rng.integers(0, len(COMMON), size), rng.integers(0, len(COMMON), size)
    draw = rng.random(size)
    out = []
    for a, b, d in zip(first.tolist(), second.tolist(), draw.tolist(), strict=True):
        extra = LAND if d < 0.08 else RARE if d < 0.083 else PII if d < 0.103 else None
        words = [parts[a], parts[b]] + ([extra] if extra else [])
        out.append(mask_text(". ".join(words) + "."))
    return out


def generate(size: int, seed: int = 21) -> dict:
    """`size` land-survey responses with a comment each, written through the triggers."""
    load_service_areas()
    load_and_publish_builtins()
    unit_ids = np.array(build_units())
    version = get_version("land_survey")
    overall = next(i.code for i in version.items if i.is_overall)
    comment = next(i.code for i in version.items if i.item_type == "text")
    area = db.session.execute(text("SELECT id FROM service_area WHERE code = 'land'")).scalar()
    db.session.commit()
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    first = datetime(2021, 1, 1, 1, 0, tzinfo=UTC)
    postgresql = db.engine.dialect.name == "postgresql"
    raw = _raw_connection(postgresql)
    for start in range(0, size, CHUNK):
        n = min(CHUNK, size - start)
        ids = list(range(start + 1, start + n + 1))
        at = [first + timedelta(minutes=int(m)) for m in rng.integers(0, 5 * 525_600, n)]
        # as SQLAlchemy writes a DateTime on SQLite (the keyset compares the stored text)
        stamps = [a.strftime("%Y-%m-%d %H:%M:%S.%f") for a in at]
        units = rng.choice(unit_ids, n).tolist()
        responses = [(i, uuid.UUID(int=int(rng.integers(0, 2**62)) << 64 | i).hex,
                      version.id, u, area, "paper", "individual", s, s,
                      a.astimezone(UTC).year, a.month)
                     for i, u, s, a in zip(ids, units, stamps, at, strict=True)]
        answers = [row for i, t, v, sex in zip(
            ids, comment_texts(rng, n), rng.integers(1, 6, n).tolist(),
            rng.choice(["male", "female"], n).tolist(), strict=True)
            for row in ((i, overall, v, None), (i, "sex", None, sex), (i, comment, None, t))]
        _insert(raw, postgresql, responses, answers)
    if postgresql:
        raw.execute("SELECT setval(pg_get_serial_sequence('response', 'id'), "
                    "(SELECT max(id) FROM response))")
        raw.commit()
        raw.execute("ANALYZE")
        raw.commit()
    raw.close()
    return {"responses": size, "write_seconds": time.perf_counter() - started}


RESPONSE_ROW = ("id", "uuid", "version_id", "unit_id", "service_area_id", "channel",
                "respondent_type", "submitted_at", "received_at", "year", "month")
ANSWER_ROW = ("response_id", "item_code", "value_int", "value_text")


def _raw_connection(postgresql: bool):
    if postgresql:
        import psycopg

        return psycopg.connect(libpq_url(db.engine.url))
    import sqlite3

    connection = sqlite3.connect(db.engine.url.database, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    return connection


def _insert(raw, postgresql: bool, responses: list[tuple], answers: list[tuple]) -> None:
    if postgresql:  # COPY fires the statement triggers once, with every row in its table
        copy_rows(raw, "response", RESPONSE_ROW, responses)
        copy_rows(raw, "answer", ANSWER_ROW, answers)
        raw.commit()
        return
    raw.execute("BEGIN")
    for table, columns, rows in (("response", RESPONSE_ROW, responses),
                                 ("answer", ANSWER_ROW, answers)):
        marks = ", ".join("?" * len(columns))
        raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
    raw.execute("COMMIT")


class GaveUp(Exception):
    """The old path ran past OLD_LIMIT_SECONDS: reported as "more than" that."""


def old_comments(scope: Scope, query: str = "", page: int = 1, per_page: int = 25,
                 refs: References | None = None):
    """The path replaced (survey/services/reporting/comments.py before issue #21), verbatim
    but for its name and a time limit: every text answer read in OFFSET pages (each page sorts
    the scope again, so a search that reads them all grows with the square of their number) and
    masked in Python."""
    deadline = time.perf_counter() + OLD_LIMIT_SECONDS
    from survey.services.reporting.comments import fold

    refs = refs or References.load()
    wanted = fold(query.strip())
    skip, found = (page - 1) * per_page, []
    base = (
        answers_in_scope(scope, refs, scope.stream, Response.submitted_at, Response.id,
                         Unit.code, Answer.item_code, Answer.value_text)
        .join(Unit, Unit.id == Response.unit_id)
        .where(VersionItem.item_type == "text", Answer.value_text.is_not(None))
        .order_by(Response.submitted_at.desc(), Response.id.desc())
    )
    offset = 0
    while True:
        if time.perf_counter() > deadline:
            raise GaveUp
        batch = db.session.execute(base.offset(offset).limit(500)).all()
        for _at, _rid, _unit, _item, value in batch:
            masked = analysis.mask_pii(value)
            if wanted and wanted not in fold(masked):
                continue
            if skip:
                skip -= 1
                continue
            if len(found) == per_page:
                return found, True
            found.append(masked)
        if len(batch) < 500:
            return found, False
        offset += 500


def _timed(call, repeat: int) -> tuple[float, object]:
    """The median time of `repeat` calls and the last result; (None, None) if it gave up."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            result = call()
        except GaveUp:
            db.session.rollback()
            return None, None
        times.append(time.perf_counter() - started)
        db.session.rollback()
        if times[-1] > 5:  # the old path: one run says enough
            break
    return statistics.median(times), result


def measure(repeat: int) -> dict:
    scope = Scope()
    one_unit = Scope(unit=db.session.execute(text(
        "SELECT code FROM unit WHERE level = 'district' ORDER BY code LIMIT 1")).scalar())
    out = {}
    cases = [(name, scope, q) for name, q in QUERIES.items()] + [
        ("one district (and its communes), 'dat dai'", one_unit, "dat dai")]
    for name, where, query in cases:
        new, page = _timed(lambda w=where, q=query: comment_page(w, q), repeat)
        old, result = _timed(lambda w=where, q=query: old_comments(w, q), repeat)
        if result is not None:
            assert [c.text for c in page.comments] == result[0], name  # the same comments
        out[name] = {"new_seconds": new, "old_seconds": old, "found": len(page.comments)}
    # the 40th page: keyset (the key of the 39th page's last comment) against OFFSET
    key, page = None, None
    for _ in range(39):
        page = comment_page(scope, "", after=key)
        key = page.older
    new, _page = _timed(lambda: comment_page(scope, "", after=key), repeat)
    old, _found = _timed(lambda: old_comments(scope, "", page=40), repeat)
    out["browse, page 40"] = {"new_seconds": new, "old_seconds": old, "found": 25}
    return out


def run_engine(url: str, size: int, repeat: int) -> dict:
    app = app_for(url)
    with app.app_context():
        upgrade()
        summary = generate(size)
        db.session.remove()  # a snapshot from before the raw connection wrote would see none
        summary["comments_indexed"] = db.session.execute(
            text("SELECT count(*) FROM comment_search")).scalar()
        db.session.commit()
        summary["searches"] = measure(repeat)
        db.session.remove()
        db.engine.dispose()
    return summary


def markdown(results: dict) -> str:
    lines = [f"# Comment search at {results['size']:,} comments (issue #21)", "",
             f"{results['machine']}; median of {results['repeat']} warm runs; target "
             f"≤ {TARGET_SECONDS * 1000:.0f} ms.", ""]
    for engine, summary in results["engines"].items():
        if "skipped" in summary:
            lines += [f"## {engine}: skipped ({summary['skipped']})", ""]
            continue
        lines += [f"## {engine}", "",
                  f"written through the triggers in {summary['write_seconds']:.1f} s; "
                  f"{summary['comments_indexed']:,} comments indexed", "",
                  "| search | database (ms) | Python loop before (ms) | speed-up | ≤ 200 ms |",
                  "|---|---:|---:|---:|:-:|"]
        for name, row in summary["searches"].items():
            new, old = row["new_seconds"], row["old_seconds"]
            before = (f"{old * 1000:,.0f} | {old / new:,.0f}×" if old is not None else
                      f"> {OLD_LIMIT_SECONDS * 1000:,.0f} (stopped) | > "
                      f"{OLD_LIMIT_SECONDS / new:,.0f}×")
            lines.append(f"| {name} | {new * 1000:.1f} | {before} | "
                         f"{'yes' if new <= TARGET_SECONDS else 'NO'} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    size = int(os.environ.get("BENCH_COMMENTS", "200000"))
    repeat = int(os.environ.get("BENCH_COMMENTS_REPEAT", "5"))
    results = {"size": size, "repeat": repeat,
               "machine": f"{platform.processor() or platform.machine()}, "
                          f"{os.cpu_count()} cores, Python {platform.python_version()}",
               "engines": {}}
    url = scratch_sqlite("comments")
    print(f"== SQLite, {size:,} comments", flush=True)
    results["engines"]["SQLite"] = run_engine(url, size, repeat)
    for suffix in ("", "-wal", "-shm"):
        (RESULTS / "tmp" / f"comments.db{suffix}").unlink(missing_ok=True)
    pg = postgres.with_database(postgres.bench_url(), "hailong_bench_comments")
    reason = postgres.unreachable(pg)
    if reason:
        results["engines"]["PostgreSQL"] = {"skipped": reason}
    else:
        print(f"== PostgreSQL, {size:,} comments", flush=True)
        postgres.recreate(pg)
        try:
            results["engines"]["PostgreSQL"] = run_engine(pg, size, repeat)
        finally:
            if os.environ.get("BENCH_KEEP") != "1":
                postgres.drop(pg)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "comments.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "comments.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
