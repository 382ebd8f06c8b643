"""Independent readers of the council report's files: DOCX through its XML (zipfile + lxml,
not python-docx, which wrote it), PDF through pypdf (not reportlab, which wrote it); and the
folder where the tests leave the files for people to look at."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree
from pypdf import PdfReader

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ROOT = Path(__file__).resolve().parents[2]


def artifacts() -> Path:
    """$HAILONG_ARTIFACTS, else test-artifacts/ at the repository's root (not committed)."""
    folder = Path(os.environ.get("HAILONG_ARTIFACTS") or ROOT / "test-artifacts") / "report"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep(name: str, data: bytes) -> None:
    (artifacts() / name).write_bytes(data)
    if name.endswith(".pdf") and shutil.which("pdftoppm"):
        # Pages as images for people to look at, where poppler is installed (not required).
        stem = str(artifacts() / name.removesuffix(".pdf"))
        subprocess.run(["pdftoppm", "-r", "72", "-png", stem + ".pdf", stem], check=False,
                       timeout=120, capture_output=True)


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


class Docx:
    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.xml = etree.fromstring(self.zip.read("word/document.xml"))
        body = self.xml.find(f"{W}body")
        self.paragraphs = [_text(p) for p in body.iter(f"{W}p")]
        self.text = "\n".join(self.paragraphs)

    def tables(self) -> list[list[list[str]]]:
        """Every table as rows of cell texts (the layout tables of header and signature too)."""
        return [[[_text(c) for c in row.iter(f"{W}tc")] for row in table.iter(f"{W}tr")]
                for table in self.xml.iter(f"{W}tbl")]

    def table_starting(self, header: str) -> list[list[str]]:
        [table] = [t for t in self.tables() if t and t[0] and t[0][0] == header]
        return table

    def images(self) -> list[str]:
        return [n for n in self.zip.namelist() if n.startswith("word/media/")
                and n.endswith(".png")]

    def fonts(self) -> set[str]:
        return {f.get(f"{W}ascii") for f in self.xml.iter(f"{W}rFonts") if f.get(f"{W}ascii")}

    def sizes(self) -> set[int]:
        """Font sizes in points (w:sz is in half-points)."""
        return {int(s.get(f"{W}val")) / 2 for s in self.xml.iter(f"{W}sz")}


class Pdf:
    def __init__(self, data: bytes):
        self.reader = PdfReader(io.BytesIO(data))
        self.pages = [page.extract_text() or "" for page in self.reader.pages]
        # Extraction breaks lines where the layout does: compare words, not line breaks.
        self.text = " ".join(" ".join(self.pages).split())

    def image_xobjects(self) -> int:
        count = 0
        for page in self.reader.pages:
            resources = page.get("/Resources") or {}
            xobjects = resources.get("/XObject") or {}
            count += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
        return count
