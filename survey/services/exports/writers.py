"""Writers of `(columns, rows)`: CSV, XLSX, SPSS .sav, JSON, and the codebook.

Every writer takes the rows as an iterator and writes them as they come, except `.sav`
(see `sav`). XLSX and .sav live in their own modules; the codes and words they share are in
`codes`, and the formula guard (with its removal on import) in `survey.services.formula_guard`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from survey.services.exports.codes import (
    MISSING_LABELS,
    MISSING_WORDS,
    NUMBER_MISSING,
    WORD_CODE,
    About,
    choice_numbers,
    no_answer_note,
)
from survey.services.exports.sav import SAV_MAX_ROWS, ExportTooLarge, write_sav
from survey.services.exports.xlsx import write_xlsx
from survey.services.formula_guard import CANDIDATE_STARTS, needs_guard, neutralise, unguard

FORMATS = ("csv", "xlsx", "sav", "json")
__all__ = [
    "FORMATS", "MISSING_LABELS", "MISSING_WORDS", "NUMBER_MISSING", "SAV_MAX_ROWS", "WORD_CODE",
    "ExportTooLarge", "codebook_rows", "iter_csv", "iter_json", "neutralise", "unguard",
    "write", "write_codebook", "write_csv", "write_json", "write_sav", "write_xlsx",
]


def iter_csv(columns, rows: Iterable[list]) -> Iterator[str]:
    """CSV text in pieces, beginning with a BOM so that Excel reads UTF-8 Vietnamese.

    Only text columns are looked at for formulas: an integer column holds numbers and the
    no-answer words, never user text, and an export has millions of such cells.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # writes None as an empty cell
    writer.writerow([c.name for c in columns])
    yield "\ufeff" + _drain(buffer)
    text_at = [i for i, c in enumerate(columns) if getattr(c, "storage", "text") != "int"]
    for count, row in enumerate(rows, start=1):
        for i in text_at:
            value = row[i]
            if isinstance(value, str) and value.startswith(CANDIDATE_STARTS) \
                    and needs_guard(value):
                row = [*row[:i], "'" + value, *row[i + 1:]]  # a copy: the caller's row stays
        writer.writerow(row)
        if count % 1000 == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def write_csv(columns, rows, out) -> None:
    with open(out, "w", encoding="utf-8", newline="") as fp:
        for piece in iter_csv(columns, rows):
            fp.write(piece)


def iter_json(columns, rows: Iterable[list], stream: str | None = None) -> Iterator[str]:
    """A JSON array of objects: the envelope fields, the stream when given, then `answers`
    {item code: value}."""
    names = [c.name for c in columns]
    envelope = [c.name for c in columns if c.type == "envelope"]
    yield "["
    for count, row in enumerate(rows):
        record = dict(zip(names, row, strict=True))
        out = {name: record[name] for name in envelope}
        if stream:
            out["stream"] = stream
        out["answers"] = {k: v for k, v in record.items()
                          if k not in envelope and v is not None}
        yield ("," if count else "") + "\n" + json.dumps(out, ensure_ascii=False)
    yield "\n]\n"


def write_json(columns, rows, out, stream: str | None = None) -> None:
    with open(out, "w", encoding="utf-8") as fp:
        for piece in iter_json(columns, rows, stream):
            fp.write(piece)


def codebook_rows(columns) -> Iterator[list]:
    """The codebook in both languages; `spss_numbers` gives the number of each single-choice
    code in the .sav (where those items are numeric)."""
    yield ["variable", "label_vi", "label_en", "type", "questionnaires", "values_vi",
           "values_en", "no_answer", "spss_numbers"]
    for c in columns:
        values = [(f"{v}={t[0]}", f"{v}={t[1]}") for v, t in c.values.items()]
        numbers = "; ".join(f"{code}={n}" for code, n in choice_numbers(c).items()) \
            if c.type == "single_choice" else ""
        yield [c.name, c.label_vi, c.label_en, c.type, " ".join(c.questionnaires),
               "; ".join(v[0] for v in values), "; ".join(v[1] for v in values),
               no_answer_note(c), numbers]


def write_codebook(columns, out) -> None:
    write_csv_rows(list(codebook_rows(columns)), out)


def write_csv_rows(lines: list[list], out) -> None:
    with open(out, "w", encoding="utf-8-sig", newline="") as fp:
        writer = csv.writer(fp, lineterminator="\r\n")
        for line in lines:
            writer.writerow([neutralise(v) for v in line])


def write(fmt: str, columns, rows, out, lang: str = "vi", about: About | None = None) -> None:
    """Write `rows` as `fmt`; `lang` picks the labels of the .sav and the XLSX, `about` says
    which stream (and years, quarantine choice) the file holds."""
    about = about or About()
    if fmt == "csv":
        write_csv(columns, rows, out)
    elif fmt == "xlsx":
        write_xlsx(columns, rows, out, lang, about)
    elif fmt == "sav":
        write_sav(columns, rows, out, lang, about=about)
    elif fmt == "json":
        write_json(columns, rows, out, about.stream)
    else:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
