"""Paper import: a file of 100,000 questionnaires in the export's layout, imported at once.

The file is made from valid land-survey answers (the demo's respondent model), so every row
passes the questionnaire's checks as a typed-in paper form would; the rows differ in their id,
unit and date. Like a real paper round (the annual survey), the forms are from one year and
spread over every unit. Two imports are timed: one whose last row is wrong (nothing may be
stored), then the good file.
"""

from __future__ import annotations

import csv
import io
import random
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response, Unit
from survey.services.exports.writers import MISSING_WORDS
from survey.services.paper_import import ENVELOPE
from survey.services.periods import LOCAL_TZ

TEMPLATES = 500  # distinct answer sets; enough that the rows are not all alike


def _cell(answer) -> object:
    """An answer as the export writes it (and a data-entry clerk would type it)."""
    if answer.missing_code is not None:
        return MISSING_WORDS[answer.missing_code]
    return answer.value_int if answer.value_int is not None else answer.value_text


def write_file(path: Path, rows: int, seed: int = 11, questionnaire: str = "land_survey") -> int:
    """Write `rows` valid paper responses; returns the number of item columns."""
    from survey.services.demo.answers import Respondent, answers_for
    from survey.services.questionnaires import definition_of, get_version

    version = get_version(questionnaire)
    definition = definition_of(version)
    rng = random.Random(seed)
    templates = [answers_for(definition, Respondent(rng, rng.uniform(0.6, 0.95), 0.15),
                             rng.randrange(5)) for _ in range(TEMPLATES)]
    codes = [item.code for item in definition.items]
    units = list(db.session.execute(
        select(Unit.code).where(Unit.level != "province")).scalars())
    start = datetime(2025, 1, 1, 8, tzinfo=LOCAL_TZ)
    with open(path, "w", encoding="utf-8-sig", newline="") as fp:
        writer = csv.writer(fp, lineterminator="\r\n")
        writer.writerow([*ENVELOPE, *codes])
        for _ in range(rows):
            answers = templates[rng.randrange(TEMPLATES)]
            at = start + timedelta(days=rng.randrange(365), minutes=rng.randrange(600))
            writer.writerow([
                str(uuid.UUID(int=rng.getrandbits(128), version=4)), questionnaire,
                version.number, rng.choice(units), "paper", at.isoformat(),
                *(_cell(answers[c]) if c in answers else "" for c in codes)])
    return len(codes)


def spoil_last_row(good: Path, bad: Path) -> None:
    """A copy of the file whose last row names a unit that does not exist."""
    lines = good.read_text(encoding="utf-8-sig").splitlines()
    cells = next(csv.reader([lines[-1]]))
    cells[ENVELOPE.index("unit")] = "NO-SUCH-UNIT"
    line = io.StringIO()
    csv.writer(line, lineterminator="").writerow(cells)
    lines[-1] = line.getvalue()
    bad.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")


def _stored() -> int:
    return db.session.execute(select(func.count()).select_from(Response)).scalar_one()


def measure(directory: Path, rows: int = 100_000) -> dict:
    """Import `rows` paper responses into the current database; all-or-nothing checked first."""
    from survey.services.imports import ImportRejected
    from survey.services.paper_import import import_file

    good, bad = directory / f"paper-{rows}.csv", directory / f"paper-{rows}-bad.csv"
    started = time.perf_counter()
    write_file(good, rows)
    spoil_last_row(good, bad)
    db.session.commit()
    out = {"paper_rows": rows, "paper_file_seconds": time.perf_counter() - started}
    before = _stored()
    started = time.perf_counter()
    try:
        import_file(bad)
        db.session.commit()
        rejected = False
    except ImportRejected as error:
        db.session.rollback()
        rejected = [str(p) for p in error.problems] == [
            f"row {rows + 1}, column unit: unknown unit 'NO-SUCH-UNIT'"]
    out["paper_bad_file_seconds"] = time.perf_counter() - started
    out["paper_all_or_nothing"] = bool(rejected) and _stored() == before
    started = time.perf_counter()
    result = import_file(good)
    db.session.commit()
    seconds = time.perf_counter() - started
    out.update(paper_seconds=seconds, paper_rows_per_second=result.imported / seconds,
               paper_imported=result.imported, paper_stored_after=_stored() - before)
    good.unlink()
    bad.unlink()
    return out
