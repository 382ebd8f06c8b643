"""Dashboards never mislead (#17): the last complete year by default, a note on a partial
year, words instead of empty axes, a headline strip, Vietnamese labels for every code, and a
400 page naming a bad filter.

The clock is set to 5 January 2026 and two answers dated 3 January 2026 are imported, as any
January looks; the demo holds 2021–2025.
"""

from __future__ import annotations

import csv
import re
import uuid
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from scipy import stats

from tests.conftest import make_app
from tests.dashboard.conftest import login
from tests.survey import reporting_data as data

JANUARY = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
PAGES = ("/dashboard/", "/dashboard/service/land", "/dashboard/unit/ST-H01",
         "/dashboard/league", "/dashboard/league?at=district", "/dashboard/ratings",
         "/dashboard/crosstab", "/dashboard/comments", "/dashboard/export")


class _Text(HTMLParser):
    """The text a reader sees (scripts, styles and JSON blocks left out), and the options'
    labels; an independent reader of the page, sharing nothing with the templates."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, text):
        if not self._skip and text.strip():
            self.parts.append(text.strip())


def visible(page: str) -> str:
    reader = _Text()
    reader.feed(page)
    return "\n".join(reader.parts)


@pytest.fixture(scope="module")
def january(tmp_path_factory):
    """A demo database in January 2026, with two answers of the new year."""
    folder = tmp_path_factory.mktemp("january")
    app = make_app(f"sqlite:///{folder / 'jan.db'}", WTF_CSRF_ENABLED=False)
    from survey.extensions import db
    from survey.services import exports
    from survey.services.paper_import import import_file
    from survey.services.reporting import Scope

    with app.app_context():
        db.create_all()
    data.build(app, scale=0.1)
    with app.app_context():
        table = exports.export_table(Scope(year_from=2025, year_to=2025))
        header = [c.name for c in table.columns]
        rows = [list(next(table.rows)) for _ in range(2)]
        for row in rows:
            row[header.index("response_id")] = str(uuid.uuid4())
            row[header.index("submitted_at")] = "2026-01-03T02:00:00+00:00"
            row[header.index("channel")] = "paper"
        path = folder / "new-year.csv"
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(["" if v is None else v for v in row] for row in rows)
        assert import_file(path).imported == 2
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def clock(monkeypatch):
    """periods.* read the time through their module's `datetime`."""
    import survey.services.periods as periods

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return JANUARY if tz is None else JANUARY.astimezone(tz)

    monkeypatch.setattr(periods, "datetime", Frozen)
    return JANUARY


@pytest.fixture(scope="module")
def client(january):
    return login(january)


def _raw_rows(app, year):
    """(unit code, value of the overall item) of every survey answer of `year`, read with
    plain SQL: independent of the reporting code."""
    from sqlalchemy import text

    from survey.extensions import db

    with app.app_context():
        return db.session.execute(text(
            "SELECT a.value_int FROM answer a JOIN response r ON r.id = a.response_id "
            "JOIN version_item vi ON vi.version_id = r.version_id AND vi.code = a.item_code "
            "JOIN questionnaire_version qv ON qv.id = r.version_id "
            "JOIN questionnaire q ON q.id = qv.questionnaire_id "
            "WHERE vi.is_overall AND q.kind = 'survey' AND a.missing_code IS NULL "
            "AND r.year = :year AND r.quarantine_id IS NULL"), {"year": year}).scalars().all()


# --- 1. defaults -----------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_every_page_defaults_to_the_last_complete_year(client, clock, url):
    page = client.get(url + ("&" if "?" in url else "?") + "lang=en")
    assert page.status_code == 200
    assert 'name="to" inputmode="numeric" size="4" value="2025"' in page.text
    assert 'id="default-year"' in page.text and 'id="partial-year"' not in page.text
    # nothing of 2026 is drawn: no chart holds the year, no table row names it
    assert not re.search(r'<th scope="row">2026</th>', page.text)


def test_picking_the_current_year_says_it_is_partial(client, clock):
    page = client.get("/dashboard/league?from=2026&to=2026&at=district&lang=vi")
    assert page.status_code == 200
    text = visible(page.text)
    assert "Năm 2026 chưa kết thúc" in text
    # two answers: no axes from −1 to 6, but words
    assert 'id="funnel"' not in page.text and 'id="funnel-empty"' in page.text
    overview = client.get("/dashboard/?to=2026")
    assert 'id="partial-year"' in overview.text


def test_a_year_without_answers_says_so_instead_of_empty_axes(client, clock):
    for url, empty in (("/dashboard/league?from=2019&to=2019", "funnel-empty"),
                       ("/dashboard/?from=2019&to=2019", "trend-empty"),
                       ("/dashboard/ratings?from=2019&to=2019", "ratings-empty"),
                       ("/dashboard/crosstab?from=2019&to=2019", "crosstab-empty")):
        page = client.get(url)
        assert page.status_code == 200, url
        assert f'id="{empty}"' in page.text, url
        assert 'class="chart"' not in page.text, url


# --- 2. headline ---------------------------------------------------------------------


def test_the_overview_opens_with_this_years_headline(january, client, clock):
    page = client.get("/dashboard/?lang=en").text
    strip = page.split('id="headline"', 1)[1].split("</section>", 1)[0]
    assert page.index('id="headline"') < page.index('id="trend"')
    answers = _raw_rows(january, 2025)
    k, n = sum(v >= 4 for v in answers), len(answers)
    share = k / n
    low, high = stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert f">{share * 100:.1f}&nbsp;%<" in strip
    assert f"{low * 100:.1f}–{high * 100:.1f}" in strip
    verdict = "meets the target" if low >= 0.8 else "below the target" if high < 0.8 \
        else "not established"
    assert verdict in strip
    before = _raw_rows(january, 2024)
    delta = share - sum(v >= 4 for v in before) / len(before)
    assert f"{'+' if delta >= 0 else '-'}{abs(delta) * 100:.1f} points" in strip
    assert "significant change" in strip or "not tested" in strip
    assert f"{n:,}" in strip  # respondents


def test_too_few_answers_make_no_headline_figure(client, clock):
    page = client.get("/dashboard/?to=2026").text
    strip = page.split('id="headline"', 1)[1].split("</section>", 1)[0]
    assert 'id="headline-empty"' in strip and "2026" in strip
    assert 'id="headline-index"' not in strip
    # the elements of those two people: words saying why, not bars or an empty quadrant
    panel = page.split('id="elements-title"', 1)[1]
    for chart in ("elements", "quadrant"):
        empty = panel.split(f'id="{chart}-empty"', 1)[1].split("</p>", 1)[0]
        assert "30" in empty and "n = 2" in empty, empty


# --- 3. the elements panel --------------------------------------------------------------


def test_the_elements_panel_counts_people_of_the_selected_year(january, client, clock):
    from sqlalchemy import text

    from survey.extensions import db

    with january.app_context():
        people, answers = db.session.execute(text(
            "SELECT count(DISTINCT a.response_id), count(*) FROM answer a "
            "JOIN response r ON r.id = a.response_id JOIN version_item vi "
            "ON vi.version_id = r.version_id AND vi.code = a.item_code "
            "WHERE vi.element IS NOT NULL AND vi.item_type = 'likert5' "
            "AND a.value_int IS NOT NULL AND r.year = 2025 "
            "AND r.quarantine_id IS NULL")).one()
    assert answers > people
    page = client.get("/dashboard/?lang=en").text
    panel = page.split('id="elements-title"', 1)[1]
    assert "The five SIPAS elements, 2025" in panel
    caption = re.search(r"<figcaption><strong>n = ([\d,]+)</strong>", panel).group(1)
    assert int(caption.replace(",", "")) == people
    # no pooled figure: the panel is the same when the years are 2025 alone
    alone = client.get("/dashboard/?from=2025&to=2025&lang=en").text
    assert alone.split('id="elements-title"', 1)[1] == panel


# --- 4. words for every code -------------------------------------------------------------

CODES = ("construction", "land", "marriage", "id_card", "kiosk", "phone", "paper",
         "province", "district", "commune", "individual", "organisation", "female", "male",
         "meets", "not_established", "below", "service_area", "respondent_type")


@pytest.mark.parametrize("url", [*PAGES, "/dashboard/crosstab?row=sex&column=channel",
                                 "/dashboard/crosstab?row=sex&column=service_area",
                                 "/dashboard/crosstab?row=sex&column=respondent_type",
                                 "/dashboard/crosstab?row=sex&column=level"])
def test_the_vietnamese_pages_show_no_raw_code(client, clock, url):
    page = client.get(url + ("&" if "?" in url else "?") + "lang=vi")
    assert page.status_code == 200
    words = set(re.findall(r"[\w-]+", visible(page.text)))
    assert not words & set(CODES), (url, words & set(CODES))


def test_the_crosstab_names_items_and_options(client, clock):
    text = visible(client.get("/dashboard/crosstab?row=sex&column=channel&lang=vi").text)
    assert "Giới tính" in text and "Nữ" in text and "Ki-ốt" in text


def test_form_errors_are_in_vietnamese(january):
    from survey.admin.forms import AuditFilterForm

    for lang, expected in (("vi", "Ngày không hợp lệ."), ("en", "Not a valid date value.")):
        with january.test_request_context(f"/?lang={lang}&since=05/31/2026"):
            january.preprocess_request()
            from flask import request

            form = AuditFilterForm(request.args)
            form.entity_type.choices = [("", "—")]
            form.validate()
            assert form.since.errors == [expected]


# --- 5. bad filters ------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "parameter", "words"), [
    ("/dashboard/?unit=NOPE", "unit", "NOPE"),
    ("/dashboard/league?from=20x5", "from", "20x5"),
    ("/dashboard/?to=99999", "to", "99999"),
    ("/dashboard/ratings?channel=fax", "channel", "Ki-ốt"),
    ("/dashboard/?service_area=nope", "service_area", "nope"),
    ("/dashboard/?level=planet", "level", "Cấp xã"),
    ("/dashboard/comments?respondent_type=robot", "respondent_type", "robot"),
    ("/dashboard/?from=2025&to=2021", "from", "2021"),
    ("/dashboard/league?at=planet", "at", "planet"),
    ("/dashboard/crosstab?row=nope", "row", "nope"),
    ("/dashboard/crosstab?row=sex&column=sex", "column", "hai biến"),
    ("/dashboard/export/responses.csv?stream=nope", "stream", "nope"),
])
def test_a_bad_filter_is_a_400_page_naming_it(client, url, parameter, words):
    page = client.get(url + "&lang=vi")
    assert page.status_code == 400, url
    text = visible(page.text)
    assert f"“{parameter}”" in text and words in text
    assert "css/base" in page.text  # the site's style
    path = url.split("?")[0]
    assert f'<a href="{path}" id="without-filters">' in page.text
    english = client.get(url + "&lang=en")
    assert english.status_code == 400 and f"“{parameter}”" in visible(english.text)


def test_error_pages_are_styled_in_both_languages(january, client):
    app = make_app(january.config["SQLALCHEMY_DATABASE_URI"], PROPAGATE_EXCEPTIONS=False)

    @app.get("/broken")
    def broken():
        raise RuntimeError("a bug")

    other = app.test_client()
    titles = {400: ("Yêu cầu không hợp lệ", "could not be understood"),
              403: ("không có quyền mở", "may not open"), 404: ("Không tìm thấy", "not found"),
              500: ("Hệ thống đã gặp lỗi", "went wrong")}
    designer = other  # an anonymous visitor stands in for "not allowed" on the audit page
    for lang, i in (("vi", 0), ("en", 1)):
        cases = {400: client.get(f"/dashboard/?unit=NOPE&lang={lang}"),
                 404: client.get(f"/dashboard/no-such-page?lang={lang}"),
                 500: other.get(f"/broken?lang={lang}")}
        forbidden = client.get(f"/admin/users?lang={lang}")
        if forbidden.status_code == 403:
            cases[403] = forbidden
        for code, answer in cases.items():
            assert answer.status_code == code
            assert f'lang="{lang}"' in answer.text and "css/base" in answer.text, code
            assert titles[code][i].lower() in visible(answer.text).lower(), (code, lang)
    assert designer is other
