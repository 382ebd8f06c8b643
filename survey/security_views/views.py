"""The anomalies page: kiosk bursts, desks rated too well, and ignored presses."""

from __future__ import annotations

from flask import current_app, render_template

from survey.access import page_requires
from survey.security_views import bp
from survey.services import anomalies as detect


@bp.get("/anomalies")
@page_requires("administer")
def anomalies():
    config = current_app.config
    limits = {"count": config["ANOMALY_BURST_COUNT"], "seconds": config["ANOMALY_BURST_SECONDS"],
              "top_share": config["ANOMALY_TOP_SHARE"], "min_n": config["ANOMALY_MIN_N"],
              "gap": config["ANOMALY_GAP"]}
    return render_template(
        "security/anomalies.html", limits=limits,
        bursts=detect.bursts(limits["count"], limits["seconds"]),
        desks=detect.too_good_desks(limits["top_share"], limits["min_n"], limits["gap"]),
        presses=detect.ignored_presses())
