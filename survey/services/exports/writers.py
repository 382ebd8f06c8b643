"""Writers of `(columns, rows)`: CSV, XLSX, SPSS .sav, JSON, and the codebook.

Every writer takes the rows as an iterator and writes them as they come, except `.sav`:
pyreadstat writes a whole data frame at once, so a .sav export holds its rows in memory
(about 8 bytes per numeric cell); `SAV_MAX_ROWS` refuses exports beyond what a server should
hold, and the CSV with the codebook is the way for larger ones.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator

MISSING_WORDS = {97: "not_applicable", 98: "dont_know", 99: "refused"}
MISSING_LABELS = {97: ("Không áp dụng", "Not applicable"), 98: ("Không biết", "Don't know"),
                  99: ("Từ chối trả lời", "Refused")}
WORD_CODE = {word: code for code, word in MISSING_WORDS.items()}
# A number item's own range may reach 97-99, so its missing codes move below zero in SPSS.
NUMBER_MISSING = {97: -97, 98: -98, 99: -99}
FORMATS = ("csv", "xlsx", "sav", "json")
SAV_MAX_ROWS = 500_000
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ExportTooLarge(ValueError):
    """More rows than the chosen format can write without holding them all."""


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


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
            if isinstance(value, str) and value.startswith(_FORMULA):
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


def iter_json(columns, rows: Iterable[list]) -> Iterator[str]:
    """A JSON array of objects: the envelope fields, then `answers` {item code: value}."""
    names = [c.name for c in columns]
    envelope = [c.name for c in columns if c.type == "envelope"]
    yield "["
    for count, row in enumerate(rows):
        record = dict(zip(names, row, strict=True))
        out = {name: record[name] for name in envelope}
        out["answers"] = {k: v for k, v in record.items()
                          if k not in envelope and v is not None}
        yield ("," if count else "") + "\n" + json.dumps(out, ensure_ascii=False)
    yield "\n]\n"


def write_json(columns, rows, out) -> None:
    with open(out, "w", encoding="utf-8") as fp:
        for piece in iter_json(columns, rows):
            fp.write(piece)


def _xlsx_cell(value):
    if isinstance(value, str):
        return neutralise(_ILLEGAL_XML.sub("", value))
    return value


def write_xlsx(columns, rows, out, sheet: str = "responses") -> None:
    """openpyxl's write-only mode streams rows to a temporary file, not into memory."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    data = book.create_sheet(sheet)
    data.append([c.name for c in columns])
    for row in rows:
        data.append([_xlsx_cell(v) for v in row])
    labels = book.create_sheet("codebook")
    for line in codebook_rows(columns):
        labels.append([_xlsx_cell(v) for v in line])
    book.save(out)


def _sav_value(column, value):
    if value is None:
        return None
    if column.type != "envelope" and isinstance(value, str) and value in WORD_CODE:
        code = WORD_CODE[value]
        if column.storage != "int":
            return str(code)  # SPSS string missing values are at most 8 bytes long
        return float(NUMBER_MISSING[code] if column.type == "number" else code)
    return float(value) if column.storage == "int" else value


def write_sav(columns, rows, out, lang: str = "vi", max_rows: int = SAV_MAX_ROWS) -> int:
    """SPSS .sav with variable labels, value labels and the no-answer codes as user-missing."""
    import pandas as pd
    import pyreadstat

    data: dict[str, list] = {c.name: [] for c in columns}
    count = 0
    for row in rows:
        count += 1
        if count > max_rows:
            raise ExportTooLarge(f"more than {max_rows} responses: export CSV with the codebook "
                                 "instead (a .sav file is written in one piece)")
        for column, value in zip(columns, row, strict=True):
            data[column.name].append(_sav_value(column, value))
    frame = pd.DataFrame({
        c.name: pd.Series(data[c.name], dtype="float64" if _numeric(c) else "object")
        for c in columns})
    for c in columns:
        if not _numeric(c):
            frame[c.name] = frame[c.name].fillna("")
    pick = 0 if lang == "vi" else 1
    labels = [(c.label_vi, c.label_en)[pick] for c in columns]
    value_labels, missing = {}, {}
    for c in columns:
        vl = {(float(v) if _numeric(c) else v): t[pick] for v, t in c.values.items()}
        if c.type != "envelope":
            for code, words in MISSING_LABELS.items():
                key = (float(NUMBER_MISSING[code] if c.type == "number" else code)
                       if _numeric(c) else str(code))
                vl[key] = words[pick]
                missing.setdefault(c.name, []).append(key)
        if vl and c.type != "envelope":
            value_labels[c.name] = vl
    pyreadstat.write_sav(frame, str(out), column_labels=labels,
                         variable_value_labels=value_labels, missing_ranges=missing)
    return count


def _numeric(column) -> bool:
    return column.storage == "int"


def codebook_rows(columns) -> Iterator[list]:
    yield ["variable", "label_vi", "label_en", "type", "questionnaires", "values_vi",
           "values_en", "no_answer"]
    for c in columns:
        values = [(f"{v}={t[0]}", f"{v}={t[1]}") for v, t in c.values.items()]
        missing = "" if c.type == "envelope" else "; ".join(
            f"{MISSING_WORDS[code]} (SPSS {NUMBER_MISSING[code] if c.type == 'number' else code})"
            for code in MISSING_WORDS)
        yield [c.name, c.label_vi, c.label_en, c.type, " ".join(c.questionnaires),
               "; ".join(v[0] for v in values), "; ".join(v[1] for v in values), missing]


def write_codebook(columns, out) -> None:
    write_csv_rows(list(codebook_rows(columns)), out)


def write_csv_rows(lines: list[list], out) -> None:
    with open(out, "w", encoding="utf-8-sig", newline="") as fp:
        writer = csv.writer(fp, lineterminator="\r\n")
        for line in lines:
            writer.writerow([neutralise(v) for v in line])


def write(fmt: str, columns, rows, out, lang: str = "vi") -> None:
    if fmt == "csv":
        write_csv(columns, rows, out)
    elif fmt == "xlsx":
        write_xlsx(columns, rows, out)
    elif fmt == "sav":
        write_sav(columns, rows, out, lang)
    elif fmt == "json":
        write_json(columns, rows, out)
    else:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
