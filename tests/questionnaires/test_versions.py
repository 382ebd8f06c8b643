"""Version rules: a kept code keeps its meaning (METHODOLOGY §8); diffs list the changes."""

from __future__ import annotations

from questionnaires import Message, diff, incompatible_changes, load_text

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


def test_scale_or_meaning_change_under_the_same_code_is_refused() -> None:
    new = (OLD.replace("type: likert5", "type: rating3")
           .replace("label: B}", "label: Bưu điện}")
           .replace("label: Góp ý}", "label: Ý kiến khác}"))
    problems = incompatible_changes(load_text(OLD), load_text(new, "v2.yaml"))
    assert [(p.code, p.item, p.line, p.params["fields"]) for p in problems] == [
        (Message.ITEM_MEANING_CHANGED, "q1", 8, "type"),
        (Message.ITEM_MEANING_CHANGED, "q2", 9, "choices"),
        (Message.ITEM_MEANING_CHANGED, "q3", 11, "Vietnamese label")]
    assert str(problems[0]).startswith("v2.yaml:8:9: ITEM_MEANING_CHANGED q1: the item keeps")
    assert "hãy đặt mã mới" in problems[2].message("vi")
