"""Export, then import: the formula guard written on export is stripped on import, so texts
that begin with = + - @ come back as they were typed; rating no-answers written as numbers in
the XLSX come back as the same no-answers. The database is read with plain SQL."""

from __future__ import annotations

from sqlalchemy import text

from survey.extensions import db

# (a text beginning with + is not a phone number here: a phone number is masked when stored)
TEXTS = ["=1+1", "-5 phút", "+1 điểm cho cán bộ", "@SUM(A1)", '=HYPERLINK("http://x.example")',
         "'=apostrophe then formula", "''", "'plain quote", "- gạch đầu dòng", "bình thường"]
UNIT_RESPONSES = """
SELECT r.id FROM response r JOIN unit u ON u.id = r.unit_id
JOIN questionnaire_version qv ON qv.id = r.version_id
JOIN questionnaire q ON q.id = qv.questionnaire_id
WHERE u.code = :unit AND q.kind = 'survey'
"""
ANSWERS = text(f"""
SELECT r.uuid, a.item_code, a.value_int, a.value_text, a.missing_code
FROM answer a JOIN response r ON r.id = a.response_id WHERE r.id IN ({UNIT_RESPONSES})
""")


def answers(app, unit: str) -> dict:
    with app.app_context():
        out: dict = {}
        for uuid, item, value_int, value_text, missing in db.session.execute(
                ANSWERS, {"unit": unit}):
            out.setdefault(str(uuid).replace("-", ""), {})[item] = (value_int, value_text,
                                                                    missing)
        return out


def set_comments(app, unit: str, texts: list[str]) -> list[int]:
    """The unit's first comments get `texts`; the ids of their responses."""
    with app.app_context():
        ids = [row[0] for row in db.session.execute(text(
            f"SELECT a.response_id FROM answer a WHERE a.item_code = 'comments' AND "
            f"a.response_id IN ({UNIT_RESPONSES}) ORDER BY a.response_id"),
            {"unit": unit})][:len(texts)]
        assert len(ids) == len(texts)
        for response_id, value in zip(ids, texts, strict=True):
            db.session.execute(text("UPDATE answer SET value_text = :v WHERE response_id = :r "
                                    "AND item_code = 'comments'"), {"v": value, "r": response_id})
        db.session.commit()
        return ids


def export(app, tmp_path, unit: str, fmt: str):
    out = tmp_path / f"{unit}.{fmt}"
    result = app.test_cli_runner().invoke(args=["export", "--out", str(out), "--unit", unit])
    assert result.exit_code == 0, result.output
    return out


def delete_and_import(app, unit: str, path) -> int:
    from survey.services.paper_import import import_file

    with app.app_context():
        ids = [row[0] for row in db.session.execute(text(UNIT_RESPONSES), {"unit": unit})]
        for rid in ids:
            db.session.execute(text("DELETE FROM answer WHERE response_id = :r"), {"r": rid})
            db.session.execute(text("DELETE FROM response WHERE id = :r"), {"r": rid})
        db.session.commit()
        result = import_file(path)
        db.session.commit()
    assert result.imported == len(ids)
    return result.imported


def stored_comments(app, unit: str) -> list[str]:
    return sorted(v[1] for a in answers(app, unit).values() for k, v in a.items()
                  if k == "comments")


def test_a_csv_export_imports_back_with_the_original_texts(demo, tmp_path):
    app, _ = demo
    unit = "ST-H02-X01"
    set_comments(app, unit, TEXTS)
    before = answers(app, unit)
    out = export(app, tmp_path, unit, "csv")
    raw = out.read_text("utf-8-sig")
    assert "'=1+1" in raw and "'-5 phút" in raw and "''=apostrophe" in raw  # guarded
    delete_and_import(app, unit, out)
    assert answers(app, unit) == before
    comments = stored_comments(app, unit)
    for value in TEXTS:
        assert value in comments


def test_an_xlsx_export_imports_back_as_the_same_answers(demo, tmp_path):
    """Ratings' no-answers are the numbers 97/98/99 in the file and come back as the same
    no-answers; guarded texts come back unguarded."""
    app, _ = demo
    unit = "ST-TP-P02"
    set_comments(app, unit, TEXTS[:5])
    before = answers(app, unit)
    assert any(v[2] in (97, 98, 99) and v[0] is None for a in before.values()
               for v in a.values())  # the unit has rating no-answers to carry
    out = export(app, tmp_path, unit, "xlsx")
    delete_and_import(app, unit, out)
    assert answers(app, unit) == before


def test_the_reader_restores_tabs_and_carriage_returns(demo, tmp_path):
    """Text cleaning trims what a citizen typed, so a stored text never begins with a tab; a
    file may still carry one, and the reader gives it back as it was before the guard."""
    from survey.services.imports import read_table
    from survey.services.paper_import import ENVELOPE, _payload

    app, _ = demo
    unit = "ST-H01-X01"
    texts = ["\tindented", "\rcarriage return", "=1+1", "@x"]
    set_comments(app, unit, texts)
    out = export(app, tmp_path, unit, "csv")
    rows = read_table(out.read_bytes(), out.name, ENVELOPE)
    read = [_payload(row)["answers"].get("comments") for _, row in rows]
    for value in texts:
        assert value in read
