"""Property-based checks: valid definitions round-trip; corrupted files fail with a location."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaires import (
    TYPES,
    builtin_paths,
    check_text,
    dump_yaml,
    from_dict,
    load_text,
    to_dict,
)

codes = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                max_size=20).map(str.strip).filter(bool)
texts = st.one_of(words, st.fixed_dictionaries({"vi": words}, optional={"en": words}))


@st.composite
def items(draw, code: str, earlier: list[dict]) -> dict:
    kind = draw(st.sampled_from(sorted(TYPES)))
    item = {"code": code, "type": kind, "label": draw(texts)}
    if draw(st.booleans()):
        item["required"] = True
    if draw(st.booleans()):
        item["no_answer"] = draw(st.one_of(st.just(True), st.lists(
            st.sampled_from([97, 98, 99]), min_size=1, max_size=3, unique=True)))
    if kind in ("single_choice", "multi_choice"):
        item["choices"] = [{"code": c, "label": draw(texts)} for c in draw(
            st.lists(codes, min_size=2, max_size=4, unique=True))]
    if kind == "number":
        low = draw(st.integers(-5, 5))
        item.update(min=low, max=low + draw(st.integers(0, 100)))
    if kind == "text" and draw(st.booleans()):
        item["max_length"] = draw(st.integers(1, 2000))
    if kind in ("likert5", "rating3") and draw(st.booleans()):
        item["element"] = draw(st.sampled_from("ABCDE"))
    if earlier and draw(st.booleans()):
        item["show_if"] = {"item": draw(st.sampled_from(earlier))["code"], "answered": True}
    return item


@st.composite
def definitions(draw) -> dict:
    item_codes = draw(st.lists(codes, min_size=1, max_size=8, unique=True))
    section_codes = draw(st.lists(codes, min_size=1, max_size=3, unique=True))
    all_items: list[dict] = []
    for code in item_codes:
        all_items.append(draw(items(code, list(all_items))))
    sections = [{"code": c, "title": draw(texts), "items": []} for c in section_codes]
    for index, item in enumerate(all_items):
        sections[min(index, len(sections) - 1)]["items"].append(item)
    return {"code": draw(codes), "kind": draw(st.sampled_from(["survey", "dossier_rating"])),
            "title": draw(texts), "sections": sections}


@settings(max_examples=150, deadline=None)
@given(definitions())
def test_valid_definitions_round_trip(data: dict) -> None:
    q = from_dict(data)
    assert from_dict(to_dict(q)) == q
    assert load_text(dump_yaml(q), "export.yaml") == q


SOURCES = [(str(p), p.read_text("utf-8")) for p in builtin_paths()]


@st.composite
def corruptions(draw) -> tuple[str, str]:
    name, text = draw(st.sampled_from(SOURCES))
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "cut", "replace"]))
        junk = draw(st.text(string.printable + "ạờ{}[]:-'\"&*!|>", max_size=12))
        line = lines[at]
        if action == "delete":
            del lines[at]
        elif action == "duplicate":
            lines.insert(at, line)
        elif action == "insert":
            pos = draw(st.integers(0, len(line)))
            lines[at] = line[:pos] + junk + line[pos:]
        elif action == "cut":
            pos = draw(st.integers(0, len(line)))
            lines[at] = line[:pos] + line[pos + draw(st.integers(1, 10)):]
        else:
            lines[at] = junk + "\n"
        lines = lines or ["\n"]
    return name, "".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corruptions())
def test_corruptions_are_reported_with_a_location(case: tuple[str, str]) -> None:
    name, text = case
    questionnaire, report = check_text(text, name)  # must never raise
    assert (questionnaire is None) == bool(report.errors)
    for problem in report.errors + report.warnings:
        assert problem.file and problem.line is not None, str(problem)
        assert str(problem).startswith(f"{problem.file}:{problem.line}")
