"""Where a `next=` parameter may send the browser: only to a path on this site.

An open redirect lets a phishing link borrow our domain ("log in at hailong…, then land on
evil.example"). Checking for a leading "/" is not enough, because browsers clean a URL before
reading it (WHATWG URL standard): they drop tabs and newlines anywhere and control characters
or spaces at either end, and read "\\" as "/". So "/\\t/evil.example" and "/\\evil.example" both
become "//evil.example", another host. The target is cleaned the same way first and refused
unless what is left is a plain path.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# What browsers remove anywhere (tab, LF, CR) and what they strip at the ends (C0 and space).
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def local_path(target: str | None) -> str | None:
    """`target` as browsers will read it when it is a path on this site, else None."""
    if not target:
        return None
    cleaned = _TAB_OR_NEWLINE.sub("", target).strip(_C0_AND_SPACE)
    # A backslash is a slash to browsers; any control character left is never a real path.
    if "\\" in cleaned or _CONTROL.search(cleaned):
        return None
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return None
    return cleaned


def safe_next(target: str | None, fallback: str) -> str:
    """The local path `target` names, or `fallback` (the home page) for anything else."""
    return local_path(target) or fallback
