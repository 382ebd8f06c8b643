"""The formula guard is reversible: every text comes back from guard-then-unguard, and no
guarded text begins with what a spreadsheet would run."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from survey.services.formula_guard import neutralise, unguard

STARTS = ("=", "+", "-", "@", "\t", "\r")
# texts made to begin with the characters that matter, then anything
texts = st.builds(lambda head, tail: head + tail,
                  st.text(alphabet="=+-@\t\r' ab", max_size=4), st.text(max_size=20))


@given(texts)
def test_unguard_undoes_the_guard(value):
    assert unguard(neutralise(value)) == value


@given(texts)
def test_a_guarded_text_never_starts_a_formula(value):
    assert not neutralise(value).startswith(STARTS)


def test_examples():
    assert neutralise("=1+1") == "'=1+1" and unguard("'=1+1") == "=1+1"
    assert neutralise("-5 phút") == "'-5 phút" and unguard("'-5 phút") == "-5 phút"
    assert neutralise("'quoted") == "'quoted" and unguard("'quoted") == "'quoted"
    assert neutralise("'=x") == "''=x" and unguard("''=x") == "'=x"
    assert neutralise("'") == "'" and unguard("'") == "'"
    assert neutralise(5) == 5 and unguard(5) == 5 and unguard(None) is None
