"""The designer: drafts kept as typed, problems beside fields, publish, clone, retire, kiosks,
XLSForm in and out (pages and command line)."""

from __future__ import annotations

import io
import uuid

import pytest

import questionnaires as qn
from survey.extensions import db
from survey.models import AuditEntry, Kiosk, Questionnaire
from survey.services import designer, desks
from survey.services import questionnaires as qservice
from survey.services.designer import edit
from tests import factories
from tests.design.helpers import login, make_users, post, prefixed_token

YES_NO = {"code": "q1", "type": "yes_no", "label": {"vi": "Có không?"}}


@pytest.fixture
def designer_client(app, client):
    make_users(app)
    login(client, "designer")
    return client


def _new(client, code="t1", template=""):
    token = prefixed_token(client.get("/design/").text, "new")
    return client.post("/design/new", data={
        "new-csrf_token": token, "new-code": code, "new-kind": "survey",
        "new-title_vi": "Phiếu thử", "new-title_en": "Test form", "new-template": template})


def _row(code="t1") -> Questionnaire:
    return db.session.execute(db.select(Questionnaire).filter_by(code=code)).scalar_one()


def test_edits_move_items_across_sections():
    draft = {"sections": [{"code": "a", "items": [{"code": "x"}, {"code": "y"}]},
                          {"code": "b", "items": [{"code": "z"}]}]}
    moved = edit.move_item(draft, 0, 1, 1)
    assert [[i["code"] for i in s["items"]] for s in moved["sections"]] == [["x"], ["y", "z"]]
    assert draft["sections"][0]["items"][1]["code"] == "y"  # the input is left alone
    swapped = edit.move_section(moved, 1, -1)
    assert [s["code"] for s in swapped["sections"]] == ["b", "a"]
    with pytest.raises(IndexError):
        edit.delete_item(draft, 1, 5)


def test_show_if_menus_round_trip():
    cond = edit.show_if_from_rows("any", [("q1", "equals", "1"), ("c", "in", "a, b"),
                                          ("", "", "")], {"q1": "yes_no", "c": "single_choice"})
    assert cond == {"any": [{"item": "q1", "equals": 1}, {"item": "c", "in": ["a", "b"]}]}
    assert edit.rows_from_show_if(cond) == ("any", [("q1", "equals", "1"),
                                                    ("c", "in", "a, b")], True)
    deep = {"all": [{"any": [{"item": "a", "equals": 1}]}]}
    assert edit.rows_from_show_if(deep)[2] is False


def test_an_invalid_draft_is_kept_and_its_problems_shown_beside_the_fields(designer_client,
                                                                             app):
    assert _new(designer_client).status_code == 302
    url = "/design/t1/sections/0/items/new"
    post(designer_client, url, data={"code": "Bad Code", "type": "number", "label_vi": "",
                                     "min": "5", "max": "abc", "cond_join": "all"})
    with app.app_context():
        row = _row()
        item = row.draft["sections"][0]["items"][0]
        assert item == {"code": "Bad Code", "type": "number", "label": {"vi": ""}, "min": 5,
                        "max": "abc"}
        assert row.draft_hash is None
    page = designer_client.get("/design/t1/sections/0/items/0")
    code_field = page.text.split('id="code"')[1].split("</div>")[0]
    assert "class=\"error\"" in code_field and "Bad Code" in code_field
    refused = post(designer_client, "/design/t1/", "/design/t1/publish")
    assert refused.status_code == 422
    with app.app_context():
        assert not _row().versions


def test_build_publish_compare_and_refuse_a_changed_meaning(designer_client, app):
    _new(designer_client)
    post(designer_client, "/design/t1/sections/0/items/new",
         data={"code": "q1", "type": "yes_no", "label_vi": "Có không?", "required": "y"})
    post(designer_client, "/design/t1/sections/0/items/new", data={
        "code": "q2", "type": "text", "label_vi": "Vì sao?", "cond_join": "all",
        "cond_item_0": "q1", "cond_op_0": "equals", "cond_value_0": "1"})
    assert post(designer_client, "/design/t1/", "/design/t1/publish").status_code == 302
    post(designer_client, "/design/t1/sections/0/items/new",
         data={"code": "q3", "type": "likert5", "label_vi": "Hài lòng?", "element": "A"})
    post(designer_client, "/design/t1/", "/design/t1/publish")
    diff = designer_client.get("/design/t1/diff?old=1&new=2")
    assert "q3" in diff.text
    # another scale under the same code is another question: refused, it needs a new code
    post(designer_client, "/design/t1/sections/0/items/0", data={
        "code": "q1", "type": "rating3", "label_vi": "Có không?"})
    refused = post(designer_client, "/design/t1/", "/design/t1/publish",
                   follow_redirects=True)
    assert "q1" in refused.text and "hãy đặt mã mới" in refused.text
    with app.app_context():
        row = _row()
        assert [v.number for v in row.versions] == [1, 2]
        definition = qservice.definition_of(row.versions[0])
        assert definition.item("q2").show_if == qn.Condition("equals", "q1", 1)
        actions = [e.action for e in db.session.execute(db.select(AuditEntry).filter_by(
            entity_key="t1")).scalars()]
        assert actions.count("add_item") == 3 and actions.count("publish") == 2
        assert "edit_item" in actions


def test_outline_fragment_for_script_moves(designer_client, app):
    _new(designer_client, template="dossier_rating")
    token = prefixed_token(designer_client.get("/design/").text, "new")
    response = designer_client.post("/design/t1/sections/0/items/1/up", data={
        "csrf_token": token}, headers={"X-Fragment": "1"})
    assert response.status_code == 200 and "<html" not in response.text
    with app.app_context():
        assert [i["code"] for i in _row().draft["sections"][0]["items"]][:2] == [
            "reason", "rating"]
        assert _row().draft_hash is None  # reason's condition now points at a later item


def test_clone_retire_and_kiosk_assignment(app, ctx):
    designer.create("a", "survey", "Phiếu A", "", "dossier_rating", "t")
    qservice.publish("a", "t")
    clone = designer.clone("a", "b", "t")
    assert clone.draft["code"] == "b" and clone.draft_hash is not None
    unit = factories.unit("HN")
    kiosk = Kiosk(name="K", unit=unit, questionnaire=_row("a"), token_nonce=uuid.uuid4().hex)
    db.session.add(kiosk)
    db.session.flush()
    with pytest.raises(desks.DeskError):
        desks.assign(kiosk.id, "b", "t")  # not published yet
    qservice.publish("b", "t")
    assert desks.assign(kiosk.id, "b", "t").questionnaire.code == "b"
    designer.set_status("b", "retired", "t")
    with pytest.raises(desks.DeskError):
        desks.assign(kiosk.id, "b", "t")
    other = factories.unit("DN")
    with pytest.raises(desks.DeskError, match="outside"):
        desks.assign(kiosk.id, "a", "t", scope=other)
    # The land survey is far longer than a kiosk can carry: refused like at registration.
    qservice.load_and_publish_builtins()
    with pytest.raises(desks.DeskError, match="tối đa 8"):
        desks.assign(kiosk.id, "land_survey", "t")


def test_xlsform_upload_refused_with_locations_then_accepted(designer_client, app):
    data = qn.to_xlsform(qn.load_builtins()["dossier_rating"])
    token = prefixed_token(designer_client.get("/design/").text, "xls")
    bad = designer_client.post("/design/import", data={
        "xls-csrf_token": token, "xls-file": (io.BytesIO(b"nonsense"), "bad.xlsx")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "bad.xlsx" in bad.text
    good = designer_client.post("/design/import", data={
        "xls-csrf_token": token, "xls-file": (io.BytesIO(data), "rating.xlsx")},
        content_type="multipart/form-data")
    assert good.status_code == 302
    with app.app_context():
        assert _row("dossier_rating").draft_hash == qn.content_hash(
            qn.load_builtins()["dossier_rating"])
    exported = designer_client.get("/design/dossier_rating/export.xlsx")
    assert qn.from_xlsform(exported.data) == qn.load_builtins()["dossier_rating"]


def test_cli_import_and_export_xlsform(app, runner, tmp_path):
    source = tmp_path / "in.xlsx"
    source.write_bytes(qn.to_xlsform(qn.load_builtins()["land_survey"]))
    result = runner.invoke(args=["questionnaire", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["questionnaire", "publish", "land_survey"]).exit_code == 0
    out = tmp_path / "out.xlsx"
    result = runner.invoke(args=["questionnaire", "export", "land_survey", "--format",
                                 "xlsform", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert qn.from_xlsform(out.read_bytes()) == qn.load_builtins()["land_survey"]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    result = runner.invoke(args=["questionnaire", "import", str(broken)])
    assert result.exit_code != 0 and "broken.xlsx" in result.output
