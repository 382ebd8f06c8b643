"""Every built-in questionnaire validates, loads and exports back to an equal definition."""

from __future__ import annotations

import json

import pytest

from questionnaires import (
    ELEMENTS,
    LIBRARY_DIR,
    builtin_paths,
    check_file,
    content_hash,
    dump_yaml,
    from_dict,
    get_type,
    load_builtins,
    load_file,
    load_text,
    to_dict,
)

PATHS = builtin_paths()
SURVEYS = ("land_survey", "id_card_survey", "marriage_survey", "construction_survey")


def test_library_lists_the_five_files_not_the_core_fragments() -> None:
    assert [p.name for p in PATHS] == ["construction.yaml", "dossier_rating.yaml",
                                       "id_card.yaml", "land.yaml", "marriage.yaml"]
    assert set(load_builtins()) == {*SURVEYS, "dossier_rating"}


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_builtin_validates_without_warnings(path) -> None:
    report = check_file(path)
    assert report.errors == () and report.warnings == ()


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_builtin_round_trips(path) -> None:
    q = load_file(path)
    assert load_text(dump_yaml(q), "export.yaml") == q
    data = json.loads(json.dumps(to_dict(q)))  # as the database stores it
    assert from_dict(data) == q
    assert content_hash(from_dict(data)) == content_hash(q)
    assert "include" not in json.dumps(data)


@pytest.mark.parametrize("code", SURVEYS)
def test_survey_structure(code: str) -> None:
    q = load_builtins()[code]
    assert q.kind == "survey" and q.service_areas == (code.removesuffix("_survey"),)
    for element in ELEMENTS:
        assert q.element_items(element), element
    sipas = [i for i in q.items if i.element or i.overall]
    assert sipas[-1] is q.overall_item  # perception items first, overall last
    assert q.items.index(q.overall_item) < q.items.index(q.item("i2_unofficial_payment"))
    kinds = {i.type for i in q.items}
    assert {"likert5", "expectation4", "text", "single_choice", "number"} <= kinds
    assert [i.code for i in q.items if i.type == "text"] == ["comments"]
    assert {i.demographic for i in q.items if i.demographic} == {
        "respondent_type", "sex", "age_band", "education", "occupation"}
    assert q.respondent_type_item.choice_codes == ("individual", "organisation")
    assert all(i.label.en and i.label.vi for i in q.items)


def test_core_is_shared_by_reference() -> None:
    for code in SURVEYS:
        text = (LIBRARY_DIR / f"{code.removesuffix('_survey')}.yaml").read_text("utf-8")
        assert "include: core/sipas.yaml" in text and "a1_seating" not in text
    qs = load_builtins()
    cores = {tuple(i for i in qs[c].items if i.element or i.overall) for c in SURVEYS}
    assert len(cores) == 1


def test_land_specific_items() -> None:
    q = load_builtins()["land_survey"]
    assert q.item("land_supplements").type == "number"
    assert q.item("land_agencies").min == 1
    assert q.item("land_unofficial_asked").type == "yes_no"


def test_dossier_rating_kiosk() -> None:
    q = load_builtins()["dossier_rating"]
    rating, reason, comment = q.items
    assert (q.kind, rating.type, rating.overall, rating.required) == (
        "dossier_rating", "rating3", True, True)
    assert get_type("rating3").value_labels(rating)[0][1].vi == "Không hài lòng"
    for follow_up in (reason, comment):
        assert (follow_up.show_if.item, follow_up.show_if.op, follow_up.show_if.value) == (
            "rating", "equals", 1)
        assert not follow_up.required
    assert (reason.type, comment.type) == ("single_choice", "text")


def test_problems_in_a_fragment_name_the_fragment(tmp_path) -> None:
    (tmp_path / "part.yaml").write_text(
        "sections:\n  - code: p\n    title: P\n    items:\n"
        "      - {code: x, type: likert9, label: X}\n", "utf-8")
    main = tmp_path / "main.yaml"
    main.write_text("code: m\nkind: survey\ntitle: M\nsections:\n  - include: part.yaml\n"
                    "  - include: core/sipas.yaml\n  - include: missing.yaml\n", "utf-8")
    got = [(p.code.name, p.file.rsplit("/", 1)[-1], p.line, p.item)
           for p in check_file(main).errors]
    assert got == [("UNKNOWN_TYPE", "part.yaml", 5, "x"),
                   ("INCLUDE_NOT_FOUND", "main.yaml", 7, None)]


def test_include_cycle_is_reported(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text("sections:\n  - include: a.yaml\n", "utf-8")
    main = tmp_path / "main.yaml"
    main.write_text("code: m\nkind: survey\ntitle: M\nsections:\n  - include: a.yaml\n", "utf-8")
    codes = [p.code.name for p in check_file(main).errors]
    assert codes[0] == "INCLUDE_CYCLE"
