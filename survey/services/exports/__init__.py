"""Exports of responses: one row per response, in the layout `hailong import-responses` reads.

`table.export_table(scope)` gives the column descriptions and a generator of rows read from the
database in keyset-paginated chunks; the writers in `writers` take plain `(headers, rows)` and
write them as they come, so a large export never sits in memory (except `.sav`, see there).
`streams` says which stream a file holds, counts the other one, and names files by stream.
"""

from survey.services.exports.codes import About
from survey.services.exports.streams import (
    count_stream,
    file_name,
    other_stream,
    settle_years,
    table_file_name,
    years_of,
)
from survey.services.exports.table import ENVELOPE, Column, ExportTable, export_table
from survey.services.exports.writers import (
    FORMATS,
    neutralise,
    write,
    write_codebook,
    write_csv,
    write_json,
    write_sav,
    write_xlsx,
)

__all__ = [
    "About", "count_stream", "file_name", "other_stream", "settle_years", "table_file_name",
    "years_of",
    "ENVELOPE", "FORMATS", "Column", "ExportTable", "export_table", "neutralise", "write",
    "write_codebook", "write_csv", "write_json", "write_sav", "write_xlsx",
]
