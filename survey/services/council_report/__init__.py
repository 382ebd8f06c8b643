"""The council report as an administrative document (Decree 30/2020/NĐ-CP): DOCX and PDF.

`content.build` turns the report's figures into plain data (paragraphs, tables, charts as PNG);
`docx_writer` and `pdf_writer` lay that data out. Nothing here needs a browser: a production
install (no dev dependencies) writes both files.
"""

from survey.services.council_report.model import Document, Header, Section, Table

__all__ = ["Document", "Header", "Section", "Table"]
