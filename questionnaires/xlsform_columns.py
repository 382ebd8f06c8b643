"""XLSForm column headers in every spelling, as pyxform reads them, to one key each.

``label::English (en)``, ``label::English``, ``Label::english``, old-style ``label:english`` and
``label`` alone all name the label column of a language; sheet and column names are
case-insensitive. A header becomes ``base`` or ``base::lang`` where ``lang`` is a language code
(``vi``, ``en``, ``sw``...), or ``default`` for a column without a language, which the form's
``default_language`` names.
"""

from __future__ import annotations

import re

# columns that carry one text per language
TRANSLATABLE = ("label", "hint", "constraint_message", "required_message", "guidance_hint",
                "media::image", "media::audio", "media::video", "image", "audio", "video",
                "big-image", "media::big-image")
# pyxform's aliases of the headers it reads
ALIASES = {"list name": "list_name", "caption": "label", "value": "name",
           "constraint message": "constraint_message", "required message": "required_message",
           "choice_filter": "choice_filter", "bind::relevant": "relevant",
           "bind::required": "required", "bind::constraint": "constraint",
           "bind::calculate": "calculation", "control::appearance": "appearance",
           "bind:relevant": "relevant", "bind:required": "required",
           "bind:constraint": "constraint", "bind:calculate": "calculation",
           "control:appearance": "appearance"}
LANGUAGE_CODES = {"vietnamese": "vi", "tiếng việt": "vi", "tieng viet": "vi", "vi": "vi",
                  "english": "en", "en": "en", "default": "default"}
LANGUAGE_NAMES = {"vi": "Vietnamese", "en": "English"}
_NAMED = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$")


def language(text: str) -> tuple[str, str]:
    """(code, name) of a language spelled ``English (en)``, ``English``, ``english`` or ``en``."""
    text = text.strip()
    named = _NAMED.match(text)
    if named:
        return named.group("code").lower(), named.group("name") or named.group("code")
    return LANGUAGE_CODES.get(text.lower(), text.lower()), text


def column_key(header: str) -> tuple[str, str | None]:
    """(key, language name) of a header; the key is what the importer looks up."""
    raw = " ".join(header.split())
    lower = raw.lower()
    if lower.startswith("hailong::"):
        return lower, None  # our own columns: hailong::intro::vietnamese (vi) and the like
    lower = ALIASES.get(lower, lower)
    for base in sorted(TRANSLATABLE, key=len, reverse=True):
        if lower == base:
            return f"{base}::default", None
        for sep in ("::", ":"):
            if lower.startswith(base + sep) and not lower.startswith(base + "::" + ":"):
                code, name = language(raw[len(base) + len(sep):])
                return f"{base}::{code}", name
    return lower, None


def language_name(code: str, names: dict[str, str]) -> str:
    return LANGUAGE_NAMES.get(code) or names.get(code) or code
