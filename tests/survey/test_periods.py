"""Reporting periods: the default year is the last complete local year."""

from datetime import UTC, datetime

from survey.services.periods import is_partial, last_complete_year


def test_last_complete_year_is_local():
    # 31 Dec 2026 18:00 UTC is already 1 Jan 2027 in Viet Nam (UTC+7)
    assert last_complete_year(datetime(2026, 12, 31, 18, tzinfo=UTC)) == 2026
    assert last_complete_year(datetime(2026, 12, 31, 16, tzinfo=UTC)) == 2025
    assert is_partial(2026, datetime(2026, 6, 1, tzinfo=UTC))
    assert not is_partial(2025, datetime(2026, 6, 1, tzinfo=UTC))
