"""The formula guard of exported spreadsheets, and its removal when a file is read back.

A spreadsheet runs a cell that begins with = + - @ (or a tab or carriage return, which some
of them skip before looking) as a formula, so exports write such a text with a leading
apostrophe. Reading a file back strips that apostrophe again, so an export imported again
stores the original text ("=1+1", "-5 phút"), not the guarded one.

The guard is made reversible: a text that itself begins with an apostrophe followed by a
formula start or a second apostrophe ("'=x", "''") is guarded too, so `unguard(neutralise(t))`
is `t` for every text. A lone leading apostrophe before anything else ("'quoted") is left as
it is both ways.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_AFTER_GUARD = (*FORMULA_STARTS, "'")
# What a text that may need the guard starts with: a cheap first test for millions of cells.
CANDIDATE_STARTS = _AFTER_GUARD


def is_guarded(text: str) -> bool:
    """Whether `text` is the guarded form of another text."""
    return text[:1] == "'" and text[1:2] in _AFTER_GUARD


def needs_guard(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) or is_guarded(text)


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and needs_guard(value):
        return "'" + value
    return value


def unguard(value):
    """The text `neutralise` was given: its leading apostrophe removed again. Called on
    every cell an import reads, so the common case is one comparison."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in _AFTER_GUARD:
        return value[1:]
    return value

