"""Nothing hidden can be recovered (docs/METHODOLOGY.md §6, issue #15).

A group of fewer than 30 respondents shows its n and nothing that reveals its result, and no
suppressed group's satisfied count follows from what is published beside it. The second part
is an attack: for every by= the API takes (single dimensions and pairs, with every rollup),
it asks the API as an analyst for the answer and every coarser answer with the same filters,
then tries to recover each suppressed cell by linear differencing. The unknowns are the
satisfied counts of the finest groups the answers can tell apart; each published cell is an
equation (its k is the sum of the finest groups inside it). A hidden cell's k is recoverable
iff its indicator vector lies in the row space of the published cells' vectors. The same
attack, with complementary suppression switched off, must recover something, so the test can
fail.

The attacker's side (records, groups, rank test) shares no code with the product: it reads
the raw answers with plain SQL and derives every grouping itself.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from sqlalchemy import text

from survey.extensions import db
from survey.services.reporting import cache, suppression
from tests.conftest import make_app
from tests.survey import reporting_data as data

DIMENSIONS = ("year", "quarter", "month", "service_area", "unit", "level", "procedure",
              "procedure_group", "channel", "respondent_type", "item", "element",
              "demographic:sex")
ROLLUPS = (None, "province", "department", "district", "commune")
POSITIVE = {"likert5": (4, 5), "rating3": (2, 3)}
RECORDS = text("""
SELECT r.year, r.month, sa.code AS service_area, p.code AS procedure,
       pg.code AS procedure_group, u.code AS unit, r.channel, r.respondent_type,
       a.item_code AS item, vi.element, vi.item_type, a.value_int, sex.value_text AS sex
FROM answer a
JOIN response r ON r.id = a.response_id
JOIN unit u ON u.id = r.unit_id
LEFT JOIN service_area sa ON sa.id = r.service_area_id
LEFT JOIN procedure p ON p.id = r.procedure_id
LEFT JOIN procedure_group pg ON pg.id = p.group_id
JOIN questionnaire_version qv ON qv.id = r.version_id
JOIN questionnaire q ON q.id = qv.questionnaire_id
JOIN version_item vi ON vi.version_id = r.version_id AND vi.code = a.item_code
LEFT JOIN answer sex ON sex.response_id = r.id AND sex.item_code = 'sex'
WHERE q.kind = :kind AND a.value_int IS NOT NULL AND {condition}
""")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('supp') / 'supp.db'}")
    with app.app_context():
        db.create_all()
    keys = data.build(app, scale=0.1)  # about 160 respondents a year: many small groups
    with app.app_context():
        units = {code: (level, parent) for code, level, parent in db.session.execute(text(
            "SELECT u.code, u.level, p.code FROM unit u LEFT JOIN unit p "
            "ON p.id = u.parent_id")).all()}
    yield app, keys, units
    cache.clear()
    with app.app_context():
        db.engine.dispose()


# --- 1. a suppressed row publishes its keys, n and the flag, nothing of its result ---------

# Fields that may stay filled in a suppressed row: keys, counts of respondents, constants.
KEYS = {"year", "quarter", "month", "service_area", "unit", "level", "procedure",
        "procedure_group", "channel", "respondent_type", "item", "element", "n",
        "suppressed", "benchmark", "previous_year", "previous_n", "previous_share",
        "items", "item_n", "n_answers", "name_vi", "procedures", "survey_n",
        "individual_n", "organisation_n", "received", "resolved", "late", "on_time_rate",
        "elements"}


def only_n(row: dict) -> None:
    """Every field of a suppressed row but its keys and counts is empty."""
    assert row["suppressed"] is True
    leaked = {k: v for k, v in row.items()
              if k not in KEYS and not k.startswith("demographic:")
              and v not in (None, {}, False)}
    assert not leaked, leaked


def _suppressed_rows(rows: list[dict]) -> list[dict]:
    hidden = [r for r in rows if r["suppressed"]]
    assert hidden, "the case must have something to hide"
    return hidden


@pytest.mark.parametrize("url", [
    "/api/v1/indices?by=year,unit",
    "/api/v1/indices?by=unit&rollup=district&from=2025",
    "/api/v1/indices?by=quarter,channel&measure=item:c1_courtesy",
    "/api/v1/indices?by=year,unit&stream=dossier_rating",
    "/api/v1/indices?by=demographic:sex,year",
    "/api/v1/trends?by=unit",
])
def test_a_suppressed_index_or_trend_row_shows_n_only(world, url):
    app, keys, _units = world
    rows = Api(app, keys["analyst"]).client.get(
        url, headers={"Authorization": f"Bearer {keys['analyst']}"}).json["rows"]
    for row in _suppressed_rows(rows):
        only_n(row)
        assert row.get("delta") is None and row.get("p_value") is None
    for row in rows:
        assert row["suppressed"] or row["n"] >= 30


def test_a_composite_row_hides_every_index_with_a_hidden_item(world):
    app, keys, _units = world
    headers = {"Authorization": f"Bearer {keys['analyst']}"}
    client = app.test_client()
    rows = client.get("/api/v1/indices?by=unit&measure=elements&from=2025",
                      headers=headers).json["rows"]
    items = client.get("/api/v1/elements", headers=headers).json["elements"]
    for row in _suppressed_rows(rows):
        assert row["share"] is None and row["satisfied"] is None and row["no_answer"] is None
        for element in (e for e in items if row["elements"].get(e["element"]) is not None):
            for code in element["items"]:  # an index shown: every item of it shown too
                cell = client.get(f"/api/v1/indices?by=unit&measure=item:{code}&from=2025",
                                  headers=headers).json["rows"]
                assert not next(r for r in cell if r["unit"] == row["unit"])["suppressed"]


def test_a_suppressed_element_shows_respondents_only(world):
    app, keys, _units = world
    answer = app.test_client().get(
        "/api/v1/elements?unit=ST-TP-P01&from=2025&to=2025",
        headers={"Authorization": f"Bearer {keys['analyst']}"}).json
    assert answer["overall_index"] is None
    for element in _suppressed_rows(answer["elements"]):
        only_n({k: v for k, v in element.items() if k != "item_shares"})
        assert set(element["item_shares"].values()) == {None}
        assert element["n"] < 30 or min(element["item_n"].values()) < 30


def test_suppressed_strata_appendix_and_on_time_groups_show_n_only(world):
    app, keys, _units = world
    client, headers = app.test_client(), {"Authorization": f"Bearer {keys['analyst']}"}
    weighted = client.get("/api/v1/weighted?from=2025&to=2025", headers=headers).json
    for stratum in _suppressed_rows(weighted["strata"]):
        only_n({k: v for k, v in stratum.items() if k not in ("weight", "dossiers_resolved")})
    appendix = client.get("/api/v1/appendix?year=2025", headers=headers).json
    for row in _suppressed_rows(appendix["rows"]):
        only_n({k: v for k, v in row.items() if not k.endswith("_share")
                or k == "previous_share"})
    on_time = client.get("/api/v1/records/on-time", headers=headers).json
    assert on_time["suppressed"], "no linked responses: both groups are small"
    assert on_time["result"]["k_late"] is None and on_time["result"]["difference"] is None


def test_a_crosstab_hides_small_columns_and_one_beside_them(world):
    app, _keys, _units = world
    from survey.services.reporting.crosstab import crosstab_report
    from survey.services.reporting.scope import Scope

    with app.app_context():
        report = crosstab_report(Scope(year_from=2021, year_to=2021), "overall_satisfaction",
                                 "channel")
    result, columns = report["result"], report["columns"]
    hidden = [columns.index(c) for c in report["suppressed_columns"]]
    assert len(hidden) >= 2, "web is small in 2021, so a second column must go too"
    assert any(result["col_totals"][j] < 30 for j in hidden)
    for j in hidden:
        assert all(row[j] is None for row in result["counts"])
        assert all(row[j] is None for row in result["row_pct"] + result["col_pct"])
        assert result["col_totals"][j] > 0  # its n stays


def _logged_in(app):
    from tests.conftest import csrf_from

    client = app.test_client()
    token = csrf_from(client.get("/auth/login").text)
    client.post("/auth/login", data={"username": "analyst1", "password": "mot-mat-khau-dai",
                                     "csrf_token": token})
    return client


def test_pages_and_the_council_report_show_small_n_never_a_share(world):
    import json
    import re
    from io import BytesIO

    from openpyxl import load_workbook

    app, keys, _units = world
    client = _logged_in(app)
    api = app.test_client().get("/api/v1/indices?by=unit&rollup=commune&from=2021&to=2025",
                                headers={"Authorization": f"Bearer {keys['analyst']}"}).json
    hidden = {r["unit"] for r in api["rows"] if r["suppressed"]}
    assert any(r["n"] >= 30 for r in api["rows"] if r["unit"] in hidden), \
        "the case must hide a commune of 30 or more beside a small one"
    page = client.get("/dashboard/league?at=commune&from=2021&to=2025&lang=vi").text
    assert "n nhỏ" in page
    table = page.split('id="league"', 1)[1].split("</table>", 1)[0]
    checked = 0
    for unit in hidden:
        cells = re.search(rf'/unit/{unit}"[^<]*</a></th>(.*?)</tr>', table, re.S)
        if cells is None:  # the page lists the communes; a department is not among them
            continue
        assert "n nhỏ" in cells.group(1) and "%" not in cells.group(1)
        checked += 1
    assert checked >= 2
    figure = json.loads(re.search(r'id="funnel-data">(.*?)</script>', page, re.S).group(1))
    plotted = [name for trace in figure["data"] if trace.get("name") == "Đơn vị"
               for name in trace.get("text", [])]
    with app.app_context():
        from survey.extensions import db
        from survey.models import Unit

        names = {u.code: u.name_vi for u in db.session.execute(db.select(Unit)).scalars()}
    assert plotted and not {names[u] for u in hidden} & set(plotted)
    # a small unit's page: its years and its SIPAS elements show n only
    small = client.get("/dashboard/unit/ST-TP-P01?from=2025&to=2025&lang=vi")
    assert small.status_code == 200
    elements = small.text.split("<h2>", 3)[-1]
    assert "n nhỏ" in elements and "%" not in re.sub(r"<[^>]+>|caption.*?</caption>", "",
                                                     elements.split("<tbody>")[1].split(
                                                         "</tbody>")[0])
    report = client.get("/dashboard/report?year=2025&lang=vi").text
    assert "n nhỏ" in report
    for section in ("areas", "appendix", "respondents"):
        body = report.split(f'id="{section}"', 1)[1].split("</table>", 1)[0]
        for row in re.findall(r"<tr data-key.*?</tr>", body, re.S):
            if "n nhỏ" in row:
                assert "%" not in re.search(r'<td class="share">(.*?)</td>', row).group(1)
    book = load_workbook(BytesIO(client.get("/dashboard/report.xlsx?year=2025&lang=vi").data))
    hidden = 0
    for sheet in book.worksheets[1:4]:  # service areas, appendix, respondents
        lines = list(sheet.iter_rows(values_only=True))
        header = lines[0]
        for line in lines[1:]:
            values = dict(zip(header, line, strict=True))
            if values["Số hài lòng"] is None:  # a hidden group shows its n only
                hidden += 1
                assert values["n"] is not None and values["Tỷ lệ hài lòng"] is None
                assert values["KTC 95 % – cận dưới"] is None and values["Đánh giá"] is None
                assert values["Thay đổi (điểm)"] is None
    assert hidden


# --- 2. the differencing attack ----------------------------------------------------------


def _records(app, kind: str = "survey", condition: str = "vi.is_overall") -> list[dict]:
    with app.app_context():
        rows = db.session.execute(text(RECORDS.text.format(condition=condition)),
                                  {"kind": kind}).mappings().all()
    return [dict(r, satisfied=r["value_int"] in POSITIVE[r["item_type"]]) for r in rows]


def _ancestor(units, code: str, level: str) -> str:
    """The unit's ancestor at `level`, or the unit itself when it is not below one."""
    current = code
    while current is not None:
        if units[current][0] == level:
            return current
        current = units[current][1]
    return code


def _value(record: dict, dimension: str, rollup, units):
    if dimension == "quarter":
        return (record["month"] - 1) // 3 + 1
    if dimension == "demographic:sex":
        return record["sex"]
    if dimension in ("unit", "level"):
        code = _ancestor(units, record["unit"], rollup) if rollup else record["unit"]
        return code if dimension == "unit" else units[code][0]
    return record[dimension]


class Api:
    """The analyst's client, remembering every answer it was given."""

    def __init__(self, app, key: str):
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {key}"}
        self.seen: dict[str, list[dict]] = {}

    def rows(self, path: str, dims: tuple[str, ...], rollup, extra: str) -> list[dict]:
        url = f"/api/v1/{path}?by={','.join(dims)}{extra}" + (f"&rollup={rollup}"
                                                                if rollup else "")
        if url not in self.seen:
            answer = self.client.get(url, headers=self.headers)
            assert answer.status_code == 200, (url, answer.json)
            self.seen[url] = answer.json["rows"]
        return self.seen[url]


def _family(family: tuple[str, ...]) -> list[tuple[str, tuple[str, ...], str | None]]:
    """The answer for `family` and every coarser one with the same filters: each subset of
    its dimensions, with every rollup where a unit or level is among them; and the trends
    of the same groups when the year is one of them."""
    answers = []
    for size in range(len(family) + 1):
        for dims in combinations(family, size):
            rollups = ROLLUPS if {"unit", "level"} & set(dims) else (None,)
            answers += [("indices", dims, r) for r in rollups]
            if "year" in dims:
                rest = tuple(d for d in dims if d != "year")
                answers += [("trends", rest, r) for r in rollups]
    return answers


def _cells(api: Api, records: list[dict], units, answers, extra: str = ""):
    """Every cell of `answers` as (answer, key, n, k or None, member records), each published
    k checked against the records; and each record's key in every answer."""
    cells, keys_of = [], []
    for path, dims, rollup in answers:
        shown = dims + (("item", "year") if path == "trends" else ())
        keys = [tuple(_value(record, d, rollup, units) for d in shown) for record in records]
        keys_of.append(keys)
        groups: dict[tuple, list[int]] = {}
        for i, key in enumerate(keys):
            groups.setdefault(key, []).append(i)
        for row in api.rows(path, dims, rollup, extra):
            key = tuple(row[d] for d in shown)
            members = groups.get(key, [])
            assert row["n"] == len(members), (path, dims, rollup, key)
            if row["satisfied"] is not None:  # a published k is right, else nothing is
                assert row["satisfied"] == sum(records[i]["satisfied"] for i in members)
                assert not row.get("suppressed")
            else:
                assert row["suppressed"] and row["share"] is None
            cells.append(((path, dims, rollup), key, row["n"], row["satisfied"], members))
    return cells, keys_of


def recovered(cells, keys_of, size: int) -> list:
    """The hidden cells whose k linear differencing recovers. The unknowns are the k of the
    finest groups the answers tell apart; a hidden cell is recovered iff its vector over
    them lies in the row space of the published cells' vectors."""
    finest: dict[tuple, int] = {}
    column = [finest.setdefault(signature, len(finest))
              for signature in zip(*keys_of, strict=True)] if keys_of else [0] * size

    def vector(members):
        out = np.zeros(len(finest))
        for i in members:
            out[column[i]] = 1.0
        return out

    published = [vector(m) for _a, _k, _n, k, m in cells if k is not None]
    hidden = [(answer, key, vector(m)) for answer, key, n, k, m in cells if k is None and n]
    if not hidden:
        return []
    matrix = np.unique(np.array(published), axis=0) if published else np.zeros((1, len(finest)))
    _, s, vt = np.linalg.svd(matrix, full_matrices=False)
    basis = vt[: int((s > 1e-9 * max(s[0], 1)).sum())]
    return [(answer, key) for answer, key, target in hidden
            if np.abs(target - basis.T @ (basis @ target)).max() < 1e-6]


def attack(api: Api, records: list[dict], units, family, extra: str = "") -> list:
    """Every suppressed cell of the family's answers that linear differencing recovers."""
    cells, keys_of = _cells(api, records, units, _family(family), extra)
    return recovered(cells, keys_of, len(records))


def _families():
    yield from ((d,) for d in DIMENSIONS)
    yield from combinations(DIMENSIONS, 2)


def test_no_suppressed_cell_is_recovered_by_differencing(world):
    app, keys, units = world
    api, records = Api(app, keys["analyst"]), _records(app)
    leaks = [(family, cell) for family in _families()
             for cell in attack(api, records, units, family)]
    suppressed = sum(1 for rows in api.seen.values() for r in rows if r["suppressed"] and r["n"])
    assert suppressed > 100, "the data must have small groups to hide"
    assert not leaks, leaks[:10]
    # and all the answers together: every by= single and pair, every rollup, the trends
    everything = sorted({answer for family in _families() for answer in _family(family)},
                        key=str)
    assert not recovered(*_cells(api, records, units, everything), len(records))


@pytest.mark.parametrize("extra, kind, condition", [
    ("&measure=item:c1_courtesy", "survey", "a.item_code = 'c1_courtesy'"),
    ("&stream=dossier_rating", "dossier_rating", "vi.is_overall"),
])
def test_other_measures_and_streams_resist_differencing(world, extra, kind, condition):
    app, keys, units = world
    api, records = Api(app, keys["analyst"]), _records(app, kind, condition)
    for family in (("year", "unit"), ("quarter", "level"), ("procedure", "level"),
                   ("service_area", "unit"), ("channel",)):
        assert not attack(api, records, units, family, extra), family


def test_without_complementary_suppression_the_attack_succeeds(world, monkeypatch):
    """The old behaviour (primary suppression only) leaks: the test above can fail."""
    app, keys, units = world
    monkeypatch.setattr(suppression, "COMPLEMENTARY", False)
    cache.clear()
    try:
        api, records = Api(app, keys["analyst"]), _records(app)
        found = [cell for family in (("unit",), ("year", "unit"), ("procedure", "level"),
                                     ("month",)) for cell in attack(api, records, units, family)]
    finally:
        cache.clear()
    assert found, "primary suppression alone should let differencing recover a cell"
