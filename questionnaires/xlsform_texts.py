"""The texts of an XLSForm in the two languages a questionnaire holds, and codes from names.

A form may be written in any languages. Vietnamese texts come from the Vietnamese columns; a
form without them has its texts in the ``default_language`` (or English, or the first language
written) stand in for them, with a warning naming the column. English comes from the English
columns. Texts of any other language are not kept, each column warned about.
"""

from __future__ import annotations

import re

from .xlsform_columns import language
from .xlsform_read import Reader, Sheet

TEXT_BASES = ("label", "hint")
_NOT_CODE = re.compile(r"[^a-z0-9_]+")
_PIPED = re.compile(r"\$\{\s*([^}]*?)\s*\}")


class Texts:
    def __init__(self, reader: Reader, sheets: list[Sheet], default_language: str):
        self.default = language(default_language)[0] if default_language else "default"
        written = {}
        for sheet in sheets:
            for key in sheet.keys:
                base, _, code = key.rpartition("::")
                if base == "label":
                    written.setdefault(self._lang(code), sheet.languages.get(code, code))
        if "vi" in written or not written:
            self.vi = "vi"
        elif self.default in written:
            self.vi = self.default
        else:
            self.vi = "en" if "en" in written else sorted(written)[0]
        for sheet in sheets:
            self._warn(reader, sheet)

    def _lang(self, code: str) -> str:
        return self.default if code == "default" else code

    def _warn(self, reader: Reader, sheet: Sheet) -> None:
        for key in dict.fromkeys(sheet.keys):
            base, _, code = key.rpartition("::")
            if base not in TEXT_BASES or not any(r.get(key) for _, r in sheet.rows):
                continue
            lang = self._lang(code)
            name = sheet.languages.get(code) or ("(no language)" if lang == "default" else lang)
            if lang == self.vi and lang != "vi":
                reader.add(sheet, 1, key, "xls_language_stands_in", language=name)
            elif lang not in (self.vi, "en"):
                reader.add(sheet, 1, key, "xls_language_dropped", language=name)

    def get(self, record: dict[str, str], base: str = "label",
            where: tuple[Reader, Sheet, int] | None = None) -> dict[str, str]:
        """The vi/en texts of ``base``; a ``${name}`` in them (an earlier answer, which
        ODK shows there) becomes "…": the product fills no answer into a text."""
        text = self._get(record, base)
        if not text["vi"] and text.get("en"):  # this row has only its English text
            text["vi"] = text["en"]
            if where is not None:
                where[0].add(where[1], where[2], f"{base}::{self.vi}", "xls_english_stands_in")
        found = [ref for value in text.values() for ref in _PIPED.findall(value)]
        if not found:
            return text
        if where is not None:
            reader, sheet, row = where
            column = next((k for k in record if k.rpartition("::")[0] == base), base)
            reader.add(sheet, row, column, "xls_text_answer", value=found[0])
        return {lang: _PIPED.sub("…", value) for lang, value in text.items()}

    def _get(self, record: dict[str, str], base: str) -> dict[str, str]:
        vi = en = ""
        for key, value in record.items():
            head, _, code = key.rpartition("::")
            if head != base or not value:
                continue
            lang = self._lang(code)
            if lang == self.vi and not vi:
                vi = value
            if lang == "en" and not en:
                en = value
        return {"vi": vi, "en": en} if en else {"vi": vi}


def to_code(name: str) -> str:
    """A valid code for an XLSForm name: lowercase, ``_`` for other characters."""
    code = _NOT_CODE.sub("_", name.strip().lower()).strip("_")
    if not code or not code[0].isalpha():
        code = f"q_{code}".rstrip("_")
    return code[:63]
