"""Version rules: a kept code keeps its meaning (docs/METHODOLOGY.md §8); diffs list the changes."""

from __future__ import annotations

from questionnaires import (
    Message,
    diff,
    incompatible_changes,
    load_text,
    unconfirmed_rewordings,
    wording_revisions,
)

OLD = """\
code: v
kind: survey
title: V
sections:
  - code: s
    title: S
    items:
      - {code: q1, type: likert5, label: Hài lòng, overall: true}
      - {code: q2, type: single_choice, label: Kênh, choices: [{code: a, label: A},
         {code: b, label: B}]}
      - {code: q3, type: text, label: Góp ý}
"""


def test_identical_versions_have_no_diff() -> None:
    old = load_text(OLD)
    assert diff(old, load_text(OLD)).empty
    assert incompatible_changes(old, load_text(OLD)) == []


def test_diff_lists_added_removed_and_changed() -> None:
    new = OLD.replace("label: Góp ý}", "label: Góp ý, max_length: 50}").replace(
        "      - {code: q1, type: likert5, label: Hài lòng, overall: true}\n",
        "      - {code: q1, type: likert5, label: {vi: Hài lòng, en: Satisfied},"
        " overall: true}\n      - {code: q0, type: nps, label: NPS}\n")
    d = diff(load_text(OLD), load_text(new.replace("  - {code: b, label: B}", "")))
    assert d.added == ("q0",) and d.removed == ()
    assert [(c.code, c.fields) for c in d.changed] == [("q1", ("label",)),
                                                      ("q3", ("max_length",))]
    assert diff(load_text(new), load_text(OLD)).removed == ("q0",)


def test_english_wording_and_choice_order_are_compatible() -> None:
    new = OLD.replace("label: Hài lòng,", "label: {vi: Hài lòng, en: Satisfied},").replace(
        "[{code: a, label: A},\n         {code: b, label: B}]",
        "[{code: b, label: B},\n         {code: a, label: A}]")
    assert incompatible_changes(load_text(OLD), load_text(new)) == []


def test_scale_change_under_the_same_code_is_refused() -> None:
    """A new type or another set of choice codes is another question: it needs a new code."""
    new = (OLD.replace("type: likert5", "type: rating3")
           .replace("{code: b, label: B}", "{code: c, label: B}"))
    problems = incompatible_changes(load_text(OLD), load_text(new, "v2.yaml"))
    assert [(p.code, p.item, p.line, p.params["fields"]) for p in problems] == [
        (Message.ITEM_MEANING_CHANGED, "q1", 8, "type"),
        (Message.ITEM_MEANING_CHANGED, "q2", 9, "choices")]
    assert str(problems[0]).startswith("v2.yaml:8:9: ITEM_MEANING_CHANGED q1: the item keeps")
    assert "hãy đặt mã mới" in problems[1].message("vi")
    assert "mã các lựa chọn" in problems[1].message("vi")
    changed = {c.code: c for c in diff(load_text(OLD), load_text(new)).changed}
    assert changed["q1"].scale_changed and changed["q2"].scale_changed
    assert diff(load_text(OLD), load_text(new)).wording_revisions == ()


def test_a_typo_is_a_wording_revision_with_old_and_new_text() -> None:
    """docs/METHODOLOGY.md §8: same code and scale, other words: comparable, kept side by side."""
    new = (OLD.replace("label: Hài lòng,", "label: 'Hài lòng không?',")
           .replace("label: B}", "label: Bưu điện}")
           .replace("label: Góp ý}", "label: {vi: Góp ý khác, en: Other comments}}"))
    old_q, new_q = load_text(OLD), load_text(new)
    assert incompatible_changes(old_q, new_q) == []
    revisions = wording_revisions(old_q, new_q)
    assert [(c.code, [(f.field, f.old, f.new) for f in c.changes]) for c in revisions] == [
        ("q1", [("label.vi", "Hài lòng", "Hài lòng không?")]),
        ("q2", [("choices.label", "b: B", "b: Bưu điện")]),
        ("q3", [("label.vi", "Góp ý", "Góp ý khác"), ("label.en", "—", "Other comments")])]
    # only the author can tell a typo from a new question: unconfirmed, each is named
    asked = unconfirmed_rewordings(old_q, new_q)
    assert [(p.code, p.item) for p in asked] == [(Message.ITEM_REWORDED, c)
                                                 for c in ("q1", "q2", "q3")]
    assert "'Hài lòng' → 'Hài lòng không?'" in asked[0].message("vi")
    english_only = OLD.replace("label: Góp ý}", "label: {vi: Góp ý, en: Comments}}")
    assert unconfirmed_rewordings(old_q, load_text(english_only)) == []


def test_diff_gives_old_and_new_text_of_every_changed_field() -> None:
    new = (OLD.replace("label: Góp ý}", "label: Góp ý, max_length: 50}")
           .replace("title: V\n", "title: {vi: V2, en: Form}\nservice_areas: [land]\n"))
    d = diff(load_text(OLD), load_text(new))
    assert [(c.code, [(f.field, f.old, f.new) for f in c.changes]) for c in d.changed] == [
        ("q3", [("max_length", "—", "50")])]
    assert [(f.field, f.old, f.new) for f in d.meta] == [
        ("title.vi", "V", "V2"), ("title.en", "—", "Form"), ("service_areas", "—", "land")]
