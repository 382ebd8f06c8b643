"""Static files and Plotly: versioned URLs, gzip, a year-long cache, and nothing stale."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

from survey.assets import PLOTLY_NAME

STATIC = Path(__file__).resolve().parents[2] / "survey" / "static"
PLOTLY_JS = STATIC / PLOTLY_NAME


def test_static_urls_carry_the_content_hash(app):
    with app.test_request_context():
        from flask import url_for

        url = url_for("static", filename="css/base.css")
        expected = hashlib.sha256((STATIC / "css" / "base.css").read_bytes()).hexdigest()[:12]
        assert url == f"/static/css/base.css?v={expected}"
        bundle = hashlib.sha256(PLOTLY_JS.read_bytes()).hexdigest()[:12]
        assert url_for("static", filename=PLOTLY_NAME).endswith(f"?v={bundle}")


def test_plotly_is_served_gzipped_with_a_year_long_cache(client):
    reply = client.get(f"/static/{PLOTLY_NAME}", headers={"Accept-Encoding": "gzip"},
                       buffered=True)
    assert reply.status_code == 200
    assert reply.headers["Content-Encoding"] == "gzip"
    assert "max-age=31536000" in reply.headers["Cache-Control"]
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert "Accept-Encoding" in reply.headers["Vary"]
    body = reply.get_data()
    original = PLOTLY_JS.read_bytes()
    assert len(body) < len(original) / 2.5  # 1.2 MB travel as about 390 kB
    assert gzip.decompress(body) == original


def test_a_client_without_gzip_gets_the_plain_file(client):
    reply = client.get("/static/css/base.css", headers={"Accept-Encoding": "identity"},
                       buffered=True)
    assert reply.status_code == 200 and "Content-Encoding" not in reply.headers
    assert reply.get_data() == (STATIC / "css" / "base.css").read_bytes()


def test_every_static_file_the_pages_use_is_served(client):
    for path in STATIC.rglob("*"):
        if path.is_file():
            name = path.relative_to(STATIC).as_posix()
            reply = client.get(f"/static/{name}", buffered=True)
            assert reply.status_code == 200, name
            assert reply.get_data() == path.read_bytes(), name


def test_a_changed_file_gets_a_new_version_and_a_new_build(tmp_path):
    """A release that changes a file must not serve the old copy from the old build."""
    from survey.assets import _build, _sources, _version

    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    black = "body { color: black }\n" * 200  # large enough to be worth compressing
    (static / "css" / "a.css").write_text(black)

    def build():
        sources = _sources(static)
        versions = {name: _version(name, path) for name, path in sources.items()}
        return versions, _build(tmp_path / "assets", sources, versions)

    first_versions, first = build()
    assert gzip.decompress((first / "css" / "a.css.gz").read_bytes()).decode() == black
    (static / "css" / "a.css").write_text("body { color: navy }")
    second_versions, second = build()
    assert second_versions["css/a.css"] != first_versions["css/a.css"]
    assert second != first and (second / "css" / "a.css").read_text() == "body { color: navy }"
    assert build()[1] == second  # the same content reuses its build


def test_the_kiosk_worker_precaches_the_versioned_urls_of_the_kiosk_page(app, client):
    from survey.collect.kiosk_views import KIOSK_ASSETS

    worker = client.get("/k/sw.js")
    assert worker.status_code == 200 and worker.headers["Cache-Control"] == "no-cache"
    source = worker.get_data(as_text=True)
    with app.test_request_context():
        from flask import url_for

        urls = [url_for("static", filename=name) for name in KIOSK_ASSETS]
    for url in urls:
        assert f'"{url}"' in source
    assert re.search(r'var CACHE = "hailong-kiosk-[0-9a-f]{12}";', source)
    for url in urls:  # and every one of them is served
        assert client.get(url, buffered=True).status_code == 200
