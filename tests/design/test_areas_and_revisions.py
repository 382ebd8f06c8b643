"""#17 Designer and administration: service areas managed in the admin and chosen in the
designer, unknown areas refused on import with their place, wording revisions published as
comparable versions (docs/METHODOLOGY.md §8), the diff's old → new text, the editor's <title>, and
the kiosk list naming each kiosk's questionnaire."""

from __future__ import annotations

import io
import random
import re
import uuid
from html import unescape

import pytest
from openpyxl import load_workbook

import questionnaires as qn
from survey.extensions import db
from survey.models import AuditEntry, Kiosk, Questionnaire, Response, ServiceArea
from survey.services import responses
from survey.services.reporting import Grouping, Measure, Scope, trends
from tests.design.helpers import login, make_users, post, prefixed_token


@pytest.fixture
def admin_client(app, client):
    make_users(app)
    login(client, "admin")
    return client


@pytest.fixture
def designer_client(app):
    make_users(app)
    client = app.test_client()
    login(client, "designer")
    return client


def _area_token(client, url="/admin/service-areas") -> str:
    return prefixed_token(client.get(url).text, "area")


def _add_area(client, code, name_vi, name_en=""):
    return client.post("/admin/service-areas", data={
        "area-csrf_token": _area_token(client), "area-code": code, "area-name_vi": name_vi,
        "area-name_en": name_en})


def _errors(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'<p class="error"[^>]*>([^<]+)</p>', html)]


# --- service areas in the admin ---------------------------------------------------------------


def test_service_areas_are_added_renamed_and_audited_by_an_admin_only(app, admin_client):
    assert _add_area(admin_client, "business", "Đăng ký kinh doanh",
                     "Business registration").status_code == 302
    page = admin_client.get("/admin/service-areas")
    assert "Đăng ký kinh doanh" in page.text and "business" in page.text
    # a duplicate code and a duplicate name are refused beside their field, in Vietnamese
    again = _add_area(admin_client, "business", "Kinh doanh")
    assert again.status_code == 422
    assert _errors(again.text) == ["Mã business đã được dùng cho một lĩnh vực dịch vụ khác."]
    assert 'id="area-code"' in again.text.split("Mã business")[0].rsplit("<div", 1)[1]
    same_name = _add_area(admin_client, "shop", "đăng ký KINH DOANH")
    assert _errors(same_name.text) == ["Lĩnh vực dịch vụ business đã có tên này."]
    bad = _add_area(admin_client, "Bad Code", "")
    assert _errors(bad.text) == [
        "Một chữ cái thường, tiếp theo là chữ thường, chữ số hoặc _ (tối đa 40 ký tự).",
        "Hãy nhập tên tiếng Việt."]
    long = _add_area(admin_client, "long", "x" * 201, "y" * 300)
    assert long.status_code == 422 and _errors(long.text) == ["Tối đa 200 ký tự."] * 2
    huge = _add_area(admin_client, "long", "x", "y" * 5000)
    assert huge.status_code == 422 and _errors(huge.text) == ["Không được dài quá 1000 ký tự."]
    # renaming keeps the code (the field is read-only and ignored)
    token = _area_token(admin_client, "/admin/service-areas/business")
    renamed = admin_client.post("/admin/service-areas/business", data={
        "area-csrf_token": token, "area-code": "hacked", "area-name_vi": "Kinh doanh",
        "area-name_en": "Business"})
    assert renamed.status_code == 302
    # without its CSRF token nothing changes
    assert admin_client.post("/admin/service-areas", data={
        "area-code": "x1", "area-name_vi": "X"}).status_code == 400
    with app.app_context():
        area = db.session.execute(db.select(ServiceArea).filter_by(code="business")).scalar_one()
        assert (area.name_vi, area.name_en) == ("Kinh doanh", "Business")
        assert not db.session.execute(db.select(ServiceArea).filter(
            ServiceArea.code.in_(["hacked", "x1", "shop"]))).first()
        entries = db.session.execute(db.select(AuditEntry).filter_by(
            entity_type="service_area").order_by(AuditEntry.id)).scalars().all()
        assert [(e.actor, e.action, e.entity_key) for e in entries] == [
            ("admin", "create", "business"), ("admin", "update", "business")]
        assert entries[1].old_values == {"name_vi": "Đăng ký kinh doanh",
                                         "name_en": "Business registration"}
    assert admin_client.get("/admin/service-areas/nope").status_code == 404
    for role in ("designer", "analyst", "unit_officer", "data_entry"):
        other = app.test_client()
        login(other, role)
        assert other.get("/admin/service-areas").status_code == 403
        assert other.post("/admin/service-areas/business").status_code in (400, 403)


# --- the designer's area select, and answers in that service's trend --------------------------


def _new_questionnaire(client, code):
    token = prefixed_token(client.get("/design/").text, "new")
    response = client.post("/design/new", data={
        "new-csrf_token": token, "new-code": code, "new-kind": "survey",
        "new-title_vi": "Phiếu kinh doanh", "new-title_en": "Business form",
        "new-template": ""})
    assert response.status_code == 302


def _meta(client, code, areas, title="Phiếu kinh doanh"):
    html = client.get(f"/design/{code}/").text
    return client.post(f"/design/{code}/meta", data={
        "meta-csrf_token": prefixed_token(html, "meta"), "meta-title_vi": title,
        "meta-title_en": "Business form", "meta-intro_vi": "", "meta-intro_en": "",
        "meta-service_areas": areas})


def _item(client, code, data, index="new"):
    return post(client, f"/design/{code}/", f"/design/{code}/sections/0/items/{index}",
                data={"cond_join": "all", **data})


def _publish(client, code, **extra):
    return post(client, f"/design/{code}/", f"/design/{code}/publish", data=extra)


def _answer(code, version, year, value, area=None):
    payload = {"id": str(uuid.uuid4()), "questionnaire": code, "version": version,
               "unit": "HN-X01", "channel": "paper", "submitted_at": f"{year}-06-01T10:00:00",
               "answers": {k: v for k, v in value.items()}}
    if area:
        payload["service_area"] = area
    assert responses.submit(payload, data_entry=True).created


def _sat_share(values) -> float:
    return sum(v >= 4 for v in values) / len(values)


def test_the_designer_chooses_an_area_and_answers_land_in_its_trend(app, designer_client):
    with app.app_context():
        db.session.add(ServiceArea(code="business", name_vi="Đăng ký kinh doanh",
                                   name_en="Business registration"))
        db.session.commit()
    _new_questionnaire(designer_client, "biz")
    page = designer_client.get("/design/biz/").text
    select = page.split('id="meta-service_areas"')[1].split("</select>")[0]
    assert "Đăng ký kinh doanh" in select and "Đất đai" in select  # labelled in Vietnamese
    designer_client.get("/lang/en")
    english = designer_client.get("/design/biz/").text
    select = english.split('id="meta-service_areas"')[1].split("</select>")[0]
    assert "Business registration" in select and "Land" in select
    designer_client.get("/lang/vi")
    # an area that is not in the database is refused, nothing saved
    refused = _meta(designer_client, "biz", ["business", "nope"])
    assert refused.status_code == 302
    with app.app_context():
        assert "service_areas" not in db.session.execute(
            db.select(Questionnaire).filter_by(code="biz")).scalar_one().draft
    assert _meta(designer_client, "biz", ["business"]).status_code == 302
    _item(designer_client, "biz", {"code": "sat", "type": "likert5", "label_vi": "Hài lòng?",
                                   "overall": "y"})
    assert _publish(designer_client, "biz").status_code == 302
    rng = random.Random(17)
    values = [rng.choice([2, 3, 4, 5, 5]) for _ in range(34)]
    with app.app_context():
        definition = qn.from_dict(db.session.execute(db.select(Questionnaire).filter_by(
            code="biz")).scalar_one().versions[0].definition)
        assert definition.service_areas == ("business",)
        for v in values:
            _answer("biz", 1, 2025, {"sat": v})
        area_id = db.session.execute(db.select(ServiceArea.id).filter_by(
            code="business")).scalar_one()
        stored = db.session.execute(db.select(Response.service_area_id)).scalars().all()
        assert stored == [area_id] * 34
        answer = trends(Scope(service_areas=("business",)), Grouping(("service_area",)),
                        Measure("overall"), 0.8, "survey")
        assert [(r["service_area"], r["year"], r["n"]) for r in answer["rows"]] == [
            ("business", 2025, 34)]
        assert answer["rows"][0]["share"] == pytest.approx(_sat_share(values), abs=1e-12)


# --- unknown areas refused on import, located -------------------------------------------------

YAML = """\
code: imported
kind: survey
title: Nhập
service_areas: [land, busines]
sections:
  - code: s
    title: S
    items:
      - {code: q1, type: likert5, label: Hài lòng, overall: true}
"""


def test_yaml_with_an_unknown_area_is_refused_at_its_line_and_column(app, designer_client,
                                                                      runner, tmp_path):
    token = prefixed_token(designer_client.get("/design/").text, "xls")
    refused = designer_client.post("/design/import", data={
        "xls-csrf_token": token, "xls-file": (io.BytesIO(YAML.encode()), "mới.yaml")},
        content_type="multipart/form-data")
    assert refused.status_code == 422
    cells = [unescape(c).strip() for c in re.findall(r"<td>(.*?)</td>", refused.text, re.S)]
    assert cells[:3] == ["4", "23", ""]
    assert cells[3].startswith("lĩnh vực dịch vụ không tồn tại 'busines' (các lĩnh vực: "
                               "construction, id_card, land, marriage)")
    path = tmp_path / "imported.yaml"
    path.write_text(YAML, encoding="utf-8")
    result = runner.invoke(args=["questionnaire", "load", str(path)])
    assert result.exit_code != 0
    assert f"{path}:4:23: UNKNOWN_SERVICE_AREA: unknown service area 'busines'" in result.output
    with app.app_context():
        assert not db.session.execute(db.select(Questionnaire).filter_by(
            code="imported")).first()
    accepted = designer_client.post("/design/import", data={
        "xls-csrf_token": token,
        "xls-file": (io.BytesIO(YAML.replace("busines", "marriage").encode()), "ok.yaml")},
        content_type="multipart/form-data")
    assert accepted.status_code == 302


def test_xlsform_with_an_unknown_area_is_refused_at_its_cell(app, designer_client, runner,
                                                              tmp_path):
    data = qn.to_xlsform(qn.load_builtins()["land_survey"])
    book = load_workbook(io.BytesIO(data))
    settings = book["settings"]
    header = [c.value for c in settings[1]]
    column = header.index("hailong::service_areas") + 1
    settings.cell(row=2, column=column, value="land xay_dung")
    out = io.BytesIO()
    book.save(out)
    token = prefixed_token(designer_client.get("/design/").text, "xls")
    refused = designer_client.post("/design/import", data={
        "xls-csrf_token": token, "xls-file": (io.BytesIO(out.getvalue()), "form.xlsx")},
        content_type="multipart/form-data")
    assert refused.status_code == 422
    cells = [unescape(c).strip() for c in re.findall(r"<td>(.*?)</td>", refused.text, re.S)]
    letter = chr(ord("A") + column - 1)
    assert cells == ["settings", "2", f"{letter} (hailong::service_areas)",
                     "lĩnh vực dịch vụ không tồn tại 'xay_dung' (các lĩnh vực: construction, "
                     "id_card, land, marriage); quản trị viên thêm lĩnh vực tại Quản trị › "
                     "Lĩnh vực dịch vụ"]
    path = tmp_path / "form.xlsx"
    path.write_bytes(out.getvalue())
    result = runner.invoke(args=["questionnaire", "import", str(path)])
    assert result.exit_code != 0
    assert (f"form.xlsx: settings, row 2, column {letter} (hailong::service_areas): unknown "
            "service area 'xay_dung'") in result.output
    with app.app_context():
        assert not db.session.execute(db.select(Questionnaire).filter_by(
            code="land_survey")).first()


# --- wording revisions, scale changes, the diff -----------------------------------------------


def test_a_typo_revision_publishes_and_the_item_stays_one_trend_line(app, designer_client):
    _new_questionnaire(designer_client, "biz")
    _meta(designer_client, "biz", ["land"])
    _item(designer_client, "biz", {"code": "sat", "type": "likert5",
                                   "label_vi": "Ông bà có hài lòg không?", "overall": "y"})
    assert _publish(designer_client, "biz").status_code == 302
    # the item editor shows the published text beside the field being corrected
    hint = designer_client.get("/design/biz/sections/0/items/0").text
    assert "Nội dung đã phát hành của sat (phiên bản 1): “Ông bà có hài lòg không?”" in hint
    # the typo fixed: same code, same scale
    _item(designer_client, "biz", {"code": "sat", "type": "likert5",
                                   "label_vi": "Ông bà có hài lòng không?",
                                   "label_en": "Are you satisfied?", "overall": "y"}, 0)
    ask = _publish(designer_client, "biz")
    assert ask.status_code == 200  # the author is asked: wording only, or meaning changed?
    assert "Ông bà có hài lòg không?" in ask.text and "Ông bà có hài lòng không?" in ask.text
    assert "/design/biz/sections/0/items/0" in ask.text
    with app.app_context():
        assert len(db.session.execute(db.select(Questionnaire).filter_by(
            code="biz")).scalar_one().versions) == 1
    assert _publish(designer_client, "biz", wording="kept").status_code == 302
    rng = random.Random(8)
    before = [rng.choice([1, 3, 4, 4, 5]) for _ in range(31)]
    after = [rng.choice([2, 4, 5, 5, 5]) for _ in range(33)]
    with app.app_context():
        row = db.session.execute(db.select(Questionnaire).filter_by(code="biz")).scalar_one()
        assert [v.number for v in row.versions] == [1, 2]
        publish = db.session.execute(db.select(AuditEntry).filter_by(
            entity_key="biz", action="publish").order_by(AuditEntry.id.desc())).scalars().first()
        assert publish.new_values["wording_revisions"] == [
            {"item": "sat", "field": "label.vi", "old": "Ông bà có hài lòg không?",
             "new": "Ông bà có hài lòng không?"},
            {"item": "sat", "field": "label.en", "old": "—", "new": "Are you satisfied?"}]
        for v in before:
            _answer("biz", 1, 2024, {"sat": v})
        for v in after:
            _answer("biz", 2, 2025, {"sat": v})
        answer = trends(Scope(service_areas=("land",)), Grouping(("service_area",)),
                        Measure("item", "sat"), 0.8, "survey")
    rows = answer["rows"]
    # one series (one group) spanning both versions, its change computed across them
    assert [(r["service_area"], r["year"], r["n"]) for r in rows] == [
        ("land", 2024, 31), ("land", 2025, 33)]
    assert rows[0]["share"] == pytest.approx(_sat_share(before), abs=1e-12)
    assert rows[1]["previous_share"] == pytest.approx(_sat_share(before), abs=1e-12)
    assert rows[1]["delta"] == pytest.approx(_sat_share(after) - _sat_share(before), abs=1e-12)
    diff = designer_client.get("/design/biz/diff?old=1&new=2").text
    table = diff.split('id="item-sat"')[1].split("</table>")[0]
    assert re.search(r"<del>Ông bà có hài lòg không\?</del></td><td><ins>Ông bà có hài lòng "
                     r"không\?</ins>", table)
    assert "<ins>Are you satisfied?</ins>" in table
    assert "không gián đoạn" in diff.split('id="item-sat"')[1].split("</h3>")[0]
    versions = designer_client.get("/design/biz/").text.split("<h3>Các phiên bản</h3>")[1]
    assert re.search(r"Phiên bản 2,[^<]*· sửa cách diễn đạt của sat", versions)


def test_a_scale_change_needs_a_new_code_and_starts_a_new_series(app, designer_client):
    _new_questionnaire(designer_client, "biz")
    _meta(designer_client, "biz", ["land"])
    _item(designer_client, "biz", {"code": "sat", "type": "likert5", "label_vi": "Hài lòng?",
                                   "overall": "y"})
    _publish(designer_client, "biz")
    _item(designer_client, "biz", {"code": "sat", "type": "rating3", "label_vi": "Hài lòng?",
                                   "overall": "y"}, 0)
    refused = _publish(designer_client, "biz")
    assert refused.status_code == 302
    page = designer_client.get(refused.headers["Location"]).text
    assert "sat: câu hỏi giữ nguyên mã nhưng thay đổi kiểu câu hỏi; hãy đặt mã mới" in page
    _item(designer_client, "biz", {"code": "sat3", "type": "rating3",
                                   "label_vi": "Hài lòng?", "overall": "y"}, 0)
    assert _publish(designer_client, "biz").status_code == 302  # no wording question: new code
    with app.app_context():
        for v in [1, 4, 5] * 11:
            _answer("biz", 1, 2024, {"sat": v})
        for v in [1, 2, 3] * 11:
            _answer("biz", 2, 2025, {"sat3": v})
        old = trends(Scope(), Grouping(("service_area",)), Measure("item", "sat"), 0.8,
                     "survey")["rows"]
        new = trends(Scope(), Grouping(("service_area",)), Measure("item", "sat3"), 0.8,
                     "survey")["rows"]
    assert [(r["year"], r["n"]) for r in old] == [(2024, 33)]
    assert [(r["year"], r["n"], r["previous_share"]) for r in new] == [(2025, 33, None)]
    diff = designer_client.get("/design/biz/diff?old=1&new=2").text
    added, removed = diff.split("</h2>")[1:3]  # the added, then the removed items
    assert "<li><code>sat3</code></li>" in added.split("<h2>")[0]
    assert "<li><code>sat</code></li>" in removed.split("<h2>")[0]


# --- the editor's <title>, the kiosk list -----------------------------------------------------


def test_the_editor_title_is_just_the_questionnaire_title(designer_client):
    _new_questionnaire(designer_client, "biz")
    page = designer_client.get("/design/biz/").text
    assert re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip() == \
        "Phiếu kinh doanh · hailong"
    head = page.split("</head>")[0]
    assert "History" not in head and "<table" not in head and "<section" not in head
    assert page.count('id="history"') == 1


def test_the_kiosk_list_names_each_kiosks_questionnaire(app, admin_client):
    with app.app_context():
        from survey.models import Unit
        from survey.services import kiosks
        from survey.services import questionnaires as qservice

        qservice.load_and_publish_builtins()
        kiosks.create_kiosk("Quầy 1", "HN-X01", None, "dossier_rating", "t")
        db.session.commit()
        kiosk = db.session.execute(db.select(Kiosk)).scalar_one()
        assert kiosk.unit.code == "HN-X01" and isinstance(kiosk.unit, Unit)
        title = kiosk.questionnaire.title_vi
    page = admin_client.get("/kiosks")
    row = page.text.split("Quầy 1")[1].split("</tr>")[0]
    cell = re.search(r'<td class="kiosk-questionnaire">(.*?)</td>', row, re.S).group(1)
    assert title in cell and "dossier_rating" in cell and "phiên bản 1" in cell


def test_the_command_line_publishes_a_typo_only_when_told_it_is_wording(app, runner,
                                                                        tmp_path):
    """The CLI cannot ask: a changed Vietnamese text is refused until --wording-only."""
    first = tmp_path / "v1.yaml"
    first.write_text(YAML.replace("busines", "marriage").replace("Hài lòng", "Hài lòg"),
                     encoding="utf-8")
    assert runner.invoke(args=["questionnaire", "load", str(first)]).exit_code == 0
    assert runner.invoke(args=["questionnaire", "publish", "imported"]).exit_code == 0
    fixed = tmp_path / "v2.yaml"
    fixed.write_text(YAML.replace("busines", "marriage"), encoding="utf-8")
    assert runner.invoke(args=["questionnaire", "load", str(fixed)]).exit_code == 0
    refused = runner.invoke(args=["questionnaire", "publish", "imported"])
    assert refused.exit_code == 1
    assert "q1" in refused.output and "'Hài lòg' → 'Hài lòng'" in refused.output
    done = runner.invoke(args=["questionnaire", "publish", "imported", "--wording-only"])
    assert done.exit_code == 0 and "version 2" in done.output
    listing = runner.invoke(args=["questionnaire", "diff", "imported", "1", "2"]).output
    assert listing.splitlines() == [
        "~ q1: label", "    label.vi: Hài lòg → Hài lòng",
        "    (wording revision: comparable across versions, no trend break)"]
    with app.app_context():
        entry = db.session.execute(db.select(AuditEntry).filter_by(
            entity_key="imported", action="publish").order_by(AuditEntry.id.desc())
        ).scalars().first()
        assert entry.new_values["wording_revisions"] == [
            {"item": "q1", "field": "label.vi", "old": "Hài lòg", "new": "Hài lòng"}]


def test_a_new_questionnaire_takes_its_area_from_the_form_or_its_template(app,
                                                                          designer_client):
    page = designer_client.get("/design/").text
    token = prefixed_token(page, "new")
    select = page.split('id="new-service_area"')[1].split("</select>")[0]
    assert "Đăng ký kết hôn" in select

    def create(code, template, area):
        return designer_client.post("/design/new", data={
            "new-csrf_token": token, "new-code": code, "new-kind": "survey",
            "new-title_vi": "Phiếu", "new-title_en": "", "new-template": template,
            "new-service_area": area})

    assert create("from_land", "land_survey", "").status_code == 302
    assert create("blank_marriage", "", "marriage").status_code == 302
    refused = create("bad_area", "", "atlantis")
    assert refused.status_code == 302
    said = designer_client.get(refused.headers["Location"]).text
    assert re.search(r'class="flash flash-error"[^>]*>Lĩnh vực[^:<]*: Lựa chọn không hợp lệ\.',
                     said)
    with app.app_context():
        drafts = {q.code: q.draft for q in db.session.execute(db.select(Questionnaire))
                  .scalars()}
    assert drafts["from_land"]["service_areas"] == ["land"]
    assert drafts["blank_marriage"]["service_areas"] == ["marriage"]
    assert "bad_area" not in drafts
    listing = designer_client.get("/design/").text
    row = listing.split(">blank_marriage</a>")[1].split("</tr>")[0]
    assert "Đăng ký kết hôn" in row and "bản nháp, chưa phát hành" in row
    assert ">survey<" not in row and ">draft<" not in row  # no raw codes in the vi UI
