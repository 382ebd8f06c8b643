"""Background jobs: a large upload runs off the request, its progress moves, and only its
owner (or an admin) reads its state and its file; embedded (SQLite, no Redis) and on Redis."""

from __future__ import annotations

import io
import os
import time
import uuid

import pytest

from survey.extensions import db
from survey.jobs import jobs
from survey.models import Response
from tests.conftest import csrf_from
from tests.design.helpers import login
from tests.entry.conftest import entry_app, stop_jobs
from tests.entry.test_upload import csv_file, problems, upload

ROWS = 3_000  # PROGRESS_EVERY is 500: several progress reports


def redis_url() -> str | None:
    return os.environ.get("TEST_REDIS_URL") or None


@pytest.fixture(params=["sqlite", "redis"])
def app(request, tmp_path):
    extra = {"JOBS_INLINE_MAX_BYTES": 0, "JOBS_BACKEND": request.param}
    if request.param == "redis":
        if redis_url() is None:
            pytest.skip("TEST_REDIS_URL is not set")
        # a queue of its own on the test server, emptied after
        extra["REDIS_URL"] = redis_url()
        extra["JOBS_QUEUE_NAME"] = f"hailong-test-{uuid.uuid4().hex[:8]}"
        app = entry_app(tmp_path, **extra)
        from huey import RedisHuey

        assert isinstance(jobs(app).huey, RedisHuey)
        yield app
        stop_jobs(app)
        jobs(app).huey.storage.flush_all()
        return
    app = entry_app(tmp_path, **extra)
    yield app
    stop_jobs(app)


def wait_for(client, url: str, seconds: float = 120.0) -> list[dict]:
    """Every distinct state the status endpoint reports until the job has finished."""
    seen: list[dict] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = client.get(url).get_json()
        if not seen or state != seen[-1]:
            seen.append(state)
        if state["state"] in ("done", "rejected", "failed"):
            return seen
        time.sleep(0.05)  # a poll interval, not a wait for something that has an event
    pytest.fail(f"the job did not finish in {seconds} s: {seen[-1]}")


def big_file(rows: int = ROWS, bad_last: bool = False) -> bytes:
    lines = [f"{1 + i % 28:02d}/{1 + i % 12:02d}/2025,{2 + i % 2},,"
             if i % 5 else f"{1 + i % 28}/{1 + i % 12}/2025,3,," for i in range(rows)]
    if bad_last:
        lines[-1] = "31/04/2025,3,,"
    return csv_file(*lines)


def stored(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(Response)).scalar()


def test_a_large_upload_runs_as_a_job_with_progress_and_a_summary(app, client):
    login(client, "data_entry")
    response = upload(client, big_file())
    assert response.status_code == 303
    page_url = response.headers["Location"]
    job_id = page_url.rstrip("/").rsplit("/", 1)[1]
    page = client.get(page_url).text
    assert 'id="job-bar"' in page and "entry/progress.js" in page
    states = wait_for(client, f"/jobs/{job_id}")
    assert states[-1]["state"] == "done", states[-1]["problems"][:5]
    assert states[-1]["result"]["imported"] == ROWS and stored(app) == ROWS
    assert states[-1]["percent"] == 100 and states[-1]["done"] == ROWS
    # the bar moved through intermediate values, never backwards
    dones = [s["done"] for s in states]
    assert dones == sorted(dones)
    done_page = client.get(page_url).text
    assert f"{ROWS} phiếu đã được lưu" in done_page
    # the uploaded file is gone once imported
    with app.app_context():
        assert not list((jobs(app).directory(job_id)).glob("upload*"))


def test_progress_is_reported_while_the_job_runs(app):
    """The job's state changes under the runner, read through a second store (as another
    gunicorn worker would read it)."""
    from survey.jobs.store import JobStore

    reports = []
    with app.test_request_context():
        queue = jobs(app)
        job = queue.new("paper_import", "data_entry", {
            "filename": "big.csv", "upload": "upload.csv", "lang": "vi",
            "envelope": {"questionnaire": "dossier_rating", "unit": "HN-X01"}})
        (queue.directory(job.id) / "upload.csv").write_bytes(big_file())
        other = JobStore(queue.huey)
        from survey.services import paper_import

        real = paper_import.import_file

        def watched(*args, progress, **kwargs):
            def hook(done, total):
                progress(done, total)
                reports.append((done, other.get(job.id).done))
            return real(*args, progress=hook, **kwargs)

        paper_import.import_file = watched
        try:
            queue.run_inline(job)
        finally:
            paper_import.import_file = real
    assert reports[0][0] == 0 and reports[-1] == (ROWS, ROWS)
    assert any(0 < done < ROWS for done, _ in reports)


def test_a_rejected_job_lists_problems_and_stores_nothing(app, client):
    login(client, "data_entry")
    response = upload(client, big_file(bad_last=True))
    job_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    states = wait_for(client, f"/jobs/{job_id}")
    assert states[-1]["state"] == "rejected"
    assert states[-1]["problems"][0][:2] == [ROWS + 1, "submitted_at"]
    assert stored(app) == 0
    found = problems(client.get(response.headers["Location"]).text)
    assert found[0][1:3] == (str(ROWS + 1), "submitted_at")
    assert "tháng 4 năm 2025 không có ngày 31" in found[0][3]


def test_only_the_owner_or_an_admin_reads_a_job_and_its_file(app, client):
    with app.test_request_context():
        queue = jobs(app)
        job = queue.new("paper_import", "data_entry", {"filename": "x.csv"})
        path = queue.directory(job.id) / "result.csv"
        path.write_text("a,b\n1,2\n", encoding="utf-8")
        from dataclasses import replace

        queue.store.save(replace(job, state="done", result={"file": "result.csv"}))
    for who, status in (("data_entry", 200), ("admin", 200), ("analyst", 404),
                        ("unit_officer", 404)):
        other = app.test_client()
        login(other, who)
        assert other.get(f"/jobs/{job.id}").status_code == status, who
        download = other.get(f"/jobs/{job.id}/file")
        assert download.status_code == status, who
        if status == 200:
            assert download.data == b"a,b\n1,2\n"
        download.close()
    assert app.test_client().get(f"/jobs/{job.id}").status_code == 302  # to the login
    login(client, "data_entry")
    assert client.get("/jobs/" + "0" * 32).status_code == 404
    assert client.get("/jobs/../etc").status_code == 404
    token = csrf_from(client.get("/entry/").text)
    assert token  # the page still answers after the jobs above


def test_the_csv_upload_through_the_job_matches_the_inline_one(app, client, tmp_path):
    """The same file stores the same responses either way (ids derived from file and row)."""
    data = csv_file("05/11/2025,3,,", "06/11/2025,1,long_wait,Chờ lâu")
    login(client, "data_entry")
    response = upload(client, data)
    job_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    assert wait_for(client, f"/jobs/{job_id}")[-1]["result"]["imported"] == 2
    with app.app_context():
        ids = set(db.session.execute(db.select(Response.uuid)).scalars())
    app.config["JOBS_INLINE_MAX_BYTES"] = 10_000
    again = upload(client, data)
    assert again.status_code == 200 and "0 phiếu đã được lưu, 2 phiếu đã có" in again.text
    with app.app_context():
        assert set(db.session.execute(db.select(Response.uuid)).scalars()) == ids
    assert io  # noqa: B018 - imported for the fixtures' uploads


def test_an_xlsx_export_runs_as_a_job_and_only_its_owner_downloads_it(app, client, tmp_path):
    from openpyxl import load_workbook

    app.config["JOBS_INLINE_MAX_BYTES"] = 1_000_000
    login(client, "data_entry")
    data = csv_file(*[f"{1 + i % 28:02d}/{1 + i % 12:02d}/2025,{2 + i % 2},," for i in range(1200)])
    assert upload(client, data).status_code == 200
    analyst = app.test_client()
    login(analyst, "analyst")
    page = analyst.get("/dashboard/export?from=2025&to=2025").text
    assert 'action="/jobs/export?' in page
    token = csrf_from(page)
    started = analyst.post("/jobs/export?from=2025&to=2025", data={
        "csrf_token": token, "fmt": "xlsx", "stream": "dossier_rating"})
    assert started.status_code == 303
    job_id = started.headers["Location"].split("/")[2]
    states = wait_for(analyst, f"/jobs/{job_id}")
    assert states[-1]["state"] == "done", states[-1]
    assert states[-1]["result"]["rows"] == 1200 and states[-1]["done"] == 1200
    done_page = analyst.get(started.headers["Location"]).text
    assert f"/jobs/{job_id}/file" in done_page and "dossier" in done_page
    download = analyst.get(f"/jobs/{job_id}/file")
    assert download.status_code == 200
    assert "dossier-ratings" in download.headers["Content-Disposition"]
    path = tmp_path / "export.xlsx"
    path.write_bytes(download.data)
    download.close()
    book = load_workbook(path, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()  # read-only workbooks keep their file open until closed
    header = next(i for i, r in enumerate(rows) if r and "response_id" in r)
    column = rows[header].index("response_id")
    exported = {r[column] for r in rows[header + 1:] if r and r[column]}
    with app.app_context():
        expected = {str(u) for u in db.session.execute(db.select(Response.uuid)).scalars()}
    assert exported == expected and len(expected) == 1200
    # neither another analyst nor the uploader may read it
    for who in ("data_entry", "unit_officer"):
        other = app.test_client()
        login(other, who)
        assert other.get(f"/jobs/{job_id}/file").status_code == 404
        assert other.get(f"/jobs/{job_id}/page").status_code == 404
    bad = analyst.post("/jobs/export", data={"csrf_token": token, "fmt": "exe"})
    assert bad.status_code == 400


def test_an_external_worker_process_runs_a_queued_job_on_redis(tmp_path):
    """JOBS_CONSUMER=external: the web only queues; `hailong jobs worker` (another process)
    runs the job, and the web reads its state from Redis."""
    import subprocess
    import sys
    from pathlib import Path

    if redis_url() is None:
        pytest.skip("TEST_REDIS_URL is not set")
    name = f"hailong-test-{uuid.uuid4().hex[:8]}"
    app = entry_app(tmp_path, JOBS_BACKEND="redis", JOBS_CONSUMER="external",
                    REDIS_URL=redis_url(), JOBS_QUEUE_NAME=name)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": "test-secret-key", "JOBS_BACKEND": "redis",
           "JOBS_CONSUMER": "external", "REDIS_URL": redis_url(), "JOBS_QUEUE_NAME": name,
           "JOBS_DIR": app.config["JOBS_DIR"], "PYTHONPATH": str(root)}
    worker = None
    try:
        with app.app_context():
            queue = jobs(app)
            assert queue.consumer is None
            job = queue.new("paper_import", "data_entry", {
                "filename": "p.csv", "upload": "upload.csv", "lang": "en",
                "envelope": {"questionnaire": "dossier_rating", "unit": "HN-X01"},
                "delete_after": ["upload.csv"]})
            (queue.directory(job.id) / "upload.csv").write_bytes(
                csv_file("05/11/2025,3,,", "06/11/2025,2,,"))
            queue.submit(job)
            assert queue.store.get(job.id).state == "queued"
        worker = subprocess.Popen(
            [sys.executable, "-c", "from survey.cli import main; main(prog_name='hailong')",
             "jobs", "worker", "--workers", "1"], env=env, cwd=root)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with app.app_context():
                state = jobs(app).store.get(job.id)
            if state.finished:
                break
            time.sleep(0.1)
        assert state.state == "done" and state.result["imported"] == 2, state
        assert stored(app) == 2
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(10)
        jobs(app).huey.storage.flush_all()
        stop_jobs(app)


def test_a_job_whose_process_ended_is_reported_as_failed(app, client):
    """A running job that has written nothing for STALE_SECONDS was ended with its process
    (a restart): its page stops waiting and says it could not finish."""
    from dataclasses import replace

    from survey.jobs import STALE_SECONDS

    with app.test_request_context():
        queue = jobs(app)
        job = queue.new("paper_import", "data_entry", {"filename": "x.csv"})
        queue.store.save(replace(job, state="running", done=500, total=3000,
                                 updated=time.time() - STALE_SECONDS - 1))
        fresh = queue.new("paper_import", "data_entry", {"filename": "y.csv"})
        queue.store.save(replace(fresh, state="running", done=500, total=3000))
    login(client, "data_entry")
    assert client.get(f"/jobs/{job.id}").get_json()["state"] == "failed"
    assert client.get(f"/jobs/{fresh.id}").get_json()["state"] == "running"
    page = client.get(f"/entry/jobs/{job.id}").text
    assert "Không thể hoàn tất việc nhập" in page


def test_job_folders_older_than_a_day_are_swept(app):
    from survey.jobs import KEEP_SECONDS

    with app.app_context():
        queue = jobs(app)
        old, fresh = queue.directory("a" * 32), queue.directory("b" * 32)
        (old / "export.xlsx").write_bytes(b"x")
        (fresh / "export.xlsx").write_bytes(b"y")
        stale = time.time() - KEEP_SECONDS - 60
        os.utime(old, (stale, stale))
        queue.sweep()
        assert not old.exists() and (fresh / "export.xlsx").exists()


def test_a_background_import_on_postgresql(tmp_path):
    """The job runs in its own thread and session against PostgreSQL; a bad file stores
    nothing there either."""
    from tests.conftest import fresh_postgres_databases, postgres_url

    if postgres_url() is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    with fresh_postgres_databases(postgres_url(), "entry") as (url,):
        app = entry_app(tmp_path, url, JOBS_INLINE_MAX_BYTES=0)
        try:
            client = app.test_client()
            login(client, "data_entry")
            for data, state, count in ((big_file(bad_last=True), "rejected", 0),
                                       (big_file(), "done", ROWS)):
                response = upload(client, data)
                job_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[1]
                assert wait_for(client, f"/jobs/{job_id}")[-1]["state"] == state
                assert stored(app) == count
        finally:
            stop_jobs(app)
