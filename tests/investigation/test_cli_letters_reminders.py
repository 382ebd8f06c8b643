"""`hailong investigation letters` and `reminders`: the batch PDF read back (each QR code the
link printed beside it, opening its own case, a reprint replacing the links) and the open
cases due for a reminder, counted independently from the cases' letter dates."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from survey.extensions import db
from survey.models import SampleCase, Unit, User, now_utc
from survey.services.investigation import cases, fieldwork
from survey.services.investigation.fieldwork import Scope, case_code
from tests.investigation.fieldwork_helpers import CODE, all_cases, fieldwork_app, investigation

pypdf = pytest.importorskip("pypdf", reason="pypdf is a dev extra (reads the PDF back)")
zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp is a dev extra (decodes QR)")

BASE_URL = "https://hailong.example.vn"
LINK = re.compile(re.escape(BASE_URL) + r"/i/[A-Za-z0-9_-]+")


@pytest.fixture
def app(tmp_path):
    with fieldwork_app(tmp_path, rows=300, n=24) as app:
        yield app


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["investigation", *args])


def _assign(app, case_ids: list[int], username: str) -> int:
    with app.app_context():
        user_id = db.session.execute(
            db.select(User.id).filter_by(username=username)).scalar_one()
        fieldwork.assign(investigation(), case_ids, user_id, Scope(None, "test", True))
        db.session.commit()
    return user_id


def _pages(path) -> list[tuple[str, list[str], list[str]]]:
    """Each page's text without spaces, the links printed on it, and its QR codes' text."""
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    pages = []
    for page in reader.pages:
        decoded = [found.text for image in page.images
                   for found in zxingcpp.read_barcodes(image.image.convert("L"))
                   if found.format == zxingcpp.BarcodeFormat.QRCode]
        text = page.extract_text()
        pages.append((re.sub(r"\s+", "", text), LINK.findall(text), decoded))
    return pages


def test_a_collectors_letters_carry_each_case_its_own_working_link(app, tmp_path):
    with app.app_context():
        ids = [c.id for c in all_cases()]
    mine = ids[:5]
    _assign(app, mine, "col1")
    with app.app_context():
        db.session.get(SampleCase, mine[4]).status = "refused"  # not open: no letter
        db.session.commit()
    out = tmp_path / "col1.pdf"
    done = _run(app, "letters", CODE, "--collector", "col1", "--out", str(out),
                "--base-url", BASE_URL + "/")
    assert done.exit_code == 0, done.output
    assert "4 letter(s) written" in done.output
    links = {}
    for text, printed, decoded in _pages(out):
        assert len(decoded) == 1 and printed == decoded, (printed, decoded)
        assert "Nguyễn" not in text  # no contact unless --address
        links[re.search(re.escape(CODE) + r"-\d{6}", text).group(0)] = decoded[0]
    assert sorted(links) == sorted(case_code(CODE, i) for i in mine[:4])
    with app.app_context():
        for code, link in links.items():
            case = cases.case_for_token(link.rsplit("/", 1)[1])
            assert case_code(CODE, case.id) == code
    citizen = app.test_client()
    first = links[case_code(CODE, mine[0])].removeprefix(BASE_URL)
    assert citizen.get(first).status_code == 200
    # a reprint replaces the links: the first letter's no longer opens
    again = _run(app, "letters", CODE, "--collector", "col1", "--out", str(out),
                 "--base-url", BASE_URL)
    assert again.exit_code == 0, again.output
    assert citizen.get(first).status_code == 404


def test_letters_by_unit_and_with_the_address_block(app, tmp_path):
    with app.app_context():
        chosen = all_cases()
        district = db.session.execute(db.select(Unit).filter_by(code="D1")).scalar_one()
        # the district's own dossiers and those of its communes (the unit's subtree)
        expected = sorted(case_code(CODE, c.id) for c in chosen if db.session.get(
            Unit, c.dossier.unit_id).path.startswith(district.path))
        assert len({c.dossier.unit_id for c in chosen}) > 2 and expected
    code = "D1"
    out = tmp_path / "unit.pdf"
    done = _run(app, "letters", CODE, "--unit", code, "--address", "--out", str(out),
                "--base-url", BASE_URL)
    assert done.exit_code == 0, done.output
    pages = _pages(out)
    printed = sorted(re.search(re.escape(CODE) + r"-\d{6}", text).group(0)
                     for text, _, _ in pages)
    assert printed == expected
    assert all("đườngLêLợi" in text for text, _, _ in pages)  # the sealed address, opened


def test_letters_refuse_bad_requests_and_write_nothing(app, tmp_path):
    out = tmp_path / "none.pdf"

    def refused(*args, says: str):
        answer = _run(app, "letters", CODE, "--out", str(out), *args)
        assert answer.exit_code != 0 and says in answer.output, answer.output
        assert not out.exists()

    refused("--base-url", BASE_URL, "--collector", "nobody", says="no user 'nobody'")
    refused("--base-url", BASE_URL, "--collector", "col2", says="no open case")
    refused("--base-url", BASE_URL, "--unit", "ZZ", says="no unit 'ZZ'")
    refused("--base-url", "hailong.example.vn", says="the site's address")
    refused("--base-url", BASE_URL, "--collector", "col1", "--unassigned",
            says="exclude each other")
    answer = _run(app, "letters", "NO-SUCH", "--out", str(out), "--base-url", BASE_URL)
    assert answer.exit_code != 0 and "no investigation 'NO-SUCH'" in answer.output
    app.config["CONTACT_KEY"] = ""
    refused("--base-url", BASE_URL, "--address", says="HAILONG_CONTACT_KEY")
    with app.app_context():  # nothing was re-issued by any of them
        assert all(c.token_hash is None for c in all_cases())


def test_reminders_list_the_open_cases_past_their_days(app, tmp_path):
    with app.app_context():
        ids = [c.id for c in all_cases()]
    col1 = _assign(app, ids[:6], "col1")
    now = now_utc()
    with app.app_context():
        inv = investigation()
        inv.drawn_at = now - timedelta(days=30)  # the unlettered cases count from the draw
        for case in all_cases():
            case.token_issued_at = now - timedelta(days=3)
        for case_id in ids[:3]:  # col1's first three letters are 20 days old
            db.session.get(SampleCase, case_id).token_issued_at = now - timedelta(days=20)
        db.session.get(SampleCase, ids[2]).status = "unreachable"  # closed: no reminder
        for case_id in ids[6:9]:  # unassigned and never lettered
            db.session.get(SampleCase, case_id).token_issued_at = None
        db.session.commit()
        total = len(ids)
    listed = _run(app, "reminders", CODE)
    assert listed.exit_code == 0, listed.output
    rows = listed.output.strip().splitlines()
    assert rows[-1].startswith("5 case(s) open 14 day(s)")
    # collector by collector (the unassigned last), the oldest first, then by case code
    assert [line.split()[1] for line in rows[:-1]] == [
        case_code(CODE, i) for i in (ids[0], ids[1], ids[6], ids[7], ids[8])]
    assert rows[0].split()[0] == "col1" and rows[2].split()[0] == "(unassigned)"
    # every open case counts at 0 days; col1's own list holds only col1's
    assert f"{total - 1} case(s)" in _run(app, "reminders", CODE, "--days", "0").output
    own = _run(app, "reminders", CODE, "--days", "0", "--collector", "col1").output
    assert own.strip().splitlines()[-1].startswith("5 case(s)")
    out = tmp_path / "due.csv"
    written = _run(app, "reminders", CODE, "--out", str(out))
    assert written.exit_code == 0 and "case(s) to remind written" in written.output
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {(r["case_code"], r["collector"]) for r in table} == {
        (case_code(CODE, ids[0]), "col1"), (case_code(CODE, ids[1]), "col1"),
        *((case_code(CODE, i), "") for i in ids[6:9])}
    assert col1 and all(int(r["days_open"]) >= 14 for r in table)
    assert _run(app, "reminders", CODE, "--days", "99999").exit_code != 0
