"""The JSON API under /api/v1: submissions from kiosks and one-stop software, and analysis.

Clients authenticate with `Authorization: Bearer KEY` (keys from `hailong api-key create`) or a
staff session; citizens' submissions need neither. Errors are JSON, never an HTML page.
Each module adds its routes to `bp` and its paths to the OpenAPI description (`openapi.py`).
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Each module attaches its routes to bp when imported.
from survey.api import (  # noqa: E402,F401
    errors,
    investigations,
    openapi,
    origin,
    records,
    reports,
    responses,
    tokens,
)
