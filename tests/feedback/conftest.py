"""A real SMTP server on a free local port (aiosmtpd), and an app wired to it, for the
feedback cases' tests: the messages the app sends are read back as the server received them."""

from __future__ import annotations

import email
import email.policy
import socket
import uuid
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from survey.extensions import db
from survey.models import Desk, Unit
from survey.services import questionnaires as qservice
from survey.services import responses as rservice
from survey.services.investigation.contacts import new_key
from tests import factories
from tests.design.helpers import login, staffed_app

LEADER = "chu.tich@hn.example.vn"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content()


@dataclass
class Recorder:
    """aiosmtpd handler: keeps every message it is given."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield recorder, controller.port
    finally:
        controller.stop()


def feedback_app(url: str, port: int, **extra):
    return staffed_app(url, CONTACT_KEY=new_key(), SMTP_HOST="127.0.0.1", SMTP_PORT=port,
                       SMTP_FROM="hailong@hn.example.vn", SMTP_TIMEOUT=5,
                       FEEDBACK_LEADER_EMAILS=f"HN={LEADER}", **extra)


@pytest.fixture
def app(tmp_path, smtp):
    app = feedback_app(f"sqlite:///{tmp_path / 'feedback.db'}", smtp[1])
    with app.app_context():
        unit = db.session.execute(db.select(Unit).filter_by(code="HN-X01")).scalar_one()
        db.session.add(Desk(unit=unit, code="MC1", name_vi="Bàn 1"))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def client_as(app, role: str | None):
    client = app.test_client()
    if role is not None:
        login(client, role)
    return client


def submit(unit: str = "HN-X01", rating: int = 1, comment: str = "",
           channel: str = "phone") -> int:
    """Store a dossier rating through the real submission path; its response id."""
    version = qservice.latest_version(qservice.get("dossier_rating"))
    answers = {"rating": rating}
    if rating == 1:
        answers["reason"] = "long_wait"
        if comment:
            answers["comment"] = comment
    payload = factories.prove({"id": str(uuid.uuid4()), "questionnaire": "dossier_rating",
                               "version": version.number, "unit": unit, "channel": channel,
                               "answers": answers}, desk_code="MC1" if unit == "HN-X01" else None)
    return rservice.submit(payload, "vi").response_id
