"""Plotly's JavaScript, served from the installed plotly package (never a CDN)."""

from __future__ import annotations

from pathlib import Path

import plotly
from flask import send_file

from survey.dashboard import bp

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
VERSION = plotly.__version__


@bp.get("/assets/plotly-<version>.min.js")
def plotly_js(version: str):
    # The version is in the URL, so the file can be cached for a year and still change.
    response = send_file(PLOTLY_JS, mimetype="text/javascript", max_age=31_536_000)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
