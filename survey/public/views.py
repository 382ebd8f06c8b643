"""The public pages and downloads: thin views over the cached scoreboard (board.py).

A page's cache key is made of the route and its path arguments only, never the raw query
string: a visitor adding ?x=random to every request still gets the cached page.
"""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, session
from flask_babel import get_locale

from survey.dashboard import labels
from survey.public import bp, charts, opendata
from survey.public.board import cached, scoreboard
from survey.public.scoreboard import LEVELS

MIMETYPES = {"csv": "text/csv", "json": "application/json"}


def _language() -> str:
    return str(get_locale())


def _respond(body: bytes, mimetype: str, **headers) -> Response:
    response = Response(body, mimetype=mimetype)
    if session.modified:  # ?lang= sets the visitor's cookie: no shared cache may keep it
        response.headers["Cache-Control"] = "private, no-cache"
    else:  # a proxy or CDN in front may keep it as long as we do (Vary: Cookie holds)
        response.headers["Cache-Control"] = \
            f"public, max-age={current_app.config.get('PUBLIC_CACHE_SECONDS', 60)}"
    response.headers.update(headers)
    return response


def _page(key: str, template: str, board_context) -> Response:
    """Render `template` once per data version, language and key; `board_context(board)`
    gives its context, or aborts (404) before anything is cached."""
    version, board = scoreboard()
    context = board_context(board)

    def render() -> bytes:
        return render_template(template, board=board, year=board["year"],
                               benchmark=board["benchmark"], **context).encode()

    return _respond(cached(version, f"{_language()}:{key}", render), "text/html")


def _name(place: dict) -> str:
    return place["name_en"] if _language() == "en" and place["name_en"] else place["name_vi"]


def _of_year(rows: list[dict], year: int | None) -> dict | None:
    return next((r for r in rows if r["year"] == year), None)


def _cases(board: dict, kind: str, code: str | None = None) -> dict | None:
    """The place's feedback case figures (survey/public/cases.py); None without cases."""
    found = board.get("cases") or {}
    return found.get("province") if kind == "province" else found.get(kind, {}).get(code)


def _place(place: dict, board: dict, cases: dict | None = None) -> dict:
    """What a page about one place shows: the year's figure, its change, the trend, and the
    feedback cases answered on time."""
    year = board["year"]
    return {"name": _name(place), "current": _of_year(place["rows"], year), "cases": cases,
            "change": _of_year(place["changes"], year),
            "on_time": _of_year(place["records"], year), "rows": place["rows"],
            "changes": {r["year"]: r for r in place["changes"]},
            "records": {r["year"]: r for r in place["records"]},
            "chart": charts.trend(place["rows"], board["benchmark"])}


def _summaries(places: dict, board: dict, codes=None) -> list[dict]:
    """One line per place for a list: its year's figure, best first, hidden ones last."""
    year = board["year"]
    out = []
    for code in codes if codes is not None else places:
        place = places[code]
        row = _of_year(place["rows"], year)
        out.append({"code": code, "name": _name(place), "row": row,
                    "on_time": _of_year(place["records"], year)})
    shown = lambda s: s["row"] is not None and not s["row"]["suppressed"]  # noqa: E731
    out.sort(key=lambda s: (not shown(s), -(s["row"]["share"] if shown(s) else 0), s["name"]))
    return out


def _levels(board: dict) -> list[tuple[str, str, int]]:
    return [(level, str(labels.LEVELS[level]),
             sum(1 for u in board["units"].values() if u["level"] == level))
            for level in LEVELS]


@bp.get("/")
def home():
    return _page("home", "public/home.html", lambda board: {
        "place": _place(board["province"], board, _cases(board, "province")),
        "areas": _summaries(board["areas"], board), "levels": _levels(board)})


@bp.get("/service/<code>")
def service(code: str):
    def context(board):
        if code not in board["areas"]:
            abort(404)
        return {"place": _place(board["areas"][code], board, _cases(board, "areas", code)),
                "code": code}

    return _page(f"service:{code}", "public/place.html", context)


@bp.get("/units/<any(department, district, commune):level>")
def units(level: str):
    def context(board):
        codes = [c for c, u in board["units"].items() if u["level"] == level]
        return {"level": level, "level_name": str(labels.LEVELS[level]),
                "lines": _summaries(board["units"], board, codes), "levels": _levels(board)}

    return _page(f"units:{level}", "public/units.html", context)


@bp.get("/unit/<code>")
def unit(code: str):
    def context(board):
        found = board["units"].get(code)
        if found is None:
            abort(404)
        parent = found["parent"] if found["parent"] in board["units"] else None
        below = [c for c, u in board["units"].items() if u["parent"] == code]
        return {"place": _place(found, board, _cases(board, "units", code)), "code": code,
                "level": found["level"],
                "level_name": str(labels.LEVELS[found["level"]]),
                "parent": (parent, _name(board["units"][parent])) if parent else None,
                "below": _summaries(board["units"], board, below)}

    return _page(f"unit:{code}", "public/place.html", context)


@bp.get("/data")
def data():
    def context(board):
        english = _language() == "en"
        return {"tables": [(name, spec["title"][english],
                            [(n, opendata.TYPE_WORDS[t][english], meaning[english])
                             for n, t, meaning in spec["columns"]])
                           for name, spec in opendata.TABLES.items()],
                "licence": opendata.LICENCE,
                "attribution": opendata.ATTRIBUTION["en" if english else "vi"]}

    return _page("data", "public/data.html", context)


@bp.get("/data/<any(satisfaction, changes, on_time):table>.<any(csv, json):fmt>")
def download(table: str, fmt: str):
    version, board = scoreboard()
    writer = opendata.to_csv if fmt == "csv" else opendata.to_json
    body = cached(version, f"file:{table}.{fmt}", lambda: writer(board, table))
    return _respond(body, MIMETYPES[fmt], **{
        "Content-Disposition": f'attachment; filename="hailong-{table}.{fmt}"',
        "Link": f'<{opendata.LICENCE["url"]}>; rel="license"'})
