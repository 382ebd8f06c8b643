"""`hailong alerts watch | digest | rebuild` as cron runs them: the watch prints what it
charted and raised and e-mails the new alerts once, a second run adds nothing; the digest goes
once per address and week; a bad date or setting is a clear error, not a traceback."""

from __future__ import annotations

from datetime import timedelta

from survey.extensions import db
from survey.models import Alert
from tests.alerts.conftest import DAY, LEADER, OFFICER_X01, Ratings
from tests.alerts.test_watch import WEEK, script


def test_watch_and_digest_from_the_command_line(app, smtp):
    recorder, _ = smtp
    script(app)
    runner = app.test_cli_runner()
    outputs = []
    for day in WEEK:
        result = runner.invoke(args=["alerts", "watch", "--day", f"{day:%Y-%m-%d}",
                                     "--base-url", "https://hailong.example.vn/"])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert "2 unit x service series with ratings, 2 charted" in outputs[0]
    with app.app_context():
        raised = db.session.execute(db.select(Alert).order_by(Alert.id)).scalars().all()
        assert raised and all(a.notified == "e-mailed 2 of 2" for a in raised)
        first = raised[0]
        assert f"alert {first.id} cusum HN-X01" in "".join(outputs)
    assert len(recorder.received) == 2 * len(raised)
    assert {m.recipients[0] for m in recorder.received} == {OFFICER_X01, LEADER}
    assert f"https://hailong.example.vn/alerts/{first.id}" in \
        recorder.received[0].message.get_body(("plain",)).get_content()
    again = runner.invoke(args=["alerts", "watch", "--day", f"{WEEK[-1]:%Y-%m-%d}"])
    assert again.exit_code == 0 and "0 new alert(s)" in again.output
    assert len(recorder.received) == 2 * len(raised)

    before = len(recorder.received)
    digest = runner.invoke(args=["alerts", "digest", "--week", f"{DAY:%Y-%m-%d}"])
    assert digest.exit_code == 0, digest.output
    assert "3 digest(s) sent" in digest.output and "digest for HN-X01" in digest.output
    assert len(recorder.received) == before + 3
    repeat = runner.invoke(args=["alerts", "digest", "--week", f"{DAY:%Y-%m-%d}"])
    assert "0 digest(s) sent" in repeat.output and "already sent" in repeat.output
    assert len(recorder.received) == before + 3


def test_rebuild_and_bad_input(app):
    with app.app_context():
        Ratings().day("HN-X01", DAY - timedelta(days=100), 3, 2)
        db.session.commit()
    runner = app.test_cli_runner()
    done = runner.invoke(args=["alerts", "rebuild"])
    assert done.exit_code == 0 and "1 unit x service day(s)" in done.output
    bad = runner.invoke(args=["alerts", "watch", "--day", "25/11/2026"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    app.config["ALERT_EMAILS"] = "HN-X01=not-an-address"
    refused = runner.invoke(args=["alerts", "digest"])
    assert refused.exit_code == 1 and "ALERT_EMAILS" in refused.output
    assert "Traceback" not in refused.output
