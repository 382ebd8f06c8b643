"""A JavaScript kiosk's answer carries the feedback offer (#23): when the stored rating is
dissatisfied or has a comment, the API's answer to the kiosk's submission or amend holds the
signed /f/ link of that response, its QR code (decoded here, with zxing-cpp, from the SVG as
served) and who answers within how many working days; a satisfied tap gets none, nor does a
submission naming the response under another kiosk or another channel."""

from __future__ import annotations

import re
import uuid

import pytest

from survey.extensions import db
from survey.models import Kiosk, Questionnaire, Unit
from survey.services import tokens
from survey.services.feedback import offers
from tests import factories

zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp is a dev extra (decodes QR)")
Image = pytest.importorskip("PIL.Image")

API = "/api/v1/responses"


def kiosk_token(app, name: str = "test kiosk") -> str:
    with app.app_context():
        unit = db.session.execute(db.select(Unit).filter_by(code="HN-X01")).scalar_one()
        questionnaire = db.session.execute(
            db.select(Questionnaire).filter_by(code="dossier_rating")).scalar_one()
        kiosk = Kiosk(unit=unit, questionnaire=questionnaire, name=name,
                      token_nonce=uuid.uuid4().hex)
        db.session.add(kiosk)
        db.session.commit()
        return tokens.kiosk_token(kiosk)


def post(client, token: str, response_id: str, answers: dict, lang: str = "vi",
         channel: str = "kiosk"):
    return client.post(API, json={"id": response_id, "questionnaire": "dossier_rating",
                                  "unit": "HN-X01", "channel": channel, "token": token,
                                  "answers": answers}, headers={"Accept-Language": lang})


def decode_svg(svg: str) -> list[str]:
    """Draw segno's SVG path (M/m moves, h strokes one module high) into an image and decode
    it: what a phone's camera would read from the screen, not the matrix segno started from."""
    found = re.search(r'class="qrline"[^>]*\bd="([^"]+)"', svg)
    box = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    assert found and box, svg[:200]
    x = y = 0.0
    dark: list[tuple[int, int]] = []
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", found.group(1)):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark += [(int(x) + i, int(y)) for i in range(int(float(a)))]
            x += float(a)
    size = int(box.group(1))  # the quiet zone is inside the view box
    image = Image.new("L", (size * 8, size * 8), 255)
    for column, row in dark:
        image.paste(0, (column * 8, row * 8, column * 8 + 8, row * 8 + 8))
    return [r.text for r in zxingcpp.read_barcodes(image)
            if r.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_dissatisfied_kiosk_tap_is_answered_with_the_offer(app, lang):
    client, token = app.test_client(), kiosk_token(app)
    response_id = str(uuid.uuid4())
    answer = post(client, token, response_id, {"rating": 1}, lang)
    assert answer.status_code == 201, answer.json
    offer = answer.json["offer"]
    assert offer["source"] == "rating" and offer["days"] == 10
    assert offer["unit"] == ("Unit HN-X01" if lang == "en" else "Đơn vị HN-X01")
    assert offer["expires_in"] == 2 * 3600
    assert decode_svg(offer["qr_svg"]) == [offer["url"]]
    path = offer["url"].removeprefix("http://localhost")
    assert re.fullmatch(r"/f/[A-Za-z0-9_.-]+", path)
    with app.app_context():
        found = offers.read_offer(path[3:])  # that response's offer, made for a phone
        assert str(found.response.uuid) == response_id and found.kiosk_token == ""
        db.session.remove()
    form = client.get(path)
    assert form.status_code == 200 and 'name="address"' in form.text
    # Nothing of the citizen's in the offer: no answer, no comment.
    assert "rating" not in offer and "answers" not in offer


def test_a_satisfied_tap_gets_no_offer_and_a_comment_added_later_does(app):
    client, token = app.test_client(), kiosk_token(app)
    response_id = str(uuid.uuid4())
    first = post(client, token, response_id, {"rating": 3})
    assert first.status_code == 201 and "offer" not in first.json
    # The follow-up (same id, within KIOSK_AMEND_SECONDS) changes the rating and adds a
    # comment: the amend's answer carries the offer.
    amended = post(client, token, response_id,
                   {"rating": 1, "reason": "long_wait", "comment": "Chờ lâu quá"})
    assert amended.status_code == 200, amended.json
    assert amended.json["answers"]["comment"] == "Chờ lâu quá"
    assert amended.json["offer"]["source"] == "rating"
    assert decode_svg(amended.json["offer"]["qr_svg"]) == [amended.json["offer"]["url"]]
    assert "Chờ lâu quá" not in amended.json["offer"]["qr_svg"]


def test_the_offer_is_only_for_the_kiosk_that_stored_the_response(app):
    client = app.test_client()
    mine, other = kiosk_token(app, "kiosk A"), kiosk_token(app, "kiosk B")
    response_id = str(uuid.uuid4())
    assert "offer" in post(client, mine, response_id, {"rating": 1}).json
    # The same id under another kiosk's token: the stored response comes back, no offer.
    replay = post(client, other, response_id, {"rating": 1})
    assert replay.status_code == 200 and "offer" not in replay.json
    with app.app_context():
        poster = tokens.qr_token("HN-X01", "MC1", "dossier_rating")
    as_phone = post(client, poster, response_id, {"rating": 1}, channel="phone")
    assert as_phone.status_code == 200 and "offer" not in as_phone.json
    # A phone's own dissatisfied answer through the API: its page makes the offer, not the API.
    with app.app_context():
        payload = factories.prove({"id": str(uuid.uuid4()), "questionnaire": "dossier_rating",
                                   "unit": "HN-X01", "channel": "phone",
                                   "answers": {"rating": 1}}, desk_code="MC1")
    phone = client.post(API, json=payload)
    assert phone.status_code == 201 and "offer" not in phone.json


def test_a_switched_off_kiosk_replaying_gets_no_offer(app):
    client, token = app.test_client(), kiosk_token(app)
    response_id = str(uuid.uuid4())
    assert "offer" in post(client, token, response_id, {"rating": 1}).json
    with app.app_context():
        from survey.models import now_utc

        kiosk = tokens.kiosk_from_token(token)
        kiosk.revoked_at = now_utc()
        db.session.commit()
    replay = post(client, token, response_id, {"rating": 1})
    assert replay.status_code == 200 and "offer" not in replay.json


def test_the_answer_with_an_offer_matches_the_served_openapi_schema(app):
    # schemathesis' own validator (its fuzzing rarely holds a kiosk token, so it seldom sees
    # an offer)
    jsonschema = pytest.importorskip("jsonschema_rs")
    client, token = app.test_client(), kiosk_token(app)
    document = client.get("/api/v1/openapi.json").json
    answer = post(client, token, str(uuid.uuid4()), {"rating": 1, "comment": "Chờ lâu"})
    assert answer.status_code == 201 and "offer" in answer.json
    stored = document["paths"]["/responses"]["post"]["responses"]["201"]["content"]
    schema = {**stored["application/json"]["schema"], "components": document["components"]}
    jsonschema.Draft202012Validator(schema).validate(answer.json)  # raises if not
    offer_schema = document["components"]["schemas"]["FeedbackOffer"]
    assert set(offer_schema["required"]) == set(answer.json["offer"])
    # and the schema does refuse a broken offer (the check above can fail)
    broken = {**answer.json, "offer": {**answer.json["offer"], "days": "ten"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(broken)


@pytest.mark.parametrize("rating, offered", [(1, True), (3, False)])
def test_the_kiosk_without_javascript_shows_the_same_qr_code(app, rating, offered):
    from tests.conftest import csrf_from

    client, token = app.test_client(), kiosk_token(app)
    page = client.get(f"/k/{token}")
    response_id = re.search(r'name="response_id"[^>]*value="([^"]+)"', page.text).group(1)
    thanks = client.post(f"/k/{token}", data={
        "csrf_token": csrf_from(page.text), "response_id": response_id.replace("&#34;", '"'),
        "q_rating": str(rating)})
    assert thanks.status_code == 200, thanks.text[:500]
    svg = re.search(r'<svg[^>]*class="segno".*?</svg>', thanks.text, re.S)
    if not offered:
        assert svg is None and "/f/" not in thanks.text
        return
    links = decode_svg(svg.group(0))
    assert len(links) == 1 and links[0].startswith("http://localhost/f/")
    with app.app_context():
        phone = offers.read_offer(links[0].rsplit("/", 1)[1])
        kiosk = offers.read_offer(re.search(r'href="/f/([^"]+)"', thanks.text).group(1))
        # the QR's link is the phone's; the button's is the kiosk's own (back to its start)
        assert phone.kiosk_token == "" and kiosk.kiosk_token == token
        assert phone.response.id == kiosk.response.id
        db.session.remove()
