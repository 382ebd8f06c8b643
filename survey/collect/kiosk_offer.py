"""The feedback offer a JavaScript kiosk shows on its thank-you screen (issue #23).

A kiosk is a shared public device: nobody should type an e-mail address or a phone number on
it. So when its stored answer is dissatisfied or carries a comment (offers.source_of), the
API's answer to the kiosk's submission or amend carries the signed offer of that response as
a link and as a QR code drawn here (segno, as the desk posters): the citizen scans it and
leaves a contact on their own phone. The link is the phone's (no kiosk token): the form opened
on a phone must not send the phone back to a kiosk's start screen.

Only for the kiosk that stored the response: an answer under another kiosk's token, or
another channel, gets no offer even when it names the same response id.
"""

from __future__ import annotations

import io

import segno
from flask import url_for

from survey.extensions import db
from survey.models import Response
from survey.services import tokens
from survey.services.feedback import offers


def qr_svg(url: str) -> str:
    """Inline SVG that scales to the screen (a viewBox, no fixed size): segno, as the posters;
    dark modules on white with a quiet zone, which phones' cameras read best."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=1, border=4, xmldecl=False,
                                    svgns=True, omitsize=True, light="#fff")
    return buffer.getvalue().decode()


def for_kiosk(payload: object, response_id: int, lang: str) -> dict | None:
    """The offer for the API's answer, or None (not a kiosk's own, or nothing to offer)."""
    token = payload.get("token") if isinstance(payload, dict) else None
    if not isinstance(payload, dict) or payload.get("channel") != "kiosk" \
            or not isinstance(token, str):
        return None
    try:
        kiosk = tokens.kiosk_from_token(token)
        response = db.session.get(Response, response_id)
        if response is None or response.channel != "kiosk" or response.kiosk_id != kiosk.id:
            return None
        signed = offers.offer_token(response_id)
        offer = offers.read_offer(signed)  # in figures, and dissatisfied or commented
        if offer is None:
            return None
        steps = offers.next_steps(offer)
        url = url_for("feedback.offer", token=signed, _external=True)
        return {"url": url, "qr_svg": qr_svg(url),
                "unit": steps.unit_en if lang == "en" else steps.unit_vi,
                "days": steps.days, "source": offer.source,
                "expires_in": offers.OFFER_MAX_AGE}
    except tokens.TokenRefused:
        return None  # the kiosk was switched off since: the answer stands, no offer
    finally:
        db.session.rollback()  # only read; the answer was committed before
