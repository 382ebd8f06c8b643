"""The report as a Word document, laid out as Decree 30/2020/NĐ-CP asks (Appendix I).

A4; margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman, body 14 pt justified
with a first-line indent; the header in two borderless columns (office | motto), the
signature block beside the recipients. Offices edit this file before signing.
"""

from __future__ import annotations

import io

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from survey.services.council_report.model import Chart, Document, Section, Table
from survey.services.council_report.numbers import clean

FONT = "Times New Roman"
BODY, SMALL, TABLE = Pt(14), Pt(12), Pt(11)
TEXT_CM = 16.5  # A4 less the 30 mm and 15 mm margins


def _font(run, size=BODY, bold=False, italic=False) -> None:
    run.font.name, run.font.size, run.bold, run.italic = FONT, size, bold, italic
    # Word takes East Asian and complex-script text from other slots: set them all.
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _para(container, text: str, size=BODY, bold=False, italic=False, align=None,
          indent: bool = False, after: float = 6):
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.space_before = Pt(0)
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)
    _font(paragraph.add_run(clean(text)), size, bold, italic)
    return paragraph


def _widths(table, widths_cm: list[float]) -> None:
    """Column widths that Word and LibreOffice both keep: on the grid and on every cell."""
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _borderless(table) -> None:
    borders = table._tbl.tblPr.first_child_found_in("w:tblBorders")
    if borders is not None:
        table._tbl.tblPr.remove(borders)


def _cell(cell, lines: list[tuple[str, dict]], align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    for text, style in lines:
        _para(cell, text, align=align, after=0, **style)


def _header(doc, document: Document) -> None:
    h = document.header
    table = doc.add_table(rows=1, cols=2)
    _borderless(table)
    _widths(table, [6.0, TEXT_CM - 6.0])
    left, right = table.rows[0].cells
    office = ([(h.parent_issuer, dict(size=Pt(13)))] if h.parent_issuer else []) + [
        (h.issuer, dict(size=Pt(13), bold=True)), ("———", dict(size=Pt(11))),
        (h.number, dict(size=Pt(13)))]
    _cell(left, office)
    _cell(right, [(h.motto, dict(size=Pt(12), bold=True)), (h.slogan, dict(size=Pt(13), bold=True)),
                  ("———————", dict(size=Pt(11)))])
    _para(doc, h.place_date, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT, after=12)


def _table(doc, table: Table) -> None:
    _para(doc, table.caption, size=SMALL, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=3)
    grid = doc.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
        _cell(cell, [(text, dict(size=TABLE, bold=True))])
    for row in table.rows:
        cells = grid.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            _cell(cell, [(text, dict(size=TABLE))],
                  WD_ALIGN_PARAGRAPH.LEFT if i == 0 else WD_ALIGN_PARAGRAPH.RIGHT)
    if table.widths:
        total = sum(table.widths)
        _widths(grid, [TEXT_CM * share / total for share in table.widths])
    # Repeat the header row on each page a long appendix runs over.
    grid.rows[0]._tr.get_or_add_trPr().append(_on("w:tblHeader"))
    _para(doc, "", size=Pt(6), after=0)


def _on(tag: str):
    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    return element


def _chart(doc, chart: Chart) -> None:
    doc.add_picture(io.BytesIO(chart.png), width=Cm(16))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, chart.caption, size=SMALL, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _signature(doc, document: Document) -> None:
    table = doc.add_table(rows=1, cols=2)
    _borderless(table)
    _widths(table, [TEXT_CM / 2, TEXT_CM / 2])
    left, right = table.rows[0].cells
    _cell(left, [(document.recipients_label, dict(size=SMALL, bold=True, italic=True))]
          + [(line, dict(size=Pt(11))) for line in document.recipients],
          WD_ALIGN_PARAGRAPH.LEFT)
    s = document.signature
    _cell(right, [(s.authority, dict(bold=True)), (s.position, dict(bold=True)),
                  (s.note, dict(italic=True, size=SMALL)), ("", {}), ("", {}), ("", {}),
                  (s.name, dict(bold=True))])


def _section(doc, part: Section, centred: bool = False) -> None:
    _para(doc, part.heading, bold=True, after=6,
          align=WD_ALIGN_PARAGRAPH.CENTER if centred else None)
    for block in part.blocks:
        if isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Chart):
            _chart(doc, block)
        else:
            _para(doc, block, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)


def _page_numbers(section) -> None:
    """Decree 30: pages numbered from the second one, centred in the top margin."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = paragraph.add_run("2")
    _font(run, Pt(13))
    run._element.getparent().remove(run._element)
    field.append(run._element)
    paragraph._p.append(field)


def write_docx(document: Document) -> bytes:
    doc = new_docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    _page_numbers(section)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, BODY
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    doc.core_properties.title = f"{document.kind} {document.title}"
    doc.core_properties.language = document.lang
    _header(doc, document)
    _para(doc, document.kind, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(doc, document.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    for part in document.sections:
        _section(doc, part)
    _signature(doc, document)
    if document.appendix is not None:
        doc.add_page_break()
        _section(doc, document.appendix, centred=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
