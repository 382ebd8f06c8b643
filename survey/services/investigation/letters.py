"""Invitation letters: one A4 page per sampled case, in a batch PDF per collector or area.

Printing a batch (re)issues each case's personal link (`cases.issue_link`): the new token is
known only while the PDF is made, printed on the letter as text and as a QR code, and stored
as its SHA-256 alone, so the previous letter's link stops working. Only open cases (issued,
contacted) get letters; a completed case's link is used, and a case with an outcome is
changed back by an officer first.

A letter names the office, the purpose, the link, the QR code and the case code (written on
a paper form entered later). It carries no contact details unless the officer asks for the
address block (for window envelopes): then the frame contact is opened in memory for that
page only (contacts.contact_of) and never written anywhere else.

Fonts: the council report's (Liberation Serif or DejaVu Serif, both with every Vietnamese
letter, survey/services/council_report/pdf_writer.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

import segno
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

from survey.database import begin_write
from survey.extensions import db
from survey.models import Unit
from survey.models.investigation import FrameDossier, Investigation, SampleCase
from survey.services import audit
from survey.services.council_report.pdf_writer import register_fonts
from survey.services.investigation import cases, contacts
from survey.services.investigation.fieldwork import (
    OPEN_STATUSES,
    FieldworkError,
    Scope,
    case_code,
)

MAX_LETTERS = 300  # a batch within a request: about 65 ms a letter here (40 % of it the QR code)
QR_SCALE = 8        # 8 px a module at 300 dpi-ish print: about 3.5 cm for a 33-module code


@dataclass(frozen=True, slots=True)
class Selection:
    """Which cases a batch holds: a collector's (0: unassigned), a unit's subtree, a stratum."""

    collector_id: int | None = None
    unit_code: str = ""
    stratum: str = ""


@dataclass(frozen=True, slots=True)
class Letter:
    code: str
    dossier_code: str
    link: str
    address: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Batch:
    pdf: bytes
    letters: int


def selected_cases(investigation: Investigation, scope: Scope,
                   selection: Selection) -> list[SampleCase]:
    query = (db.select(SampleCase)
             .join(FrameDossier, FrameDossier.id == SampleCase.frame_dossier_id)
             .join(Unit, Unit.id == FrameDossier.unit_id)
             .where(SampleCase.investigation_id == investigation.id,
                    SampleCase.status.in_(OPEN_STATUSES))
             .order_by(Unit.path, SampleCase.stratum_key, SampleCase.id))
    if selection.collector_id is not None:
        query = query.where(SampleCase.collector_id == (selection.collector_id or None))
    if selection.unit_code:
        unit = db.session.execute(
            db.select(Unit).filter_by(code=selection.unit_code)).scalar_one_or_none()
        if unit is None:
            raise FieldworkError("unit", "unit", code=selection.unit_code)
        query = query.where(Unit.path.startswith(unit.path, autoescape=True))
    if selection.stratum:
        query = query.where(SampleCase.stratum_key == selection.stratum)
    return list(db.session.execute(scope.where(query).limit(MAX_LETTERS + 1)).scalars())


def issue_letters(investigation: Investigation, scope: Scope, selection: Selection, *,
                  link_for: Callable[[str], str], office: str, with_address: bool = False,
                  sealer: contacts.Sealer | None = None) -> Batch:
    """New links for the selected open cases and their letters as one PDF (see the module).
    The caller commits: the PDF's links are the only ones that work from then on."""
    begin_write()
    if not scope.manager:
        raise FieldworkError("letters", "officer")
    if investigation.status not in ("drawn", "fieldwork"):
        raise FieldworkError("status", "state", state=investigation.status)
    found = selected_cases(investigation, scope, selection)
    if not found:
        raise FieldworkError("cases", "no_open")
    if len(found) > MAX_LETTERS:
        raise FieldworkError("cases", "too_many", limit=MAX_LETTERS)
    if with_address:
        sealer = sealer or contacts.Sealer()
    letters = []
    for case in found:
        address: tuple[str, ...] = ()
        if with_address:
            contact = contacts.contact_of(investigation.id, case.frame_dossier_id,
                                          case.dossier.dossier_code, sealer) or {}
            address = tuple(v for v in (contact.get("contact_name"), contact.get("address"))
                            if v)
        letters.append(Letter(case_code(investigation.code, case.id), case.dossier.dossier_code,
                              link_for(cases.issue_link(case)), address))
    audit.record(scope.actor, "issue_letters", "investigation", investigation.code,
                 new={"letters": len(letters), "collector": selection.collector_id,
                      "unit": selection.unit_code, "stratum": selection.stratum,
                      "address_block": with_address})
    return Batch(render(investigation, letters, office), len(letters))


def qr_png(link: str) -> bytes:
    buffer = io.BytesIO()
    # a quiet zone of 4 modules, as the standard asks: a scanner finds the code on paper
    segno.make(link, error="m").save(buffer, kind="png", scale=QR_SCALE, border=4)
    return buffer.getvalue()


def _styles(family: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=family, fontSize=12.5, leading=17,
                          alignment=TA_JUSTIFY, spaceAfter=6)
    return {
        "body": body,
        "head": ParagraphStyle("head", body, fontSize=11, leading=14, alignment=TA_CENTER,
                               spaceAfter=0),
        "title": ParagraphStyle("title", body, fontSize=14, leading=19, alignment=TA_CENTER,
                                spaceBefore=10, spaceAfter=10),
        "address": ParagraphStyle("address", body, alignment=TA_LEFT, spaceAfter=0),
        "link": ParagraphStyle("link", body, fontName="Courier", fontSize=10.5, leading=13,
                               alignment=TA_LEFT),
        "code": ParagraphStyle("code", body, fontSize=15, leading=20, alignment=TA_LEFT),
        "small": ParagraphStyle("small", body, fontSize=10, leading=13),
    }


def _letter(investigation: Investigation, letter: Letter, office: str,
            style: dict[str, ParagraphStyle]) -> list:
    e = escape
    office_name = office_in_text(office)
    head = Table([[Paragraph(f"<b>{e(office)}</b>", style["head"]),
                   Paragraph("<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br/>"
                             "<b>Độc lập - Tự do - Hạnh phúc</b>", style["head"])]],
                 colWidths=[68 * mm, 102 * mm])
    parts: list = [head, Spacer(1, 6 * mm)]
    if letter.address:
        parts += [Paragraph("<br/>".join(e(line) for line in letter.address), style["address"]),
                  Spacer(1, 4 * mm)]
    period = f"{investigation.period_from:%d/%m/%Y} – {investigation.period_to:%d/%m/%Y}"
    parts += [
        Paragraph("<b>THƯ MỜI THAM GIA KHẢO SÁT<br/>SỰ HÀI LÒNG VỀ DỊCH VỤ HÀNH CHÍNH CÔNG</b>",
                  style["title"]),
        Paragraph("Kính gửi: Ông/Bà đã nộp hồ sơ số "
                  f"<b>{e(letter.dossier_code)}</b>", style["body"]),
        Paragraph(
            f"{e(office_name)} tổ chức cuộc điều tra xã "
            f"hội học <i>{e(investigation.name)}</i> về sự hài lòng của người dân, tổ chức đối "
            f"với việc giải quyết thủ tục hành chính trong thời gian {period}. Hồ sơ của "
            "Ông/Bà được chọn ngẫu nhiên vào mẫu điều tra, vì vậy ý kiến của Ông/Bà đại diện "
            "cho nhiều người khác và rất quan trọng để cơ quan cải thiện chất lượng phục vụ.",
            style["body"]),
        Paragraph("Trả lời mất khoảng 10 phút. Câu trả lời chỉ dùng cho thống kê, không nêu tên "
                  "người trả lời và không ảnh hưởng đến hồ sơ của Ông/Bà.", style["body"]),
        Paragraph("<b>Cách trả lời:</b> quét mã QR dưới đây bằng điện thoại, hoặc mở đường "
                  "dẫn sau trên máy tính hay điện thoại:", style["body"]),
        Paragraph(e(letter.link), style["link"]),
    ]
    qr = Image(io.BytesIO(qr_png(letter.link)), width=42 * mm, height=42 * mm)
    side = [Paragraph("Mã phiếu:", style["body"]),
            Paragraph(f"<b>{e(letter.code)}</b>", style["code"]),
            Paragraph("Đường dẫn và mã QR dành riêng cho hồ sơ này và chỉ dùng được một lần. "
                      "Nếu Ông/Bà muốn trả lời trên phiếu giấy, xin báo cán bộ điều tra và "
                      "ghi mã phiếu này lên phiếu.", style["small"])]
    parts += [Spacer(1, 3 * mm), Table([[qr, side]], colWidths=[50 * mm, 120 * mm]),
              Spacer(1, 4 * mm),
              Paragraph("Xin trân trọng cảm ơn Ông/Bà.", style["body"]),
              Spacer(1, 6 * mm),
              Paragraph("<i>English: you are invited to a satisfaction survey about the public "
                        "service you used. Scan the QR code or open the link above; the "
                        "questionnaire can be answered in English. The link works once, for "
                        "this dossier only.</i>", style["small"])]
    return parts


def office_in_text(office: str) -> str:
    """The office as a sentence names it: "ỦY BAN NHÂN DÂN TỈNH SƠN THỦY" → "Ủy ban nhân dân
    tỉnh Sơn Thủy" (the heading's capitals kept only for the place's own name)."""
    if not office.isupper():
        return office
    for prefix, plain in (("ỦY BAN NHÂN DÂN TỈNH ", "Ủy ban nhân dân tỉnh "),
                          ("ỦY BAN NHÂN DÂN THÀNH PHỐ ", "Ủy ban nhân dân thành phố ")):
        if office.startswith(prefix):
            return plain + office[len(prefix):].title()
    return office


def render(investigation: Investigation, letters: list[Letter], office: str) -> bytes:
    family = register_fonts()
    style = _styles(family)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
        bottomMargin=15 * mm, title=f"{investigation.code}: thư mời", author=office,
        # the letters of one batch are a document of the office, not of anyone in them
        subject="Thư mời tham gia khảo sát")
    story: list = []
    for i, letter in enumerate(letters):
        if i:
            story.append(PageBreak())
        story += _letter(investigation, letter, office, style)
    document.build(story)
    return buffer.getvalue()
