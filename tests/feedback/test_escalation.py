"""Overdue cases escalate once to the unit's leader, by e-mail through the real SMTP server;
the CLI does the same; a case within its deadline, answered, or escalated already is left."""

from __future__ import annotations

from datetime import timedelta

from survey.extensions import db
from survey.models import AuditEntry, Unit, now_utc
from survey.models.feedback import FeedbackCase, FeedbackEvent
from survey.services.feedback import cases
from survey.services.feedback.escalation import escalate_overdue, leader_of, parse_leaders
from tests.feedback.conftest import LEADER, submit


def open_cases(app, ages_in_days: list[int]) -> list[int]:
    """One case per age: opened that many days ago (deadlines computed from then)."""
    ids = []
    with app.app_context():
        from survey.models import Response

        for age in ages_in_days:
            response = db.session.get(Response, submit(rating=1))
            case = cases.open_case(response, None, "rating", "citizen",
                                   now=now_utc() - timedelta(days=age))
            db.session.commit()  # submit() starts its own transaction
            ids.append(case.id)
    return ids


def test_overdue_cases_go_to_the_leader_once(app, smtp):
    recorder, _ = smtp
    old, fresh, answered = open_cases(app, [30, 0, 30])
    with app.app_context():
        cases.answer(db.session.get(FeedbackCase, answered), "Đã xử lý.", "unit_officer")
        db.session.commit()
        done = escalate_overdue(app.config)
        db.session.commit()
        assert [d.case_id for d in done] == [old]
        assert done[0].sent and done[0].leader_unit == "HN"
        case = db.session.get(FeedbackCase, old)
        assert case.escalated_at is not None
        assert db.session.get(FeedbackCase, fresh).escalated_at is None
        notes = [e.note for e in db.session.execute(
            db.select(FeedbackEvent).filter_by(case_id=old)).scalars()]
        assert "escalated to the leader of HN: sent by e-mail" in notes
        assert db.session.execute(db.select(AuditEntry).filter_by(
            action="feedback.escalate", entity_key=str(old))).scalar_one()
        assert escalate_overdue(app.config) == []  # once only
    assert [m.recipients for m in recorder.received] == [[LEADER]]
    assert f"số {old}" in recorder.received[0].body and "quá hạn" in recorder.received[0].body


def test_the_cli_escalates_and_says_so(app, smtp):
    recorder, _ = smtp
    (old,) = open_cases(app, [40])
    result = app.test_cli_runner().invoke(args=["feedback", "escalate", "--base-url",
                                                "https://hailong.example.vn/"])
    assert result.exit_code == 0, result.output
    assert f"case {old} (HN-X01)" in result.output and "1 case(s) escalated" in result.output
    assert f"https://hailong.example.vn/feedback/cases/{old}" in recorder.received[0].body


def test_without_a_leader_address_it_is_recorded_not_faked(app, smtp):
    recorder, _ = smtp
    (old,) = open_cases(app, [40])
    with app.app_context():
        done = escalate_overdue({**app.config, "FEEDBACK_LEADER_EMAILS": ""})
        assert not done[0].sent and "no leader address" in done[0].detail
        assert db.session.get(FeedbackCase, old).escalated_at is not None
    assert recorder.received == []


def test_the_nearest_leader_up_the_path_is_chosen(app):
    leaders = parse_leaders("HN=a@hn.vn, HN-X01=b@x01.vn")
    with app.app_context():
        x01 = db.session.execute(db.select(Unit).filter_by(code="HN-X01")).scalar_one()
        x02 = db.session.execute(db.select(Unit).filter_by(code="HN-X02")).scalar_one()
        assert leader_of(x01, leaders) == ("HN-X01", "b@x01.vn")
        assert leader_of(x02, leaders) == ("HN", "a@hn.vn")
        assert leader_of(x02, {}) is None


def test_a_bad_leader_setting_is_named():
    import pytest

    from survey.services.feedback import FeedbackError

    with pytest.raises(FeedbackError, match="FEEDBACK_LEADER_EMAILS"):
        parse_leaders("HN=not-an-address")
