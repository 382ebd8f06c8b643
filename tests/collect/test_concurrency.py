"""Idempotency under concurrent retries, against a real threaded server on SQLite."""

from __future__ import annotations

import json
import threading
import urllib.request
import uuid

import pytest

from survey.services import tokens
from tests import live_server


@pytest.fixture
def live(tmp_path):
    yield from live_server.start(tmp_path)


def post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_concurrent_retries_of_one_id_store_one_response(live):
    with live.app.app_context():  # the proof of a phone answer: the desk poster's QR code
        qr = tokens.qr_token("HN-X01", "MC1", "dossier_rating")
    body = {"id": str(uuid.uuid4()), "questionnaire": "dossier_rating", "unit": "HN-X01",
            "channel": "phone", "token": qr,
            "answers": {"rating": 1, "reason": "long_wait",
                        "comment": "Chờ lâu quá, cần thêm người tiếp dân."}}
    results: list[tuple[int, dict]] = []
    start = threading.Barrier(8)

    def retry():
        start.wait()
        results.append(post(live.url + "/api/v1/responses", body))

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    codes = sorted(code for code, _ in results)
    assert codes == [200] * 7 + [201], results
    assert all(reply == results[0][1] for _, reply in results)
    assert results[0][1]["answers"]["comment"] == "Chờ lâu quá, cần thêm người tiếp dân."
    assert live.count_responses() == 1
