"""The staff menu: each blueprint registers its entries; a user sees only what their role may.

Registering here instead of editing one template keeps blueprints independent of each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for


@dataclass(frozen=True, slots=True)
class NavItem:
    endpoint: str
    label: object  # a lazy translated string
    capability: str
    order: int


NAV: dict[str, NavItem] = {}


def register_nav(endpoint: str, label, capability: str, order: int = 50) -> None:
    NAV[endpoint] = NavItem(endpoint, label, capability, order)


def staff_nav() -> list[tuple[str, str]]:
    """(url, label) of the entries the current principal may open, in menu order."""
    from survey.access import current_principal

    principal = current_principal()
    if principal is None:
        return []
    items = sorted(NAV.values(), key=lambda item: (item.order, item.endpoint))
    return [(url_for(item.endpoint), str(item.label)) for item in items
            if principal.can(item.capability)]
