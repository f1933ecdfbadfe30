"""The time of day as the ecosystem counts it: dates are Finnish (Europe/Helsinki)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.extensions import utcnow

HELSINKI = ZoneInfo("Europe/Helsinki")


def helsinki_today(now: datetime | None = None) -> date:
    """Today's date in Finland (a deadline on day D lasts until midnight Finnish time)."""
    return (now or utcnow()).astimezone(HELSINKI).date()
