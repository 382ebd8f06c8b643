"""URL converters shared by the blueprints."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

ROW_ID_MAX = 2**31 - 1  # an INTEGER primary key: a larger number cannot even be bound


class RowId(IntegerConverter):
    """`<id:case_id>`: a row's id, 1 to 2**31 - 1. Anything else is a 404 from the router, never
    a query the database refuses with a 500."""

    def __init__(self, url_map, **kwargs) -> None:
        super().__init__(url_map, min=1, max=ROW_ID_MAX)


def register_converters(app) -> None:
    app.url_map.converters["id"] = RowId
