"""Feedback cases (issue #23, SIPAS element E "receipt and handling of feedback").

A dissatisfied rating or a comment opens a case for the unit that handled the service
(`cases.open_case`); the citizen may leave a way back, only with explicit consent, kept sealed
and apart (`contacts`). The unit answers within a deadline in working days (`deadlines`); the
answer goes to the citizen through a pluggable sender (`senders`: e-mail over SMTP; SMS and
Zalo have no gateway yet and say so); closing the case deletes the contact. Overdue cases
escalate to the unit's leader (`escalation`); `figures` gives the share answered on time and
the median time to answer, per unit and service.

Services take plain data and flush; the request (or the CLI) commits once.
"""

from __future__ import annotations


class FeedbackError(ValueError):
    """A change the case cannot take: `field` names what is wrong, `message` says why."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
