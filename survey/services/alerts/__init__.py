"""Early-warning alerts (issue #23, docs/EARLY_WARNING.md): the daily roll-ups (daily), the
watch that raises CUSUM and burst alerts (watch), who is told (recipients, mail), the weekly
digest (digest), the officers' list (listing) and the chart's picture (chart)."""


class AlertError(Exception):
    """A setting or a request the alerts cannot work with; `field` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message
