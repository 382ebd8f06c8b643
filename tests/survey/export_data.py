"""Responses for the export file tests, and what the database holds, read with plain SQL.

The expected side never goes through the export code: answers come from one SQL query, item
types and choice labels from the questionnaire's own YAML file.
"""

from __future__ import annotations

from datetime import UTC, datetime

import yaml
from sqlalchemy import text

from questionnaires import LIBRARY_DIR
from survey.extensions import db
from survey.models import Answer
from survey.services import questionnaires as qservice
from tests import factories

MOMENTS = [datetime(2025, 6, 1, 3, 0, tzinfo=UTC),
           datetime(2024, 1, 31, 23, 59, 59, 123456, tzinfo=UTC),
           datetime(2025, 12, 31, 16, 59, 0, 500000, tzinfo=UTC)]
SEX = ("male", "female", "other", 99)
PROCEDURES = None  # filled from the YAML: the land procedure codes, in order
COMMENTS = ["=1+1", "-5 phút", "+84 912 345 678", "@SUM(A1)", "'=quoted formula", "''",
            "'plain quote", "bình thường"]


def land_choices() -> dict[str, list[tuple[str, str, str]]]:
    """item code -> [(choice code, vi, en)] of the land questionnaire's single-choice items,
    read from the YAML files (the land file and the core files it includes)."""
    out: dict[str, list] = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "single_choice" and "code" in node and "choices" in node:
                out[node["code"]] = [(c["code"], c["label"]["vi"], c["label"].get("en"))
                                     for c in node["choices"]]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in [LIBRARY_DIR / "land.yaml", *sorted((LIBRARY_DIR / "core").glob("*.yaml"))]:
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


def build() -> None:
    """Twelve land-survey responses and five dossier ratings, each answer kind represented."""
    qservice.load_and_publish_builtins()
    province = factories.unit("P")
    district = factories.unit("P-H1", "district", province)
    land = qservice.get_version("land_survey")
    rating = qservice.get_version("dossier_rating")
    procedures = [c for c, _, _ in land_choices()["land_procedure"]]
    for n in range(12):
        r = factories.response(land, district if n % 2 else province,
                               submitted_at=MOMENTS[n % 3], channel=("paper", "web")[n % 2])
        answers = {
            "a1_seating": ("int", n % 5 + 1) if n % 4 else ("missing", (97, 98, 99)[n % 3]),
            "e1_gave_feedback": ("int", n % 2) if n != 5 else ("missing", 98),
            "x1_information": ("int", n % 4 + 1),
            "land_supplements": ("int", (0, 7, 20)[n % 3]) if n != 7 else ("missing", 99),
            "land_trips": ("int", 50 if n == 3 else 1 + n),
            "sex": ("missing", 99) if SEX[n % 4] == 99 else ("text", SEX[n % 4]),
            "land_procedure": ("text", procedures[n % len(procedures)]),
            "comments": ("text", COMMENTS[n % len(COMMENTS)]),
        }
        for code, (kind, value) in answers.items():
            db.session.add(Answer(
                response_id=r.id, item_code=code,
                value_int=value if kind == "int" else None,
                value_text=value if kind == "text" else None,
                missing_code=value if kind == "missing" else None))
    for n in range(5):
        r = factories.response(rating, province, submitted_at=MOMENTS[n % 3], channel="kiosk")
        db.session.add(Answer(response_id=r.id, item_code="rating", value_int=n % 3 + 1))
    db.session.flush()


ANSWERS = text("""
SELECT r.uuid, r.submitted_at, a.item_code, a.value_int, a.value_text, a.missing_code
FROM answer a JOIN response r ON r.id = a.response_id
JOIN questionnaire_version qv ON qv.id = r.version_id
JOIN questionnaire q ON q.id = qv.questionnaire_id
WHERE q.kind = :kind
""")


def stored(kind: str = "survey") -> dict[str, dict]:
    """response uuid (32 hex digits) -> {item: ("int"|"text"|"missing", value),
    "submitted_at": naive UTC datetime}."""
    out: dict[str, dict] = {}
    for uuid, at, item, value_int, value_text, missing in db.session.execute(
            ANSWERS, {"kind": kind}):
        row = out.setdefault(str(uuid).replace("-", ""), {})
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        row["submitted_at"] = at.replace(tzinfo=None)
        row[item] = ("missing", missing) if missing is not None else \
            ("int", value_int) if value_int is not None else ("text", value_text)
    return out
