"""Numbers for people (the locale's separators) and for machines (CSV), ticks and units."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal as babel_format_decimal
from flask import has_app_context
from flask_babel import get_locale, gettext

if TYPE_CHECKING:
    from app.charts.data import Chart


def _number(value: Any) -> float | None:
    """A value as a finite float, or None for no data (None, NaN, infinity, junk)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def nice_step(span: float, target: int = 5) -> float:
    """A tick step of 1, 2 or 5 × 10^n that cuts `span` into about `target` parts."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude * (1 + 1e-9):
            return float(factor * magnitude)
    return float(10 * magnitude)  # pragma: no cover - the loop always returns


def nice_ticks(low: float, high: float, target: int = 5, integer: bool = False) -> list[float]:
    """Evenly spaced round ticks from at or below `low` to at or above `high`.

    `integer` keeps the step at least 1 (counts, whole days)."""
    if low > high:
        low, high = high, low
    if low == high:
        if low == 0:
            high = 1.0
        elif low > 0:
            low = 0.0
        else:
            high = 0.0
    step = nice_step(high - low, target)
    if integer and step < 1:
        step = 1.0
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    digits = _step_decimals(step)
    return [_clean(round(k * step, digits + 2)) for k in range(first, last + 1)]


def _clean(x: float) -> float:
    return 0.0 if x == 0 else x  # no "-0"


def _step_decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0


def _current_locale() -> str:
    if has_app_context():
        try:
            return str(get_locale() or "fi")
        except Exception:
            return "fi"
    return "en"


def _quantize(value: float, decimals: int) -> Decimal:
    """Rounded half up (as people round), never "-0"."""
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded


def format_number(value: float | None, decimals: int = 0, locale: str | None = None) -> str:
    """A number for people: the locale's separators (fi: 1 234,5), fixed decimals; "" for None."""
    number = _number(value)
    if number is None:
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return babel_format_decimal(_quantize(number, decimals), format=pattern, locale=locale or _current_locale())


def plain_number(value: float | None, decimals: int = 0) -> str:
    """A number for machines (CSV): '.' decimal, no grouping; "" for None."""
    number = _number(value)
    if number is None:
        return ""
    return f"{_quantize(number, decimals):f}"


def unit_label(unit: str) -> str:
    """The unit as shown to people ("d" reads as "days")."""
    if unit == "d":
        return gettext("days") if has_app_context() else "days"
    return unit


def _heading(name: str, unit: str) -> str:
    shown = unit_label(unit)
    return f"{name} ({shown})" if shown else name


def _category_heading(chart: Chart) -> str:
    if chart.category_label:
        return chart.category_label
    return gettext("Category") if has_app_context() else "Category"
