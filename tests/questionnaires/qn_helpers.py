"""Helpers for stating definitions inline (a unique module name: tests/ holds no packages).

HEAD is 8 lines long, so the first item a test appends is on line 9.
"""

from __future__ import annotations

from questionnaires import Report, check_text

HEAD = """\
code: t
kind: survey
title: {vi: Thử, en: Test}
sections:
  - code: s
    title: {vi: Phần, en: Part}
    items:
      - {code: q1, type: likert5, overall: true, label: {vi: Một, en: One}}
"""


def check(text: str, filename: str = "t.yaml") -> Report:
    return check_text(text, filename)[1]


def located(report: Report) -> list[tuple[str, int | None, str | None]]:
    return [(p.code.name, p.line, p.item) for p in report.errors]

