"""Submissions on PostgreSQL: stored once under concurrent retries, Vietnamese text exact."""

from __future__ import annotations

import threading
import uuid

from survey.extensions import db
from survey.models import Response
from survey.services import questionnaires as qservice
from tests import factories


def test_concurrent_retries_store_one_response_on_postgres(pg_app, pg_ctx):
    qservice.load_and_publish_builtins()
    factories.unit("HN")
    db.session.commit()
    text = "Thủ tục nhanh gọn, cán bộ tận tình — rất hài lòng!"
    body = factories.prove({"id": str(uuid.uuid4()), "questionnaire": "dossier_rating",
                            "unit": "HN", "channel": "phone",
                            "answers": {"rating": 1, "reason": "other", "comment": text}})
    client = pg_app.test_client()
    results: list = []
    barrier = threading.Barrier(6)

    def retry():
        barrier.wait()
        reply = client.post("/api/v1/responses", json=body)
        results.append((reply.status_code, reply.json))

    threads = [threading.Thread(target=retry) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(code for code, _ in results) == [200] * 5 + [201]
    assert all(reply == results[0][1] for _, reply in results)
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count()).select_from(Response)).scalar() == 1
    assert results[0][1]["answers"]["comment"] == text
