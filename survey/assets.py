"""Static files, the charts' JavaScript among them: compressed, cached for a year, never stale.

WhiteNoise serves them ahead of Flask, with a gzip copy made once per content and a year-long
cache lifetime. The charts use Plotly's "basic" partial bundle, committed under
static/vendor (`make vendor` rebuilds it): 1.2 MB that travel as 390 kB, where the plotly
package's full plotly.min.js (4.8 MB, 1.5 MB gzipped, every trace type and map) cost a
dashboard's cold load seconds of download and parsing for three trace types.

Every URL that `url_for("static", ...)` builds carries `?v=` and the file's content hash, so
a changed file gets a new URL and no browser or kiosk keeps an old copy. The compressed copies
live in the instance folder under a digest of all the files; a new release builds a new folder
(atomically: another process may be starting at the same time) and never serves a half-written one.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

PLOTLY_NAME = "vendor/plotly-basic.min.js"
# The trace types the bundle draws: survey/dashboard/charts.py may use no other.
PLOTLY_TRACES = frozenset({"scatter", "bar", "pie"})
YEAR = 365 * 24 * 3600
COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt", ".map")


def register_assets(app: Flask) -> None:
    sources = _sources(Path(app.static_folder))
    versions = {name: _version(name, path) for name, path in sources.items()}
    app.extensions["hailong_assets"] = versions
    if app.debug:
        # Development: files edited while the server runs are served as they are, uncached.
        served = WhiteNoise(app.wsgi_app, root=app.static_folder, prefix=app.static_url_path,
                            max_age=0, autorefresh=True, add_headers_function=_no_sniff)
    else:
        build = _build(Path(app.instance_path) / "assets", sources, versions)
        served = WhiteNoise(app.wsgi_app, root=str(build), prefix=app.static_url_path,
                            max_age=YEAR, add_headers_function=_no_sniff)
    app.wsgi_app = served

    @app.url_defaults
    def version_static_urls(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values:
            version = versions.get(values.get("filename", ""))
            if version:
                values["v"] = version


def versioned_url(app: Flask, name: str) -> str:
    """The URL of a static file with its version, outside a request (the kiosk's worker)."""
    version = app.extensions["hailong_assets"][name]
    return f"{app.static_url_path}/{name}?v={version}"


def _no_sniff(headers, _path: str, _url: str) -> None:
    # These responses bypass Flask's security headers; a script must never be sniffed as
    # something else.
    headers["X-Content-Type-Options"] = "nosniff"


def _sources(static: Path) -> dict[str, Path]:
    return {p.relative_to(static).as_posix(): p for p in sorted(static.rglob("*"))
            if p.is_file() and not p.name.endswith(".gz")}


def _version(name: str, path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _build(root: Path, sources: dict[str, Path], versions: dict[str, str]) -> Path:
    digest = hashlib.sha256(repr(sorted(versions.items())).encode()).hexdigest()[:16]
    target = root / digest
    if target.is_dir():
        return target
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    compressor = Compressor(use_gzip=True, use_brotli=False, quiet=True)
    for name, path in sources.items():
        copy = staging / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        if copy.suffix in COMPRESSIBLE:
            list(compressor.compress(str(copy)))
    try:
        staging.rename(target)
    except OSError:  # another process finished the same build first
        shutil.rmtree(staging, ignore_errors=True)
    stale = time.time() - 3600  # an old release may still be shutting down
    for old in root.iterdir():  # earlier releases' copies, and builds that died half-way
        if old.is_dir() and old.name != digest and old.stat().st_mtime < stale:
            shutil.rmtree(old, ignore_errors=True)
    return target
