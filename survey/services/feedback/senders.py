"""How an answer (or an escalation) reaches someone: one sender per contact channel.

E-mail goes through a real SMTP server (`SMTP_*` settings). SMS and Zalo have no gateway in
the app yet: their senders are `LogOnlySender`s, which write one log line (never the number)
and report the message as NOT sent, so a case shows that the citizen was not reached instead of
a false success. A deployment plugs in a real gateway with `use_sender(app, channel, sender)`:
any object with `send(address, subject, body) -> SendResult`.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from flask import Flask, current_app

log = logging.getLogger(__name__)
EXTENSION = "feedback_senders"


@dataclass(frozen=True, slots=True)
class SendResult:
    sent: bool
    detail: str  # for the case's history: never the address


class Sender(Protocol):
    def send(self, address: str, subject: str, body: str) -> SendResult: ...


class SmtpEmailSender:
    """Sends one plain-text UTF-8 message per call through the configured SMTP server."""

    def __init__(self, config: dict):
        self.host = config.get("SMTP_HOST", "")
        self.port = int(config.get("SMTP_PORT", 25))
        self.sender = config.get("SMTP_FROM", "")
        self.user = config.get("SMTP_USER", "")
        self.password = config.get("SMTP_PASSWORD", "")
        self.starttls = bool(config.get("SMTP_STARTTLS", False))
        self.timeout = int(config.get("SMTP_TIMEOUT", 10))

    def send(self, address: str, subject: str, body: str) -> SendResult:
        return self.send_message(self.message(address, subject, body))

    def message(self, address: str, subject: str, body: str) -> EmailMessage:
        """The plain-text message; a caller may add attachments (an alert's chart) before
        `send_message`."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, address, subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(body)
        return message

    def send_message(self, message: EmailMessage) -> SendResult:
        if not self.host or not self.sender:
            return SendResult(False, "e-mail not sent: SMTP_HOST or SMTP_FROM is not set")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password)
                refused = smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            log.warning("feedback e-mail not sent: %s", type(error).__name__)
            return SendResult(False, f"e-mail not sent: {type(error).__name__}")
        if refused:
            return SendResult(False, "e-mail not sent: the server refused the recipient")
        return SendResult(True, "sent by e-mail")


class LogOnlySender:
    """A channel without a gateway: logs that a message was NOT sent, and says so."""

    def __init__(self, channel: str):
        self.channel = channel

    def send(self, address: str, subject: str, body: str) -> SendResult:
        log.info("feedback %s not sent (no %s gateway configured; log only): %s",
                 self.channel, self.channel, subject)
        return SendResult(False, f"{self.channel} not sent: no gateway configured")


def use_sender(app: Flask, channel: str, sender: Sender) -> None:
    """Plug a real gateway (or a test double) in for `channel` in this app."""
    app.extensions.setdefault(EXTENSION, {})[channel] = sender


def sender_for(channel: str) -> Sender:
    plugged = current_app.extensions.get(EXTENSION, {}).get(channel)
    if plugged is not None:
        return plugged
    if channel == "email":
        return SmtpEmailSender(current_app.config)
    return LogOnlySender(channel)
