"""Drafts, immutable versions and the comparability rule, through the `hailong` commands."""

from pathlib import Path

import pytest

import questionnaires as qn
from survey.extensions import db
from survey.models import QuestionnaireVersion, VersionItem
from survey.services import questionnaires as service

SMALL = """\
code: test_small
kind: survey
title: {vi: Phiếu thử, en: Test form}
service_areas: [land]
sections:
  - code: main
    title: {vi: Đánh giá, en: Ratings}
    items:
      - code: q_staff
        type: likert5
        element: C
        label: {vi: Thái độ của công chức, en: Staff attitude}
      - code: q_overall
        type: likert5
        overall: true
        label: {vi: Hài lòng chung, en: Overall satisfaction}
"""


@pytest.fixture
def small(tmp_path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def invoke(runner, *args):
    return runner.invoke(args=["questionnaire", *map(str, args)])


def test_validate_reports_errors_with_location_and_exit_status(runner, tmp_path, small):
    assert invoke(runner, "validate", small).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("type: likert5\n        element: C", "type: likert7\n"
                                 "        element: C"), encoding="utf-8")
    result = invoke(runner, "validate", small, bad)
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if x.startswith(str(bad)))
    assert line.startswith(f"{bad}:10:15: UNKNOWN_TYPE q_staff")
    assert "q_staff" in line and "likert7" in line


def test_load_publish_diff_export(app, runner, small, tmp_path):
    assert invoke(runner, "load", small).exit_code == 0
    first = invoke(runner, "publish", "test_small")
    assert "version 1" in first.output, first.output
    again = invoke(runner, "publish", "test_small")
    assert "nothing published" in again.output

    changed = tmp_path / "v2.yaml"
    changed.write_text(SMALL.replace(
        "        label: {vi: Hài lòng chung, en: Overall satisfaction}\n",
        "        label: {vi: Hài lòng chung, en: Overall satisfaction (all aspects)}\n"
        "      - code: q_wait\n        type: number\n        min: 0\n        max: 300\n"
        "        label: {vi: Số phút chờ}\n"), encoding="utf-8")
    assert invoke(runner, "load", changed).exit_code == 0
    assert "version 2" in invoke(runner, "publish", "test_small").output
    listing = invoke(runner, "diff", "test_small", 1, 2).output.splitlines()
    assert "+ q_wait" in listing and "~ q_overall: label" in listing

    exported = invoke(runner, "export", "test_small", "--version", 1)
    assert exported.exit_code == 0
    assert qn.load_text(exported.output, "v1.yaml") == qn.load_file(small)
    with app.app_context():
        v2 = service.get_version("test_small")
        items = db.session.execute(
            db.select(VersionItem.code, VersionItem.element, VersionItem.is_overall)
            .filter_by(version_id=v2.id).order_by(VersionItem.position)
        ).all()
        assert [tuple(i) for i in items] == [
            ("q_staff", "C", False), ("q_overall", None, True), ("q_wait", None, False)
        ]


def test_publish_refuses_a_code_that_changes_meaning(app, runner, small, tmp_path):
    invoke(runner, "load", small)
    invoke(runner, "publish", "test_small")
    reworded = tmp_path / "reworded.yaml"
    reworded.write_text(SMALL.replace("Thái độ của công chức", "Sự nhanh nhẹn của công chức"),
                        encoding="utf-8")
    assert invoke(runner, "load", reworded).exit_code == 0  # a draft may say anything
    refused = invoke(runner, "publish", "test_small")
    assert refused.exit_code == 1
    assert "q_staff" in refused.output and "new code" in refused.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(QuestionnaireVersion.id))).scalar() == 1


def test_load_refuses_a_broken_file_and_keeps_nothing(app, runner, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(SMALL.replace("code: q_overall", "code: q_staff"), encoding="utf-8")
    result = invoke(runner, "load", broken)
    assert result.exit_code == 1 and "q_staff" in result.output
    with app.app_context():
        with pytest.raises(service.UnknownQuestionnaire):
            service.get("test_small")


def test_unknown_codes_and_versions(runner):
    assert "no questionnaire" in invoke(runner, "publish", "nope").output
    assert invoke(runner, "export", "nope").exit_code == 1


def test_every_builtin_publishes_and_exports_back_equal(app):
    with app.app_context():
        results = service.load_and_publish_builtins()
        db.session.commit()
        assert len(results) == len(qn.builtin_paths()) and all(r.created for r in results)
        for path in qn.builtin_paths():
            original = qn.load_file(path)
            stored = service.definition_of(service.get_version(original.code))
            assert stored == original
            assert qn.load_text(qn.dump_yaml(stored), "export.yaml") == original
        assert not any(r.created for r in service.load_and_publish_builtins())
