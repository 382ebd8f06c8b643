"""The overview dashboard page's cold load in a real browser, beside a static page of its size.

`python -m bench.browser` (part of `make bench`). The demo data set (`hailong init` and
`hailong demo`, as `make run` loads it) is served by gunicorn as in production (`--preload`,
gzip and year-long caching of static files, HTML as a logged-in analyst receives it). Debian's
headless Chromium (/usr/bin/chromium, through Playwright's executable_path) opens the page at
1366×768 in a new browser context per run, so the HTTP cache is empty each time (and
`Network.setCacheDisabled` makes sure of it); the analyst's session cookie is the only state
carried over. Measured: the time from navigation start to the load event (every chart is
then on screen, drawn as static SVG by the server), and to the moment every chart is
interactive (charts.js fetches Plotly after the load event and redraws each chart with it).

The baseline, in the same run and the same browser: a plain static HTML page of exactly the
same number of bytes as the overview's HTML, served by a plain HTTP server (no scripts, no
styles, no images). Its load time is what any page of that size costs; the difference is
what the page's own assets and scripts add.

Each is measured on this machine's loopback, then under Chrome DevTools' network emulation
(`Network.emulateNetworkConditions`) as Lighthouse's "Fast 3G": 1.6 Mbit/s down, 750 kbit/s
up, 562.5 ms added to every request's round trip. Emulation throttles per request, not per
TCP packet, so it is kinder to many small files than a real 3G link, and just as hard on one
large one.

Environment: BENCH_BROWSER_RUNS (default 7: the median is reported), BENCH_BROWSER_3G_RUNS
(default 3), BENCH_KEEP=1 keeps the database, BENCH_BROWSER_DATABASE_URL measures a database
that already holds the demo instead of loading one. Results: bench/results/browser.{json,md}.
"""

from __future__ import annotations

import http.server
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from bench.app import RESULTS, SECRET, app_for, scratch_sqlite
from bench.serve import ROOT, gunicorn

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]
PAGE = "/dashboard/"
VIEWPORT = {"width": 1366, "height": 768}
# Lighthouse's "Fast 3G" as DevTools applies it; throughputs in bytes per second.
FAST_3G = {"offline": False, "latency": 562.5, "downloadThroughput": 1.6e6 / 8,
           "uploadThroughput": 750e3 / 8}
FAST_3G_LABEL = "Fast 3G (1.6 Mbit/s down, 750 kbit/s up, 562.5 ms RTT)"
TARGETS = {"local": 1.0, "fast3g": 3.0}
# Records when Plotly has drawn every chart of the page (added before any page script).
CHARTS_DRAWN = """
(() => {
  let done;
  window.__chartsReady = new Promise(resolve => { done = resolve; });
  const check = () => {
    const charts = document.querySelectorAll('[data-figure]');
    if (window.__chartsDrawn === undefined && document.readyState !== 'loading'
        && Array.from(charts).every(c => c.querySelector('svg.main-svg'))) {
      window.__chartsDrawn = performance.now();
      window.__chartCount = charts.length;
      done();
    }
  };
  new MutationObserver(check).observe(document, {childList: true, subtree: true});
  document.addEventListener('DOMContentLoaded', check);
})();
"""


def demo_database() -> str:
    """A fresh SQLite database holding the demo, loaded the way `make run` loads it."""
    url = scratch_sqlite("browser")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET}
    hailong = str(Path(sys.executable).with_name("hailong"))
    for command in ([hailong, "init"], [hailong, "demo"]):
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return url


def analyst(url: str) -> tuple[str, str]:
    from bench.dashboard import ensure_analyst
    from survey.extensions import db

    app = app_for(url)
    with app.app_context():
        login = ensure_analyst()
        db.session.remove()
        db.engine.dispose()
    return login


@contextmanager
def static_server(html: bytes):
    """A plain HTTP server answering every GET with `html` (no compression, no cache)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 (the standard library's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join()


def static_page(size: int) -> bytes:
    """A plain HTML page of exactly `size` bytes: text only, in the overview's language."""
    head = ('<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            "<title>Trang tĩnh</title></head><body><p>").encode()
    tail = b"</p></body></html>\n"
    filler = "Chỉ số hài lòng của người dân đối với dịch vụ hành chính công. ".encode()
    room = size - len(head) - len(tail)
    if room < 0:
        raise ValueError(f"an HTML page of {size} bytes is too small to compare")
    body = (filler * (room // len(filler) + 1))[:room]
    while True:  # never cut a multi-byte letter in two: pad its broken tail with spaces
        try:
            body.decode()
            break
        except UnicodeDecodeError:
            body = body[:-1]
    body += b" " * (room - len(body))
    return head + body + tail


def load_once(browser, url: str, state: dict | None, network: dict | None) -> dict:
    """One cold load in a new context: seconds to the load event and to the drawn charts,
    and the bytes that crossed the network."""
    context = browser.new_context(viewport=VIEWPORT, storage_state=state)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(CHARTS_DRAWN)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if network:
            cdp.send("Network.emulateNetworkConditions", network)
        answer = page.goto(url, wait_until="load", timeout=120_000)
        if answer is None or answer.status != 200:
            raise RuntimeError(f"{url} answered {answer and answer.status}")
        if page.url.split("?")[0].endswith("/auth/login"):
            raise RuntimeError("the analyst's session was not accepted")
        # awaited, not polled: wait_for_function polls through eval, which the CSP refuses
        page.evaluate("() => window.__chartsReady")
        timing = page.evaluate("""() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const resources = performance.getEntriesByType('resource');
            return {load: nav.loadEventStart, drawn: window.__chartsDrawn,
                    charts: window.__chartCount, html: nav.transferSize,
                    bytes: nav.transferSize + resources.reduce((s, r) => s + r.transferSize, 0),
                    scripts: resources.filter(r => r.initiatorType === 'script')
                                      .map(r => r.name.split('?')[0].split('/').pop())};
        }""")
        if errors:
            raise RuntimeError(f"{url}: {errors}")
        return {"load_seconds": timing["load"] / 1000,
                "drawn_seconds": max(timing["load"], timing["drawn"]) / 1000,
                "charts": timing["charts"], "transferred_bytes": timing["bytes"],
                "scripts": timing["scripts"]}
    finally:
        context.close()


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def measure_pair(browser, page_url: str, static_url: str, state: dict, network: dict | None,
                 runs: int) -> dict:
    """`runs` cold loads of the page and of the static page, interleaved so that a busy
    moment of the machine touches both alike."""
    page_runs, static_runs = [], []
    load_once(browser, page_url, state, network)  # the server's own first request, not timed
    for _ in range(runs):
        page_runs.append(load_once(browser, page_url, state, network))
        static_runs.append(load_once(browser, static_url, None, network))
    out = {"page_load_seconds": median_of(page_runs, "load_seconds"),
           "page_drawn_seconds": median_of(page_runs, "drawn_seconds"),
           "page_transferred_bytes": page_runs[-1]["transferred_bytes"],
           "page_charts": page_runs[-1]["charts"], "page_scripts": page_runs[-1]["scripts"],
           "static_load_seconds": median_of(static_runs, "load_seconds"),
           "static_transferred_bytes": static_runs[-1]["transferred_bytes"],
           "runs": runs, "page_load_all": [r["load_seconds"] for r in page_runs],
           "static_load_all": [r["load_seconds"] for r in static_runs]}
    out["ratio_to_static"] = out["page_load_seconds"] / out["static_load_seconds"]
    return out


def measure(url: str, username: str, password: str) -> dict:
    from playwright.sync_api import sync_playwright

    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "HAILONG_ENV": "production",
           "RATELIMIT_ENABLED": "0"}
    runs = int(os.environ.get("BENCH_BROWSER_RUNS", "7"))
    slow_runs = int(os.environ.get("BENCH_BROWSER_3G_RUNS", "3"))
    # One worker: each keeps its own report cache, and the first load below warms it, so every
    # timed load gets the page from the cache (~50 ms; the cold server time is bench.dashboard's
    # figure). What is timed is the browser's work: download, parsing, drawing.
    with gunicorn("wsgi:app", env, workers=1) as (port, _master), \
            sync_playwright() as playwright:
        base = f"http://127.0.0.1:{port}"
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=ARGS)
        try:
            state = _signed_in(browser, base, username, password)
            html = _page_html(browser, base + PAGE, state)
            with static_server(static_page(len(html))) as static_url:
                out = {"html_bytes": len(html)}
                for label, network, count in (("local", None, runs),
                                              ("fast3g", FAST_3G, slow_runs)):
                    print(f"   {label}: {count} cold loads of each page", flush=True)
                    out[label] = measure_pair(browser, base + PAGE, static_url, state,
                                              network, count)
                    print(f"   {label}: " + summary_line(out[label]), flush=True)
        finally:
            browser.close()
    return out


def _signed_in(browser, base: str, username: str, password: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit] >> nth=-1")
    page.wait_for_load_state()
    state = context.storage_state()
    context.close()
    return state


def _page_html(browser, url: str, state: dict) -> bytes:
    """The overview's HTML exactly as the server sends it to the logged-in analyst."""
    context = browser.new_context(storage_state=state)
    try:
        answer = context.request.get(url)
        if answer.status != 200:
            raise RuntimeError(f"{url} answered {answer.status}")
        return answer.body()
    finally:
        context.close()


def summary_line(r: dict) -> str:
    return (f"overview to the load event {r['page_load_seconds'] * 1000:.0f} ms, interactive "
            f"{r['page_drawn_seconds'] * 1000:.0f} ms ({r['page_charts']} charts, "
            f"{r['page_transferred_bytes'] / 1024:.0f} KiB transferred; scripts: "
            f"{', '.join(r['page_scripts'])}); static page of the same size "
            f"{r['static_load_seconds'] * 1000:.0f} ms; {r['ratio_to_static']:.1f}× it")


def markdown(results: dict) -> str:
    lines = [f"Cold loads of {PAGE} (demo data, Chromium headless, 1366×768, empty cache), "
             f"median of the runs, {results['started']}; the overview's HTML is "
             f"{results['html_bytes']:,} bytes.", "",
             "| what | measured | baseline in the same run | ratio | target |",
             "|---|---|---|---|---|"]
    for key, where in (("local", "this machine (loopback)"), ("fast3g", FAST_3G_LABEL)):
        r = results[key]
        lines.append(
            f"| overview page, cold, to the load event, {where} | "
            f"{r['page_load_seconds'] * 1000:.0f} ms (charts interactive "
            f"{r['page_drawn_seconds'] * 1000:.0f} ms; {r['page_transferred_bytes'] / 1024:,.0f}"
            f" KiB) | static page of the same HTML size {r['static_load_seconds'] * 1000:.0f} ms"
            f" | {r['ratio_to_static']:.1f}× | ≤ {TARGETS[key]:.0f} s |".replace(
                "≤ 1 s", "≤ 1.0 s"))
    return "\n".join(lines) + "\n"


def main() -> None:
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    began = time.perf_counter()
    given = os.environ.get("BENCH_BROWSER_DATABASE_URL")
    print("== browser: demo database", flush=True)
    url = given or demo_database()
    try:
        username, password = analyst(url)
        print("== browser: cold loads of the overview", flush=True)
        results = {"started": started, **measure(url, username, password)}
    finally:
        if not given and os.environ.get("BENCH_KEEP", "0") != "1":
            for suffix in ("", "-wal", "-shm", ".writers"):
                Path(f"{url.removeprefix('sqlite:///')}{suffix}").unlink(missing_ok=True)
    results["total_seconds"] = time.perf_counter() - began
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "browser.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "browser.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
