"""Plain data of one report: what both writers lay out, with no layout of its own."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Relative column widths; the first column (a name) takes the rest.
    widths: tuple[float, ...] = ()
    key: str = ""  # a name for tests and for the writers' table ids


@dataclass(frozen=True)
class Chart:
    caption: str
    png: bytes


@dataclass(frozen=True)
class Section:
    heading: str
    # Each block is a paragraph (str), a Table or a Chart, in reading order.
    blocks: tuple = ()


@dataclass(frozen=True)
class Header:
    """The top of an administrative document (Decree 30/2020/NĐ-CP, Appendix I)."""

    motto: str  # CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
    slogan: str  # Độc lập - Tự do - Hạnh phúc
    parent_issuer: str  # the issuing office's superior, may be empty
    issuer: str
    number: str  # "Số:      /BC-UBND" (blank to fill in by hand before signing)
    place_date: str  # "Sơn Thủy, ngày 02 tháng 12 năm 2026"


@dataclass(frozen=True)
class Signature:
    authority: str  # "TM. ỦY BAN NHÂN DÂN"
    position: str  # "CHỦ TỊCH"
    note: str  # "(Ký tên, đóng dấu)"
    name: str  # a placeholder until the office fills it in


@dataclass(frozen=True)
class Document:
    lang: str
    header: Header
    kind: str  # "BÁO CÁO"
    title: str
    sections: tuple[Section, ...]
    signature: Signature
    recipients_label: str
    recipients: tuple[str, ...]
    file_stem: str  # bao-cao-hai-long-2025
    # After the signature, as an administrative document carries its appendix.
    appendix: Section | None = None
    notes: tuple[str, ...] = field(default=())  # visible warnings (a partial year, little data)
