"""Small SQL building blocks for figures computed in the database, the same on
SQLite and PostgreSQL: the month of a timestamp or a date, and days between two.

Months are calendar months of UTC timestamps (the same on both databases, so a
figure never depends on which one serves it); dates are taken as they are.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.extensions import db


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def month_of(column, *, timestamp: bool = True) -> sa.ColumnElement[str]:
    """'YYYY-MM' of a column."""
    if _dialect() == "postgresql":
        source = sa.func.timezone("UTC", column) if timestamp else column
        return sa.func.to_char(source, "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


def days_between(
    later, earlier, *, later_is_date: bool = False, earlier_is_date: bool = False
) -> sa.ColumnElement[float]:
    """Days from `earlier` to `later` (fractions for timestamps)."""
    if _dialect() == "postgresql":
        if later_is_date or earlier_is_date:
            return sa.cast(sa.cast(later, sa.Date) - sa.cast(earlier, sa.Date), sa.Float)
        return sa.extract("epoch", later - earlier) / 86400.0
    if later_is_date or earlier_is_date:
        return sa.func.julianday(sa.func.date(later)) - sa.func.julianday(sa.func.date(earlier))
    return sa.func.julianday(later) - sa.func.julianday(earlier)


def months_back(today: date, count: int) -> list[str]:
    """The `count` months up to and including today's, oldest first, as 'YYYY-MM'."""
    year, month = today.year, today.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return keys[::-1]


def month_start(key: str) -> date:
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def quarter_of(key: str) -> str:
    """'2026-05' -> '2026 Q2'."""
    year, month = key.split("-")
    return f"{year} Q{(int(month) - 1) // 3 + 1}"


def quarters_back(today: date, count: int) -> list[str]:
    keys: list[str] = []
    for month in months_back(today, count * 3):
        quarter = quarter_of(month)
        if quarter not in keys:
            keys.append(quarter)
    return keys[-count:]


def percentile(sorted_values: list[float], share: float) -> float | None:
    """Linear interpolation between closest ranks (as PostgreSQL's percentile_cont)."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * share
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)
