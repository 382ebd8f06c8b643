"""Catch Content-Security-Policy violations in real Chromium.

Chromium reports each script, style, frame or connection the policy blocked as a console error
that names the policy. `watch(page)` collects those of one page. Loaded as a plugin
(`pytest -p tests.browser.csp_watch`), it watches every page that any browser test opens and
fails the test whose pages broke the policy.
"""

from __future__ import annotations

import pytest

MARKERS = ("Content Security Policy", "Content-Security-Policy")
# A page whose URL carries this breaks the policy on purpose (the test of the policy itself).
PROBE = "csp-probe"


def is_violation(message) -> bool:
    return message.type == "error" and any(marker in message.text for marker in MARKERS)


def watch(page, into: list[str] | None = None) -> list[str]:
    found = [] if into is None else into
    page.on("console", lambda m: found.append(f"{page.url}: {m.text}") if is_violation(m)
            else None)
    return found


_seen: list[str] = []


def pytest_configure(config):
    from playwright.sync_api import Browser, BrowserContext

    for cls in (Browser, BrowserContext):
        original = cls.new_page

        def new_page(self, *args, _original=original, **kwargs):
            return_page = _original(self, *args, **kwargs)
            watch(return_page, _seen)
            return return_page

        cls.new_page = new_page


@pytest.fixture(autouse=True)
def _no_csp_violation():
    start = len(_seen)
    yield
    broken = [line for line in _seen[start:] if PROBE not in line.split(": ", 1)[0]]
    assert not broken, "Content-Security-Policy violations:\n" + "\n".join(broken)
