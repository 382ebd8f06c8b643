"""Settings in one place: every variable the README's configuration table documents is read
from the environment by survey/config.py, every variable config.py reads is documented, and,
for a sample, setting it in the environment changes what the running app does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from survey.config import ConfigError, from_environment
from tests.conftest import make_app

README = Path(__file__).resolve().parents[2] / "README.md"
# Values of every kind a setting takes; a variable is read when one of them changes the config.
PROBES = ("7919", "0.375", "0", "1", "production", "json", "redis", "external",
          "redis://127.0.0.1:6379/9", "postgresql+psycopg://u@h/db", "3 per hour",
          "Sở Nội vụ")


def documented() -> list[str]:
    """The variables named in the first column of the README's configuration table."""
    section = README.read_text(encoding="utf-8").split("\n## Configuration\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    names = []
    for line in section.splitlines():
        if line.startswith("| `"):
            names += re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])
    return names


def test_the_table_is_found_and_names_the_known_settings():
    names = documented()
    assert len(names) > 30 and len(set(names)) == len(names)
    assert {"DATABASE_URL", "RESPONSES_RATE_LIMIT", "KIOSK_IDLE_SECONDS",
            "REPORT_ISSUER"} <= set(names)


@pytest.mark.parametrize("name", documented())
def test_each_documented_setting_is_read_from_the_environment(name, tmp_path):
    baseline = from_environment(str(tmp_path), {})
    for probe in PROBES:
        try:
            config = from_environment(str(tmp_path), {name: probe})
        except (ValueError, ConfigError):  # not a value this setting takes
            continue
        if config != baseline:
            return
    pytest.fail(f"{name} is documented in the README but survey/config.py does not read it")


def test_every_variable_config_reads_is_documented(tmp_path):
    source = (Path(__file__).resolve().parents[2] / "survey" / "config.py").read_text()
    read = set(re.findall(r'env\.get\("([A-Z0-9_]+)"', source))
    read |= set(re.findall(r'"(REPORT_[A-Z_]+)"', source))
    assert read, "no env.get(...) found: the pattern no longer matches config.py"
    assert sorted(read - set(documented())) == []


# A sample of settings whose effect is visible from outside: set in the environment before
# the app starts, as a deployment does.

def test_responses_rate_limit_comes_from_the_environment(monkeypatch, tmp_path):
    def statuses(path):
        app = make_app(f"sqlite:///{path}", RATELIMIT_ENABLED=True)
        client = app.test_client()
        return [client.post("/api/v1/responses", json={}).status_code for _ in range(3)]

    assert 429 not in statuses(tmp_path / "a.db")
    monkeypatch.setenv("RESPONSES_RATE_LIMIT", "2 per minute")
    assert statuses(tmp_path / "b.db")[-1] == 429


def test_max_content_length_comes_from_the_environment(monkeypatch, tmp_path):
    body = {"answers": {"x": "y" * 4000}}
    app = make_app(f"sqlite:///{tmp_path / 'a.db'}")
    assert app.test_client().post("/api/v1/responses", json=body).status_code != 413
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "1000")
    app = make_app(f"sqlite:///{tmp_path / 'b.db'}")
    assert app.test_client().post("/api/v1/responses", json=body).status_code == 413


def test_kiosk_timers_come_from_the_environment(monkeypatch, tmp_path):
    from survey.extensions import db
    from survey.services.questionnaires import load_and_publish_builtins
    from survey.services.reference import load_service_areas
    from tests import factories

    monkeypatch.setenv("KIOSK_PRESS_INTERVAL_MS", "1234")
    monkeypatch.setenv("KIOSK_THANKS_SECONDS", "17")
    app = make_app(f"sqlite:///{tmp_path / 'k.db'}")
    with app.app_context():
        db.create_all()
        load_service_areas()
        load_and_publish_builtins()
        factories.unit("U1")
        db.session.commit()
        token = factories.prove({"channel": "kiosk", "unit": "U1",
                                 "questionnaire": "dossier_rating"})["token"]
    page = app.test_client().get(f"/k/{token}").text
    assert re.search(r'"pressInterval":\s*1234\b', page), page[:500]
    assert re.search(r'"thanks":\s*17\b', page)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_report_issuer_comes_from_the_environment(monkeypatch, tmp_path):
    from survey.dashboard.views_report import report_settings
    from survey.extensions import db

    monkeypatch.setenv("REPORT_ISSUER", "SỞ NỘI VỤ")
    monkeypatch.setenv("REPORT_RECIPIENTS", "- UBND tỉnh;|- Lưu: VT.")
    app = make_app(f"sqlite:///{tmp_path / 'r.db'}")
    with app.app_context():
        db.create_all()
    with app.test_request_context("/dashboard/report?lang=vi"):
        chosen = report_settings()
    monkeypatch.delenv("REPORT_ISSUER")
    monkeypatch.delenv("REPORT_RECIPIENTS")
    assert chosen.issuer == "SỞ NỘI VỤ"
    assert chosen.recipients == ("- UBND tỉnh;", "- Lưu: VT.")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
