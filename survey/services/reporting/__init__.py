"""Reports: the database as frequency tables, and the statistics of `analysis` on them.

This package is the only place where database rows become the plain arrays `analysis` takes.
"""

from survey.services.reporting.cells import Cells, References, fetch_cells, resolve_stream
from survey.services.reporting.indices import indices
from survey.services.reporting.scope import Grouping, Measure, Scope, ScopeError
from survey.services.reporting.trends import trends

__all__ = [
    "Cells", "Grouping", "Measure", "References", "Scope", "ScopeError", "fetch_cells",
    "indices", "resolve_stream", "trends",
]
