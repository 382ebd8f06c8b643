"""`hailong responses delete UUID… --reason TEXT`: the write path that removes responses.

Each deleted response leaves an audit entry with the reason and the actor, its answers leave
the maintained counts, and a deletion without a reason is refused before anything changes.
"""

import random
import uuid

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEntry, Response
from survey.services import aggregates


def _responses(app, count: int) -> list[str]:
    from survey.services import responses
    from survey.services.demo.answers import Respondent, answers_for
    from survey.services.questionnaires import (
        definition_of,
        get_version,
        load_and_publish_builtins,
    )
    from tests import factories

    rng = random.Random(22)
    with app.app_context():
        load_and_publish_builtins()
        factories.unit("U1")
        db.session.commit()
        definition = definition_of(get_version("land_survey"))
        made = []
        for _ in range(count):
            given = answers_for(definition, Respondent(rng, 0.7, 0.2), 2)
            payload = factories.prove({
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "questionnaire": "land_survey", "unit": "U1", "channel": "phone",
                "answers": {k: ("no_answer" if a.missing_code else a.value)
                            for k, a in given.items()}})
            assert responses.submit(payload).created
            made.append(payload["id"])
        db.session.commit()
    return made


def _count(app, model, **where) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count()).select_from(model).filter_by(**where)).scalar()


def test_delete_is_audited_with_its_reason_and_keeps_the_counts_exact(app, runner):
    made = _responses(app, 4)
    doomed = made[:3]
    result = runner.invoke(args=["responses", "delete", *doomed, "--reason", " test entries ",
                                 "--yes"])
    assert result.exit_code == 0, result.output
    assert "3 response(s) deleted" in result.output
    assert _count(app, Response) == 1
    with app.app_context():
        entries = db.session.execute(select(AuditEntry).filter_by(
            action="delete", entity_type="response")).scalars().all()
        assert sorted(e.entity_key for e in entries) == sorted(doomed)
        assert {e.actor for e in entries} == {"cli"}
        assert {e.new_values["reason"] for e in entries} == {"test entries"}
        assert aggregates.differences() == []


def test_a_deletion_without_a_reason_changes_nothing(app, runner):
    made = _responses(app, 2)
    for reason in ("", "   "):
        result = runner.invoke(args=["responses", "delete", *made, "--reason", reason, "--yes"])
        assert result.exit_code != 0 and "--reason" in result.output, result.output
    assert _count(app, Response) == 2
    assert _count(app, AuditEntry, action="delete") == 0


def test_an_unknown_id_deletes_nothing(app, runner):
    made = _responses(app, 2)
    result = runner.invoke(args=["responses", "delete", made[0], str(uuid.uuid4()),
                                 "--reason", "spam", "--yes"])
    assert result.exit_code != 0 and "nothing deleted" in result.output
    assert _count(app, Response) == 2
