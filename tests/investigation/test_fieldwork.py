"""A scripted fieldwork through the web pages: cases assigned, letters printed, one case
answered through its personal link, others refused, not eligible, unreachable, contacted and
entered from paper; the statuses, their history and the AAPOR rates then equal what the
script did, the rates computed here from the AAPOR formulas by hand."""

from __future__ import annotations

import re

import pytest

from survey.extensions import db
from survey.models import Answer, CaseEvent, Response, SampleCase, User
from survey.services.investigation import progress
from survey.services.investigation.cases import issue_link
from survey.services.investigation.fieldwork import Scope, case_code
from tests.conftest import csrf_from
from tests.design.helpers import login
from tests.investigation.fieldwork_helpers import (
    CODE,
    all_cases,
    answer_pages,
    fieldwork_app,
    hidden_inputs,
    investigation,
)

BASE = f"/investigations/{CODE}"


@pytest.fixture
def app(tmp_path):
    with fieldwork_app(tmp_path) as app:
        yield app


def _client(app, who: str):
    client = app.test_client()
    login(client, who)
    return client


def _post(client, page: str, url: str | None = None, **data):
    token = csrf_from(client.get(page).text)
    return client.post(url or page, data={"csrf_token": token, **data})


def _user_id(app, name: str) -> int:
    with app.app_context():
        return db.session.execute(db.select(User.id).filter_by(username=name)).scalar_one()


def _case_ids(app) -> list[int]:
    with app.app_context():
        return [c.id for c in all_cases()]


def _issue(app, case_id: int) -> str:
    with app.app_context():
        token = issue_link(db.session.get(SampleCase, case_id))
        db.session.commit()
        return token


def _status(client, case_id: int, status: str, note: str):
    page = f"{BASE}/cases/{case_id}"
    return _post(client, page, status=status, note=note)


def test_a_scripted_fieldwork_gives_the_hand_computed_statuses_and_rates(app):
    ids = _case_ids(app)
    assert len(ids) == 40
    admin, col1, col2 = (_client(app, n) for n in ("admin", "col1", "col2"))
    first, second = ids[:20], ids[20:]
    for name, chosen in (("col1", first), ("col2", second)):
        answer = _post(admin, f"{BASE}/cases", cases=chosen, collector=_user_id(app, name))
        assert answer.status_code == 303, answer.text

    # col1: one case answered through its link, then refused, not eligible, unreachable,
    # contacted; col2: one paper form. The rest stay issued.
    answered, refused, not_eligible, unreachable, contacted = first[:5]
    token = _issue(app, answered)
    citizen = app.test_client()
    done = answer_pages(citizen, f"/i/{token}", {"q_rating": "3"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/thanks")
    for case_id, status, note in ((refused, "refused", "không muốn trả lời"),
                                  (not_eligible, "not_eligible", "hồ sơ của cơ quan"),
                                  (unreachable, "unreachable", "sai số điện thoại"),
                                  (contacted, "contacted", "hẹn gọi lại")):
        assert _status(col1, case_id, status, note).status_code == 303
    paper = second[0]
    entered = answer_pages(col2, f"{BASE}/cases/{paper}/paper", {"q_rating": "1",
                                                                    "q_reason": "long_wait"})
    assert entered.status_code == 303, entered.text

    with app.app_context():
        cases = {c.id: c for c in all_cases()}
        expected = {answered: "completed", refused: "refused", not_eligible: "not_eligible",
                    unreachable: "unreachable", contacted: "contacted", paper: "completed"}
        for case_id, case in cases.items():
            assert case.status == expected.get(case_id, "issued"), case_id
        web = db.session.get(Response, cases[answered].response_id)
        on_paper = db.session.get(Response, cases[paper].response_id)
        assert (web.channel, on_paper.channel) == ("web", "paper")
        assert db.session.execute(db.select(db.func.count()).select_from(Response)) \
            .scalar_one() == 2
        # history: drawn, assigned, the outcome with its note and who set it
        story = [(e.from_status, e.to_status, e.actor, e.note)
                 for e in db.session.execute(db.select(CaseEvent).filter_by(case_id=refused)
                                             .order_by(CaseEvent.id)).scalars()]
        assert story == [(None, "issued", "test", "drawn"),
                         ("issued", "issued", "admin", "assigned: col1"),
                         ("issued", "refused", "col1", "không muốn trả lời")]
        assert [e.to_status for e in cases[answered].events][-1] == "completed"

        # AAPOR by hand: I = 2, R = 1, NC = 1, O = 1 (contacted), UO = 34 (issued), NE = 1
        i, r, nc, o, uo = 2, 1, 1, 1, 40 - 6
        lines, total = progress.progress(investigation(), Scope(None, "t", True))
        assert total.rates.rr1 == pytest.approx(i / (i + r + nc + o + uo), abs=1e-12)
        assert total.rates.coop1 == pytest.approx(i / (i + r + o), abs=1e-12)
        assert total.rates.ref1 == pytest.approx(r / (i + r + nc + o + uo), abs=1e-12)
        assert total.rates.con1 == pytest.approx((i + r + o) / (i + r + o + nc + uo), abs=1e-12)
        assert total.by_status["not_eligible"] == 1 and total.open == 35
        # per stratum: the same formulas on each stratum's own cases
        for line in lines:
            mine = [c for c in cases.values() if c.stratum_key == line.stratum]
            count = {s: sum(c.status == s for c in mine) for s in expected.values()}
            li, lr, lnc = count["completed"], count["refused"], count["unreachable"]
            lo = count["contacted"]
            luo = sum(c.status == "issued" for c in mine)
            assert line.sampled == len(mine)
            assert line.rates.rr1 == pytest.approx(li / (li + lr + lnc + lo + luo), abs=1e-12)

    page = admin.get(f"{BASE}/")
    assert page.status_code == 200
    rr1 = f"{100 * i / (i + r + nc + o + uo):.1f} %".replace(".", ",")
    assert rr1 in page.text and "RR1" in page.text and "UO" in page.text


def test_the_personal_link_works_once_and_says_so_after(app):
    case_id = _case_ids(app)[0]
    token = _issue(app, case_id)
    citizen = app.test_client()
    page = citizen.get(f"/i/{token}")
    assert page.status_code == 200 and "q_rating" in page.text
    data = {**hidden_inputs(page.text), "q_rating": "2", "action": "next"}
    assert citizen.post(f"/i/{token}", data=data).status_code == 302
    # the same page sent again (a double tap): the stored response, nothing added
    assert citizen.post(f"/i/{token}", data=data).status_code in (302, 409)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Response)) \
            .scalar_one() == 1
    again = citizen.get(f"/i/{token}")
    assert again.status_code == 409 and "đã được trả lời" in again.text
    english = app.test_client()
    english.get("/lang/en")
    assert "already been answered" in english.get(f"/i/{token}").text
    # another page of the same link, a fresh form: refused, not stored
    fresh = answer_pages(app.test_client(), f"/i/{token}", {"q_rating": "1"})
    assert fresh.status_code == 409
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Response)) \
            .scalar_one() == 1


def test_unknown_replaced_and_closed_links_answer_a_page(app):
    case_id = _case_ids(app)[1]
    old = _issue(app, case_id)
    new = _issue(app, case_id)  # a reprinted letter: the old link stops working
    citizen = app.test_client()
    assert citizen.get(f"/i/{old}").status_code == 404
    assert citizen.get("/i/" + "x" * 500).status_code == 404
    assert "Đường dẫn này không dùng được" in citizen.get("/i/nothing-here").text
    assert citizen.get(f"/i/{new}").status_code == 200
    with app.app_context():
        from survey.services.investigation.investigations import close

        close(investigation(), actor="test")
        db.session.commit()
    closed = citizen.get(f"/i/{new}")
    assert closed.status_code == 410 and "đã kết thúc" in closed.text


def test_a_collector_sees_and_changes_only_their_own_cases(app):
    ids = _case_ids(app)
    admin, col1, col2 = (_client(app, n) for n in ("admin", "col1", "col2"))
    _post(admin, f"{BASE}/cases", cases=ids[:3], collector=_user_id(app, "col1"))
    mine = col1.get(f"{BASE}/cases").text
    with app.app_context():
        codes = [case_code(CODE, i) for i in ids]
    assert all(code in mine for code in codes[:3]) and codes[3] not in mine
    assert codes[0] not in col2.get(f"{BASE}/cases").text
    assert col2.get(f"{BASE}/cases/{ids[0]}").status_code == 404
    token = csrf_from(col2.get(f"{BASE}/").text)
    token1 = csrf_from(col1.get(f"{BASE}/").text)
    refused = col2.post(f"{BASE}/cases/{ids[0]}", data={"csrf_token": token,
                                                      "status": "refused", "note": "x"})
    assert refused.status_code == 404
    assert col2.get(f"{BASE}/cases/{ids[0]}/paper").status_code == 404
    # collectors do not assign, and do not print letters
    assert col1.post(f"{BASE}/cases", data={"csrf_token": token1, "cases": ids[3],
                                             "collector": _user_id(app, "col1")}
                     ).status_code == 403
    assert col1.get(f"{BASE}/letters").status_code == 403
    # the collector's progress counts only their cases
    assert ">3<" in col1.get(f"{BASE}/").text.replace(" ", "")
    # a collector may not overturn an outcome; an officer may correct it
    assert _status(col1, ids[0], "refused", "").status_code == 303
    again = _status(col1, ids[0], "contacted", "")
    assert again.status_code == 400
    assert _status(admin, ids[0], "contacted", "sửa nhầm").status_code == 303
    with app.app_context():
        assert db.session.get(SampleCase, ids[0]).status == "contacted"


def test_a_unit_officer_sees_only_the_cases_of_its_subtree(app):
    officer = _client(app, "off_d1")
    with app.app_context():
        from survey.models import FrameDossier, Unit

        rows = db.session.execute(
            db.select(SampleCase.id, Unit.path)
            .join(FrameDossier, FrameDossier.id == SampleCase.frame_dossier_id)
            .join(Unit, Unit.id == FrameDossier.unit_id)).all()
    inside = [i for i, path in rows if path.startswith("/P/D1/")]
    outside = [i for i, path in rows if not path.startswith("/P/D1/")]
    assert inside and outside
    assert officer.get(f"{BASE}/cases/{inside[0]}").status_code == 200
    assert officer.get(f"{BASE}/cases/{outside[0]}").status_code == 404
    assigned = _post(officer, f"{BASE}/cases", cases=[outside[0]],
                     collector=_user_id(app, "col1"))
    assert assigned.status_code == 400


def test_a_paper_form_is_found_by_its_case_code(app):
    ids = _case_ids(app)
    admin = _client(app, "admin")
    _post(admin, f"{BASE}/cases", cases=[ids[5]], collector=_user_id(app, "col2"))
    col2 = _client(app, "col2")
    found = _post(col2, "/investigations/", "/investigations/paper",
                  case_code=case_code(CODE, ids[5]))
    assert found.status_code == 303 and found.headers["Location"].endswith(
        f"/cases/{ids[5]}/paper")
    missing = _post(col2, "/investigations/", "/investigations/paper",
                    case_code=case_code(CODE, ids[6]))
    assert missing.status_code == 400 and "Không có phiếu" in missing.text


def test_reminders_list_open_cases_after_n_days_per_collector(app):
    from datetime import timedelta

    from survey.models import now_utc
    from survey.services.investigation import reminders

    ids = _case_ids(app)
    with app.app_context():
        inv = investigation()
        for case in all_cases():
            case.token_issued_at = now_utc() - timedelta(days=20 if case.id in ids[:4] else 2)
        db.session.get(SampleCase, ids[0]).status = "refused"
        db.session.commit()
        due = reminders.due(inv, Scope(None, "t", True), 14)
        assert sorted(r.code for r in due) == sorted(case_code(CODE, i) for i in ids[1:4])
        assert all(r.days_open >= 19 for r in due)
        assert len(reminders.due(inv, Scope(None, "t", True), 0)) == 39
    admin = _client(app, "admin")
    page = admin.get(f"{BASE}/reminders?days=14")
    assert page.status_code == 200 and case_code(CODE, ids[2]) in page.text
    csv_text = admin.get(f"{BASE}/reminders.csv?days=14").get_data(as_text=True)
    assert csv_text.startswith("\ufeffcollector,case_code") and len(csv_text.splitlines()) == 4
    assert admin.get(f"{BASE}/reminders?days=-3").status_code == 400
    assert admin.get(f"{BASE}/reminders.csv?days=abc").status_code == 400


def test_the_reminders_csv_is_safe_from_formulas():
    from datetime import UTC, datetime

    from survey.services.investigation.reminders import Reminder, to_csv

    at = datetime(2025, 3, 1, tzinfo=UTC)
    text = to_csv([Reminder("=cmd|' /C calc'!A0", "DT-000001", "+HS-1", "@SUM(A1)", "-2",
                            "issued", at, at, 3)])
    row = text.splitlines()[1]
    assert row.startswith("'=cmd") and ",'+HS-1," in row and ",'@SUM(A1)," in row
    assert ",'-2," in row


def test_the_fieldwork_pages_speak_vietnamese_first(app):
    admin = _client(app, "admin")
    page = admin.get(f"{BASE}/").text
    assert "Tỷ lệ" in page or "Phỏng vấn" in page or "Đã trả lời" in page
    assert re.search(r"<th[^>]*>Từ chối</th>", page)


def test_a_multi_page_survey_is_answered_through_the_link(tmp_path):
    """The land survey (several pages, its first screen and skip logic) through /i/: one
    response with every page's answers, stored at the last page only."""
    with fieldwork_app(tmp_path, rows=200, n=12, questionnaire="land_survey") as app:
        case_id = _case_ids(app)[0]
        token = _issue(app, case_id)
        done = answer_pages(app.test_client(), f"/i/{token}", {}, tap_first=True)
        assert done.status_code == 302, done.text[-2000:]
        with app.app_context():
            case = db.session.get(SampleCase, case_id)
            assert case.status == "completed"
            response = db.session.get(Response, case.response_id)
            assert response.channel == "web" and response.procedure_id is not None
            count = db.session.execute(db.select(db.func.count()).select_from(Answer)
                                       .filter_by(response_id=response.id)).scalar_one()
            assert count >= 10


def test_an_officer_assigns_a_whole_stratum_at_once(app):
    admin = _client(app, "admin")
    with app.app_context():
        stratum = all_cases()[0].stratum_key
        in_stratum = {c.id for c in all_cases() if c.stratum_key == stratum}
    page = f"{BASE}/cases?stratum={stratum}"
    answer = _post(admin, page, page, all_shown="y", collector=_user_id(app, "col2"))
    assert answer.status_code == 303
    with app.app_context():
        col2 = _user_id(app, "col2")
        assert {c.id for c in all_cases() if c.collector_id == col2} == in_stratum
    nothing = _post(admin, f"{BASE}/cases", collector=_user_id(app, "col1"))
    assert nothing.status_code == 400 and "Hãy chọn ít nhất một phiếu" in nothing.text


def test_links_open_only_once_the_officer_starts_the_fieldwork(tmp_path):
    with fieldwork_app(tmp_path, rows=200, n=12, start=False) as app:
        token = _issue(app, _case_ids(app)[0])
        citizen = app.test_client()
        waiting = citizen.get(f"/i/{token}")
        assert waiting.status_code == 409 and "chưa bắt đầu" in waiting.text
        collector = _client(app, "col1")
        assert "Bắt đầu điều tra" not in collector.get(f"{BASE}/").text
        admin = _client(app, "admin")
        started = _post(admin, f"{BASE}/", f"{BASE}/start")
        assert started.status_code == 303
        assert citizen.get(f"/i/{token}").status_code == 200
        again = _post(admin, f"{BASE}/", f"{BASE}/start")  # twice: said, not a 5xx
        assert again.status_code == 303


def test_a_personal_link_is_hidden_from_the_request_logs():
    from survey.security import redact

    line = 'GET /i/q7dmh2DgUgOtl3vK9fmHkm HTTP/1.1" 200'
    assert "q7dmh2DgUgOtl3vK9fmHkm" not in redact(line) and "/i/[redacted]" in redact(line)


def test_a_page_sent_after_the_fieldwork_closed_stores_nothing_and_says_why(app):
    token = _issue(app, _case_ids(app)[2])
    citizen = app.test_client()
    page = citizen.get(f"/i/{token}")
    with app.app_context():
        from survey.services.investigation.investigations import close

        close(investigation(), actor="test")
        db.session.commit()
    sent = citizen.post(f"/i/{token}", data={**hidden_inputs(page.text), "q_rating": "3",
                                              "action": "next"})
    assert sent.status_code == 410 and "đã kết thúc" in sent.text
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Response)) \
            .scalar_one() == 0
