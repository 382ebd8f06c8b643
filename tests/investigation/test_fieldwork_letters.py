"""The invitation letters read back: one page per open case of the batch, each page's QR code
decoded (zxing-cpp, a dev-only decoder) to the link printed beside it, that link opening its
own case, reprinting replacing the links, and the address block only when asked for."""

from __future__ import annotations

import io
import re

import pytest

from survey.extensions import db
from survey.models import SampleCase, User
from survey.services.investigation import cases
from survey.services.investigation.fieldwork import case_code
from tests.conftest import csrf_from
from tests.design.helpers import login
from tests.investigation.fieldwork_helpers import CODE, all_cases, fieldwork_app

pypdf = pytest.importorskip("pypdf", reason="pypdf is a dev extra (reads the PDF back)")
zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp is a dev extra (decodes QR)")

BASE = f"/investigations/{CODE}"
LINK = re.compile(r"http://localhost/i/[A-Za-z0-9_-]+")


@pytest.fixture
def app(tmp_path):
    with fieldwork_app(tmp_path, rows=300, n=24) as app:
        yield app


def _letters(client, **fields):
    token = csrf_from(client.get(f"{BASE}/letters").text)
    return client.post(f"{BASE}/letters", data={"csrf_token": token, **fields})


def _pages(pdf: bytes) -> list[tuple[str, list[str], list[str]]]:
    """Each page's text (its spaces and line breaks removed, as a PDF's text extraction
    breaks long words), the links printed on it, and what its QR codes decode to."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pages = []
    for page in reader.pages:
        decoded = [result.text for image in page.images
                   for result in zxingcpp.read_barcodes(image.image.convert("L"))
                   if result.format == zxingcpp.BarcodeFormat.QRCode]
        text = page.extract_text()
        pages.append((re.sub(r"\s+", "", text), LINK.findall(text), decoded))
    return pages


def _assign(app, client, case_ids, name):
    with app.app_context():
        user_id = db.session.execute(db.select(User.id).filter_by(username=name)).scalar_one()
    token = csrf_from(client.get(f"{BASE}/cases").text)
    answer = client.post(f"{BASE}/cases", data={"csrf_token": token, "cases": case_ids,
                                                 "collector": user_id})
    assert answer.status_code == 303
    return user_id


def test_a_collectors_batch_has_one_letter_per_case_and_its_qr_is_its_link(app):
    admin = app.test_client()
    login(admin, "admin")
    with app.app_context():
        ids = [c.id for c in all_cases()]
    mine = ids[:6]
    collector = _assign(app, admin, mine, "col1")
    with app.app_context():
        db.session.get(SampleCase, mine[5]).status = "refused"  # not open: no letter
        db.session.commit()
    answer = _letters(admin, collector=str(collector))
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    pages = _pages(answer.data)
    assert len(pages) == 5
    links = {}
    for text, printed, decoded in pages:
        assert len(decoded) == 1 and printed == decoded, (printed, decoded)
        code = re.search(re.escape(CODE) + r"-\d{6}", text).group(0)
        assert "Nguyễn" not in text and "Lê" not in text  # no contact printed
        assert "THƯMỜI" in text and "ỦYBANNHÂNDÂN" in text
        links[code] = decoded[0]
    # the open cases of the collector, each once (letters go in the order of the units)
    assert sorted(links) == sorted(case_code(CODE, i) for i in mine[:5])
    with app.app_context():
        for code, link in links.items():
            token = link.rsplit("/", 1)[1]
            assert case_code(CODE, cases.case_for_token(token).id) == code
    citizen = app.test_client()
    first = links[case_code(CODE, mine[0])].removeprefix("http://localhost")
    assert citizen.get(first).status_code == 200

    # printing again replaces every link of the batch
    again = _letters(admin, collector=str(collector))
    assert again.status_code == 200
    assert citizen.get(first).status_code == 404
    fresh = [decoded[0].removeprefix("http://localhost") for text, _, decoded in _pages(again.data)
             if case_code(CODE, mine[0]) in text]
    assert fresh[0] != first and citizen.get(fresh[0]).status_code == 200


def test_the_address_block_is_printed_only_when_asked(app):
    admin = app.test_client()
    login(admin, "admin")
    with app.app_context():
        case = all_cases()[0]
        number = int(case.dossier.dossier_code.removeprefix("HS-"))
        stratum = case.stratum_key
    plain = _pages(_letters(admin, stratum=stratum).data)
    assert all("Lê" not in text for text, _, _ in plain)
    with_address = _pages(_letters(admin, stratum=stratum, with_address="y").data)
    joined = "".join(text for text, _, _ in with_address)
    assert f"Số{number}đườngLêLợi" in joined and f"NguyễnVăn{number}" in joined
    # the phone number is never printed
    assert f"09{number:08d}" not in joined
    assert len(with_address) == len(plain)


def test_letters_refuse_an_empty_selection_and_collectors(app):
    admin = app.test_client()
    login(admin, "admin")
    with app.app_context():
        ids = [c.id for c in all_cases()]
    collector = _assign(app, admin, ids[:2], "col2")
    with app.app_context():
        for case_id in ids[:2]:
            db.session.get(SampleCase, case_id).status = "unreachable"
        db.session.commit()
    empty = _letters(admin, collector=str(collector))
    assert empty.status_code == 400 and "không có phiếu nào đang mở" in empty.text.lower()
    assert _letters(admin, stratum="not-a-stratum").status_code == 400
    someone = app.test_client()
    login(someone, "col1")
    assert someone.get(f"{BASE}/letters").status_code == 403


def test_a_batch_larger_than_a_request_can_print_is_refused_naming_the_limit(app, monkeypatch):
    from survey.services.investigation import letters

    monkeypatch.setattr(letters, "MAX_LETTERS", 3)
    admin = app.test_client()
    login(admin, "admin")
    refused = _letters(admin)
    assert refused.status_code == 400 and "hơn 3 thư" in refused.text
    with app.app_context():  # nothing re-issued
        assert all(c.token_hash is None for c in all_cases())
