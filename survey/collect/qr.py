"""QR code images (segno, pure Python): SVG for print pages, PNG for download."""

from __future__ import annotations

import io

import segno
from flask import Response


def qr_svg_markup(url: str, scale: int = 6) -> str:
    """Inline SVG, for a print page; the dark modules on white keep every scanner happy."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, xmldecl=False,
                                    svgns=True, title=url, border=2)
    return buffer.getvalue().decode()


def qr_response(url: str, kind: str, filename: str) -> Response:
    buffer = io.BytesIO()
    if kind == "png":
        segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
        mimetype = "image/png"
    else:
        segno.make(url, error="m").save(buffer, kind="svg", scale=10, border=2)
        mimetype = "image/svg+xml"
    response = Response(buffer.getvalue(), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}.{kind}"'
    return response
