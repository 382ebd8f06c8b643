"""A spike of visitors costs the database nothing: the public pages' query count, counted with
SQLAlchemy's cursor events, stays at zero after the first request, whatever the query string,
and the store is shared by workers (a directory, Redis)."""

from __future__ import annotations

import os
import uuid

import pytest

from survey.extensions import db
from survey.public import cache
from survey.services.audit import record
from tests.public.conftest import QueryCounter, new_app

PAGES = ["/public/", "/public/service/land", "/public/units/commune", "/public/units/district",
         "/public/data", "/public/data/satisfaction.csv", "/public/data/changes.json"]


def _first_unit(client) -> str:
    rows = client.get("/public/data/satisfaction.json").get_json()["rows"]
    return next(r["code"] for r in rows if r["area_type"] == "unit")


def test_after_the_first_request_a_spike_reaches_no_database(demo):
    app, _ = demo
    client = app.test_client()
    with QueryCounter(app) as first:
        pages = PAGES + [f"/public/unit/{_first_unit(client)}"]
    assert first.count > 0  # the first request built the scoreboard
    with QueryCounter(app) as render:  # each page is rendered from it once
        for url in pages:
            assert client.get(url).status_code == 200, url
    assert render.count == 0
    for visitors in (1, 50):
        with QueryCounter(app) as spike:
            for i in range(visitors):
                for url in pages:
                    fresh = app.test_client()  # a new visitor each time, no session
                    answer = fresh.get(f"{url}?utm_source=news&x={i}")
                    assert answer.status_code == 200, url
                    assert "public" in answer.headers["Cache-Control"]
        assert spike.count == 0, spike.statements[:5]


def test_the_data_version_is_read_once_per_period_and_a_change_rebuilds(demo_db):
    # PUBLIC_CACHE_SECONDS=0: every request re-reads the version, to show what it costs
    app = new_app(demo_db[0], PUBLIC_CACHE_SECONDS=0)
    try:
        client = app.test_client()
        before = client.get("/public/").data
        with QueryCounter(app) as steady:
            for _ in range(20):
                assert client.get("/public/").data == before
        # two index look-ups (the largest response and audit ids) per check, no rebuild
        assert len(steady.queries) == 20 * 2, steady.queries[:6]
        assert all("max(" in s.lower() for s in steady.queries)
        with app.app_context():
            record("test", "change", "test", "1")  # any audited change moves the version
            db.session.commit()
        with QueryCounter(app) as rebuild:
            client.get("/public/")
        assert len(rebuild.queries) > 10  # the reports of the scoreboard
        with QueryCounter(app) as after:
            for _ in range(5):
                client.get("/public/")
        assert len(after.queries) == 5 * 2
    finally:
        with app.app_context():
            db.engine.dispose()


def _workers(demo_db, url: str):
    return [new_app(demo_db[0], PUBLIC_CACHE_URL=url) for _ in range(2)]


@pytest.fixture(params=["directory", "redis"])
def shared_url(request, tmp_path):
    if request.param == "directory":
        yield str(tmp_path / "public-cache")
        return
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: no Redis to share")
    store = cache.RedisStore(url)
    store.PREFIX = f"hailong:public:test-{uuid.uuid4().hex}:"  # ours only, even if shared
    cache.RedisStore.PREFIX, saved = store.PREFIX, cache.RedisStore.PREFIX
    try:
        yield url
    finally:
        store.clear()
        cache.RedisStore.PREFIX = saved


def test_workers_share_the_store(demo_db, shared_url):
    """What one worker built, another serves without a query (a gunicorn of two)."""
    one, two = _workers(demo_db, shared_url)
    try:
        with one.app_context():
            cache.store().clear()
        page = one.test_client().get("/public/units/commune")
        assert page.status_code == 200
        with QueryCounter(two) as counter:
            for _ in range(10):
                again = two.test_client().get("/public/units/commune")
                assert again.data == page.data
        assert counter.count == 0, counter.statements[:6]
    finally:
        for app in (one, two):
            with app.app_context():
                db.engine.dispose()


def test_without_redis_each_worker_keeps_its_own_copy(demo_db):
    app = new_app(demo_db[0], PUBLIC_CACHE_URL="redis://127.0.0.1:1/0")  # nothing listens
    try:
        client = app.test_client()
        assert client.get("/public/").status_code == 200
        with QueryCounter(app) as counter:
            for _ in range(5):
                assert client.get("/public/").status_code == 200
        assert counter.count == 0
    finally:
        with app.app_context():
            db.engine.dispose()


def test_the_default_store_follows_the_environment(demo):
    app, _ = demo
    with app.app_context():
        assert cache.store_url({}) == "simple"
        assert cache.store_url({"PUBLIC_CACHE_URL": "/srv/cache"}) == "/srv/cache"
        production = {"HAILONG_ENV": "production",
                      "RATELIMIT_STORAGE_URI": "redis://10.0.0.5:6379/0"}
        assert cache.store_url(production) == "redis://10.0.0.5:6379/0"
        alone = {"HAILONG_ENV": "production", "RATELIMIT_STORAGE_URI": "memory://"}
        assert cache.store_url(alone) == os.path.join(app.instance_path, "public-cache")
        assert isinstance(cache.make_store("simple"), cache.SimpleStore)


def test_stores_expire_and_stay_bounded(tmp_path, monkeypatch):
    files = cache.FileStore(str(tmp_path / "c"))
    files.set("old", b"x", -1)  # already expired
    files.set("new", b"y", 60)
    assert files.get("old") is None and files.get("new") == b"y"
    assert files.add("old", b"z", 60) and not files.add("old", b"w", 60)
    assert files.get("old") == b"z"
    files.set("gone", b"x", -1)
    files.sweep()
    assert len(list((tmp_path / "c").iterdir())) == 2  # "old" (renewed) and "new"
    simple = cache.SimpleStore()
    monkeypatch.setattr(cache.SimpleStore, "MAX_ENTRIES", 10)
    for i in range(25):
        simple.set(f"k{i}", b"v", 60 + i)
    assert len(simple._values) == 10
    assert simple.get("k24") == b"v" and simple.get("k0") is None  # the soonest to expire go
