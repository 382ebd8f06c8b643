"""SPSS .sav, ready for analysis: what SPSS needs to know about each variable is written with it.

- integer variables (ratings, numbers, the version, single choices) have an F format without
  decimals, as wide as their widest value or code (F2.0 for a 5-point item, whose no-answer
  codes 97-99 are two digits);
- measurement levels: ordinal for rating scales, scale for numbers and the submission time,
  nominal for everything named by a code (yes/no, choices, units, channels);
- single-choice items are numeric with value labels (the codebook gives the code of each
  number), so that frequencies and cross tables work without recoding;
- a multiple-choice item keeps its text variable (the codes joined by spaces) and gets one 0/1
  variable per choice (`<item>_<code>`, 1 = chosen): SPSS's multiple-dichotomy layout, which
  MULT RESPONSE and plain frequencies read without recoding; a respondent who gave no answer is
  missing in every one of them (their no-answer code, user-missing), never "not chosen";
- `submitted_at` is an SPSS date-time (DATETIME format, UTC);
- the no-answer codes 97/98/99 (-97/-98/-99 for number items, whose own range may reach 97)
  carry value labels and are declared user-missing, so SPSS leaves them out of n (§1).

pyreadstat writes a whole data frame at once, so a .sav export holds its rows in memory
(about 8 bytes per numeric cell); `SAV_MAX_ROWS` refuses exports beyond what a server should
hold, and the CSV with the codebook is the way for larger ones.

pyreadstat and pandas are the optional `sav` extra (requirements-sav.lock): pyreadstat writes
only from a data frame, and pandas is the smallest library that makes one (polars and pyarrow
are larger). Without them a .sav export is refused before any row is read, saying what to
install.
"""

from __future__ import annotations

import re

from survey.services.exports.codes import (
    MISSING_LABELS,
    SAMPLED_LEFT_OUT,
    STREAMS,
    WORD_CODE,
    About,
    choice_numbers,
    is_item,
    measure,
    missing_code,
    pick,
)

SAV_MAX_ROWS = 500_000
NOTE_BYTES = 80  # an SPSS document line
DATETIME_FORMAT = "DATETIME20"  # dd-mmm-yyyy hh:mm:ss; the value keeps its fraction of a second


class ExportTooLarge(ValueError):
    """More rows than the chosen format can write without holding them all."""


class SavUnavailable(ExportTooLarge):
    """The optional `sav` dependencies are not installed. A subclass of ExportTooLarge so that
    every caller that refuses a too-large export (the command line, the background job, the
    download) refuses this one too, with its message, and leaves no file behind."""


SAV_MISSING = ("a .sav export needs the optional 'sav' dependencies (pyreadstat, pandas): "
               "install requirements-sav.lock, or export CSV with the codebook, XLSX or JSON")


def _libraries():
    """pandas and pyreadstat, or SavUnavailable."""
    try:
        import pandas
        import pyreadstat
    except ImportError:
        raise SavUnavailable(SAV_MISSING) from None
    return pandas, pyreadstat


def _kind(column) -> str:
    """How the column is stored in the .sav: "int", "choice", "datetime" or "text"."""
    if column.name == "submitted_at":
        return "datetime"
    if column.type == "single_choice":
        return "choice"
    return "int" if column.storage == "int" else "text"


class _Variable:
    """One column's values as they go into the data frame, and its SPSS dictionary entry."""

    def __init__(self, column):
        self.column = column
        self.name = column.name
        self.kind = _kind(column)
        self.values: list = []
        self.numbers = choice_numbers(column) if self.kind == "choice" else {}

    def label(self, lang: str) -> str:
        return pick((self.column.label_vi, self.column.label_en), lang)

    def measure(self) -> str:
        return measure(self.column)

    def add(self, value) -> None:
        self.values.append(self._value(value))

    def _value(self, value):
        column = self.column
        if value is None:
            return None
        if self.kind == "datetime":
            return value
        if is_item(column) and isinstance(value, str) and value in WORD_CODE:
            code = missing_code(column, WORD_CODE[value])
            return str(code) if self.kind == "text" else float(code)
        if self.kind == "choice":
            number = self.numbers.get(value)
            if number is None:  # a code in no published version: numbered after the others
                number = self.numbers[value] = max([0, *self.numbers.values()]) + 1
                while number in MISSING_LABELS:
                    number = self.numbers[value] = number + 1
            return float(number)
        return float(value) if self.kind == "int" else value

    def series(self):
        pd, _ = _libraries()
        if self.kind == "datetime":
            # ISO 8601 texts with their offset, to naive UTC: SPSS has no time zones
            return pd.to_datetime(pd.Series(self.values, dtype="object"), format="ISO8601",
                                  utc=True).dt.tz_localize(None)
        if self.kind == "text":
            return pd.Series(self.values, dtype="object").fillna("")
        return pd.Series(self.values, dtype="float64")

    def value_labels(self, lang: str) -> dict:
        column = self.column
        if not is_item(column):
            return {}
        if self.kind == "choice":
            labels = {float(n): pick(column.values[c], lang) if c in column.values else c
                      for c, n in self.numbers.items()}
        elif self.kind == "int":
            labels = {float(v): pick(t, lang) for v, t in column.values.items()}
        else:
            labels = {v: pick(t, lang) for v, t in column.values.items()}
        for key, words in self._missing().items():
            labels[key] = pick(words, lang)
        return labels

    def _missing(self) -> dict:
        column = self.column
        if not is_item(column):
            return {}
        if self.kind == "text":  # SPSS string missing values are at most 8 bytes long
            return {str(code): words for code, words in MISSING_LABELS.items()}
        return {float(missing_code(column, code)): words
                for code, words in MISSING_LABELS.items()}

    def missing(self) -> list:
        return list(self._missing())

    def format(self, labels: dict) -> str | None:
        if self.kind == "datetime":
            return DATETIME_FORMAT
        if self.kind == "text":
            return None  # pyreadstat sizes strings to their longest value
        numbers = [v for v in self.values if v is not None]
        numbers += [k for k in labels if isinstance(k, float)]
        # the widest integer text is at one of the two ends
        width = max((len(str(int(v))) for v in (min(numbers), max(numbers))), default=1) \
            if numbers else 1
        return f"F{width}.0"


CHOSEN = {0.0: ("không chọn", "not chosen"), 1.0: ("có chọn", "chosen")}


class _Dichotomy(_Variable):
    """One choice of a multiple-choice item as a 0/1 variable (1: the code was chosen)."""

    def __init__(self, column, code: str, name: str):
        super().__init__(column)
        self.kind, self.code, self.name = "int", code, name

    def _value(self, value):
        if value is None:
            return None
        if isinstance(value, str) and value in WORD_CODE:  # no answer: missing, not "no"
            return float(WORD_CODE[value])
        return 1.0 if self.code in str(value).split() else 0.0

    def label(self, lang: str) -> str:
        choice = self.column.values.get(self.code, (self.code, self.code))
        return f"{super().label(lang)}: {pick(choice, lang)}"

    def measure(self) -> str:
        return "nominal"

    def value_labels(self, lang: str) -> dict:
        words = {**CHOSEN, **{float(c): w for c, w in MISSING_LABELS.items()}}
        return {value: pick(text, lang) for value, text in words.items()}

    def _missing(self) -> dict:
        return {float(code): words for code, words in MISSING_LABELS.items()}


def _spss_name(text: str) -> str:
    """A valid SPSS variable name: letters, digits and _ (ASCII here), a letter first."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", text)
    return name if name[:1].isalpha() else f"v_{name}"


def _variables(columns) -> list[_Variable]:
    """A variable per column, and after each multiple-choice item one 0/1 per choice."""
    variables: list[_Variable] = []
    taken = {c.name.lower() for c in columns}
    for column in columns:
        variables.append(_Variable(column))
        if column.type != "multi_choice" or not is_item(column):
            continue
        for code in column.values:
            name, n = _spss_name(f"{column.name}_{code}")[:60], 1
            while name.lower() in taken:  # SPSS names are case-insensitive and unique
                n += 1
                name = f"{_spss_name(f'{column.name}_{code}')[:56]}_{n}"
            taken.add(name.lower())
            variables.append(_Dichotomy(column, code, name))
    return variables


def write_sav(columns, rows, out, lang: str = "vi", max_rows: int = SAV_MAX_ROWS,
              about: About | None = None) -> int:
    """SPSS .sav with labels, formats, measurement levels and user-missing no-answer codes."""
    pd, pyreadstat = _libraries()
    variables = _variables(columns)
    position = {id(c): i for i, c in enumerate(columns)}
    count = 0
    for row in rows:
        count += 1
        if count > max_rows:
            raise ExportTooLarge(f"more than {max_rows} responses: export CSV with the codebook "
                                 "instead (a .sav file is written in one piece)")
        for variable in variables:
            variable.add(row[position[id(variable.column)]])
    frame = pd.DataFrame({v.name: v.series() for v in variables})
    value_labels, missing, formats = {}, {}, {}
    for v in variables:
        labels = v.value_labels(lang)
        if labels:
            value_labels[v.name] = labels
        if v.missing():
            missing[v.name] = v.missing()
        fmt = v.format(labels)
        if fmt:
            formats[v.name] = fmt
    about = about or About()
    pyreadstat.write_sav(
        frame, str(out),
        file_label=_file_label(about, lang),
        note=_notes(about, lang),
        column_labels=[v.label(lang) for v in variables],
        variable_value_labels=value_labels, missing_ranges=missing,
        variable_measure={v.name: v.measure() for v in variables},
        variable_format=formats,
        variable_display_width={"submitted_at": 20} if "submitted_at" in frame else None)
    return count


def _file_label(about: About, lang: str) -> str:
    # SPSS keeps 64 bytes of a file label; Vietnamese letters take two or three
    label = f"Hailong: {pick(STREAMS[about.stream]['label'], lang)}"
    first, last = about.years
    if first or last:
        label += f" {first or ''}–{last or ''}" if first != last else f" {first}"
    return label.encode("utf-8")[:64].decode("utf-8", "ignore")


def _notes(about: About, lang: str) -> list[str]:
    """The file's documents (SPSS DISPLAY DOCUMENTS): lines of at most 80 bytes."""
    return [line for note in _note_texts(about, lang) for line in _lines(note)]


def _lines(text: str, limit: int = NOTE_BYTES) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if len(candidate.encode("utf-8")) <= limit:
            line = candidate
        else:
            lines.append(line)
            line = word.encode("utf-8")[:limit].decode("utf-8", "ignore")
    return [*lines, line] if line else lines


def _note_texts(about: About, lang: str) -> list[str]:
    codes = "; ".join(f"{code} = {pick(words, lang)}" for code, words in MISSING_LABELS.items())
    return [
        pick(STREAMS[about.stream]["meaning"], lang),
        pick(("Mã không trả lời (giá trị khuyết do người dùng khai báo, không tính vào n): ",
              "No-answer codes (user-missing, left out of n): "), lang) + codes
        + pick(("; câu hỏi dạng số dùng -97, -98, -99.",
                "; number items use -97, -98, -99."), lang),
        pick(("Thời điểm gửi theo giờ UTC.", "Submission times are in UTC."), lang),
        pick(SAMPLED_LEFT_OUT, lang),
    ]
