"""A chart's figures as CSV: plain numbers, '.' decimal, "" for no data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.charts.numbers import _category_heading, _heading, plain_number
from app.csvutil import csv_response

if TYPE_CHECKING:
    from app.charts.data import Chart


def csv_rows(chart: Chart) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the chart's figures: plain numbers, '.' decimal, "" for no data."""
    header = [_category_heading(chart)] + [_heading(s.name, chart.unit) for s in chart.series]
    rows = [
        [category] + [plain_number(s.values[i], chart.decimals) for s in chart.series]
        for i, category in enumerate(chart.categories)
    ]
    return header, rows


def chart_csv_response(chart: Chart):
    """The chart's figures as a CSV download named after its key."""
    header, rows = csv_rows(chart)
    return csv_response(f"{chart.key}.csv", header, rows)
