"""Public web links: an officer issues one per unit and questionnaire (channel "web").

The link is the web channel's proof of origin: an answer claiming "web" must carry a link
token that an officer made, so a script cannot pour "web" answers into any unit. Links can
expire and be switched off; both are audited.
"""

from __future__ import annotations

from datetime import timedelta

from survey.database import begin_write
from survey.extensions import db
from survey.models import Unit, WebLink, now_utc
from survey.services import audit, tokens
from survey.services.kiosks import KioskRequestInvalid, unit_and_questionnaire

MAX_DAYS = 3660


def create_link(label: str, unit_code: str, questionnaire_code: str, actor: str,
                days: int | None = None, scope: Unit | None = None) -> WebLink:
    """A new link; `days` bounds its life (None: until switched off). Flushes."""
    begin_write()
    errors: dict[str, str] = {}
    unit, questionnaire = unit_and_questionnaire(unit_code, questionnaire_code, scope, errors)
    if not label.strip() or len(label.strip()) > 120:
        errors["label"] = "a label of 1 to 120 characters is needed"
    if days is not None and not 1 <= days <= MAX_DAYS:
        errors["days"] = f"from 1 to {MAX_DAYS} days"
    if errors:
        raise KioskRequestInvalid(errors)
    link = WebLink(label=label.strip(), unit=unit, questionnaire=questionnaire,
                   token_nonce=tokens.new_kiosk_nonce(), created_by=actor,
                   expires_at=now_utc() + timedelta(days=days) if days else None)
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "create", "web_link", str(link.id),
                 new={"label": link.label, "unit": unit_code,
                      "questionnaire": questionnaire_code, "days": days})
    return link


def revoke_link(link_id: int, actor: str, scope: Unit | None = None) -> WebLink:
    """Switch a link off: it stops working at once."""
    begin_write()
    link = db.session.get(WebLink, link_id)
    if link is None or (scope is not None and not link.unit.path.startswith(scope.path)):
        raise KioskRequestInvalid({"link": f"no web link {link_id}"})
    if link.revoked_at is None:
        link.revoked_at = now_utc()
        audit.record(actor, "revoke", "web_link", str(link.id))
    db.session.flush()
    return link
