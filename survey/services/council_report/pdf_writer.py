"""The report as PDF with reportlab's platypus: pure Python, no browser.

The same layout as the DOCX (Decree 30/2020/NĐ-CP). Fonts: Liberation Serif (metric twin of
Times New Roman) when the system has it, else DejaVu Serif from matplotlib's own data, which
is always installed with the report's runtime dependencies; only a font that carries every
Vietnamese letter is used.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as Grid

from survey.services.council_report.model import Chart, Document, Section, Table
from survey.services.council_report.numbers import clean

LIBERATION = Path("/usr/share/fonts/truetype/liberation")
FACES = ("", "-Bold", "-Italic", "-BoldItalic")
FAMILY = "ReportSerif"
TEXT_WIDTH = A4[0] - 45 * mm  # left 30 mm, right 15 mm


VIETNAMESE = "ẢẤẦẨẪẬẮẰẲẴẶẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸđĐơƠưƯ"


def covers_vietnamese(path: Path) -> bool:
    """Liberation Serif before 2.0 has no Vietnamese letters: such a font would drop them."""
    from fontTools.ttLib import TTFont as Reader  # matplotlib's own dependency

    with Reader(str(path), lazy=True) as font:
        cmap = font.getBestCmap()
    return all(ord(c) in cmap for c in VIETNAMESE)


def _font_files() -> list[Path]:
    liberation = [LIBERATION / f"LiberationSerif{f or '-Regular'}.ttf" for f in FACES]
    if all(p.exists() for p in liberation) and all(covers_vietnamese(p) for p in liberation):
        return liberation
    import matplotlib

    data = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return [data / f"DejaVuSerif{f}.ttf" for f in FACES]


@cache
def register_fonts() -> str:
    names = [FAMILY + f for f in FACES]
    for name, path in zip(names, _font_files(), strict=True):
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(FAMILY, normal=names[0], bold=names[1], italic=names[2],
                                  boldItalic=names[3])
    return FAMILY


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FAMILY, fontSize=13, leading=17, alignment=TA_JUSTIFY,
                          firstLineIndent=1 * cm, spaceAfter=5)
    centre = dict(alignment=TA_CENTER, firstLineIndent=0, spaceAfter=0)
    return {
        "body": base,
        "office": ParagraphStyle("office", base, fontSize=11.5, leading=14, **centre),
        "title": ParagraphStyle("title", base, fontSize=14, leading=18, **centre),
        "date": ParagraphStyle("date", base, alignment=TA_RIGHT, firstLineIndent=0,
                               spaceBefore=6, spaceAfter=12),
        "heading": ParagraphStyle("heading", base, firstLineIndent=0, spaceBefore=6,
                                  alignment=TA_LEFT),
        "caption": ParagraphStyle("caption", base, fontSize=11, leading=14,
                                  **{**centre, "spaceAfter": 4}),
        "cell": ParagraphStyle("cell", base, fontSize=9.5, leading=11.5, firstLineIndent=0,
                               alignment=TA_RIGHT, spaceAfter=0),
        "cell_name": ParagraphStyle("cell_name", base, fontSize=9.5, leading=11.5,
                                    firstLineIndent=0, alignment=TA_LEFT, spaceAfter=0),
        "small": ParagraphStyle("small", base, fontSize=11, leading=13, firstLineIndent=0,
                                alignment=TA_LEFT, spaceAfter=0),
    }


def _p(text: str, style, bold=False, italic=False) -> Paragraph:
    text = escape(clean(text))
    if bold:
        text = f"<b>{text}</b>"
    if italic:
        text = f"<i>{text}</i>"
    return Paragraph(text, style)


def _plain_grid(rows, widths) -> Grid:
    grid = Grid(rows, colWidths=widths)
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return grid


def _header(document: Document, s) -> list:
    h = document.header
    office = ([_p(h.parent_issuer, s["office"])] if h.parent_issuer else []) + [
        _p(h.issuer, s["office"], bold=True), _p("———", s["office"]),
        _p(h.number, s["office"])]
    motto = [_p(h.motto, s["office"], bold=True),
             _p(h.slogan, ParagraphStyle("slogan", s["title"], fontSize=12.5), bold=True),
             _p("———————", s["office"])]
    return [_plain_grid([[office, motto]], [0.38 * TEXT_WIDTH, 0.62 * TEXT_WIDTH]),
            _p(h.place_date, s["date"], italic=True)]


def _table(table: Table, s) -> list:
    total = sum(table.widths) or len(table.header)
    widths = [TEXT_WIDTH * w / total for w in (table.widths or [1] * len(table.header))]
    head = [_p(text, ParagraphStyle("h", s["cell"], alignment=TA_CENTER), bold=True)
            for text in table.header]
    body = [[_p(text, s["cell_name"] if i == 0 else s["cell"]) for i, text in enumerate(row)]
            for row in table.rows]
    grid = Grid([head, *body], colWidths=widths, repeatRows=1)
    grid.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
    ]))
    return [_p(table.caption, s["caption"], bold=True), grid, Spacer(1, 8)]


def _chart(chart: Chart, s) -> list:
    image = Image(io.BytesIO(chart.png))
    scale = TEXT_WIDTH / image.imageWidth
    image.drawWidth, image.drawHeight = TEXT_WIDTH, image.imageHeight * scale
    return [KeepTogether([image, _p(chart.caption, s["caption"], italic=True)])]


def _section(part: Section, s, centred: bool = False) -> list:
    flow = [_p(part.heading, s["title"] if centred else s["heading"], bold=True)]
    for block in part.blocks:
        if isinstance(block, Table):
            flow += _table(block, s)
        elif isinstance(block, Chart):
            flow += _chart(block, s)
        else:
            flow.append(_p(block, s["body"]))
    return flow


def _signature(document: Document, s) -> list:
    sign = document.signature
    left = [_p(document.recipients_label, s["small"], bold=True, italic=True)] + [
        _p(line, ParagraphStyle("r", s["small"], fontSize=10.5)) for line in document.recipients]
    right = [_p(sign.authority, s["office"], bold=True), _p(sign.position, s["office"], bold=True),
             _p(sign.note, s["office"], italic=True), Spacer(1, 2.2 * cm),
             _p(sign.name, s["office"], bold=True)]
    return [Spacer(1, 12), KeepTogether(_plain_grid([[left, right]],
                                                    [0.5 * TEXT_WIDTH, 0.5 * TEXT_WIDTH]))]


def _page_number(canvas, doc) -> None:
    if doc.page > 1:  # Decree 30: numbered from the second page, centred at the top
        canvas.saveState()
        canvas.setFont(FAMILY, 11)
        canvas.drawCentredString(A4[0] / 2 + 7.5 * mm, A4[1] - 12 * mm, str(doc.page))
        canvas.restoreState()


def write_pdf(document: Document) -> bytes:
    register_fonts()
    s = _styles()
    out = io.BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=A4, leftMargin=30 * mm, rightMargin=15 * mm,
                            topMargin=20 * mm, bottomMargin=20 * mm, lang=document.lang,
                            title=f"{document.kind} {document.title}",
                            author=document.header.issuer)
    flow = _header(document, s) + [_p(document.kind, s["title"], bold=True),
                                   _p(document.title, s["title"], bold=True), Spacer(1, 10)]
    for part in document.sections:
        flow += _section(part, s)
    flow += _signature(document, s)
    if document.appendix is not None:
        flow += [PageBreak(), *_section(document.appendix, s, centred=True)]
    pdf.build(flow, onFirstPage=_page_number, onLaterPages=_page_number)
    return out.getvalue()
