"""Accessible charts drawn on the server as SVG: no JavaScript, no inline styles.

A view builds a `Chart` (plain data, already translated) and a template draws it
with the `chart` macro of templates/_charts.html. Everything that needs
arithmetic (scales, "nice" ticks, bar geometry, label text and wrapping) is done
here by `layout()`, which returns plain geometry that the template only prints,
so it can be unit-tested without a browser.

Accessibility:
- the SVG is `role="img"`, named by its <title> and described by its <desc>;
- the numbers behind the chart are a real table (in a <details>) and a CSV file;
- series differ by pattern (bars) or dash and marker shape (lines), not only by
  colour; every colour has at least 3:1 contrast against white (WCAG 1.4.11)
  and text at least 4.5:1 (WCAG 1.4.3) – see `contrast()` and the tests;
- the app's CSP forbids inline styles, so the SVG uses presentation attributes
  (fill=, stroke=, font-size=) only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.numbers import format_decimal as babel_format_decimal
from flask import has_app_context
from flask_babel import get_locale, gettext

from app.csvutil import csv_response

KINDS = ("bar", "hbar", "line", "stacked")
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")

#: Series colours, in the order series get them. Contrast against white (#ffffff),
#: as computed by `contrast()` (WCAG 2.1 relative luminance):
#:   #00427a  brand blue  10.19:1
#:   #b35000  orange       5.17:1
#:   #1e6b35  green        6.54:1
#:   #a8326e  magenta      6.28:1
#:   #6a3fb5  purple       7.02:1
#:   #00707a  teal         5.84:1
#:   #7a4d00  brown        7.27:1
#:   #4a4a4a  grey         8.86:1
#: All are above the 3:1 that WCAG 1.4.11 asks of graphical objects, and since the
#: patterns are white marks on the colour, the marks also have at least 3:1.
PALETTE = ("#00427a", "#b35000", "#1e6b35", "#a8326e", "#6a3fb5", "#00707a", "#7a4d00", "#4a4a4a")
#: Text (17.4:1) and axis/tick text (8.86:1) against white: both above 4.5:1.
TEXT_COLOUR = "#1a1a1a"
MUTED_TEXT_COLOUR = "#4a4a4a"
AXIS_COLOUR = "#1a1a1a"
GRID_COLOUR = "#d0d7de"  # decorative only: the tick labels carry the information
BACKGROUND = "#ffffff"

#: Fill patterns for bars: white marks on the series colour.
PATTERNS = ("solid", "diagonal", "dots", "crosshatch", "horizontal", "reverse-diagonal", "grid", "vertical")
#: Dash patterns (stroke-dasharray) and point markers for lines.
DASHES = ("", "8 4", "2 3", "10 3 2 3", "4 4", "12 3 2 3 2 3", "1 2", "6 2")
MARKERS = ("circle", "square", "triangle", "diamond", "triangle-down", "cross", "plus", "bar")

FONT_SIZE = 12
LINE_HEIGHT = 14  # between the lines of a wrapped label (the template's tspan dy)
_CHAR_WIDTH = 0.62 * FONT_SIZE  # a generous average glyph width of a sans-serif face
WIDTH = 640
PLOT_HEIGHT = 240
MAX_LABEL_CHARS = 30  # longer category labels are shortened in the SVG (the table has them in full)


# ---------------------------------------------------------------------------
# The data


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # one per category; None = no data


@dataclass(frozen=True)
class Chart:
    key: str  # slug, unique on a page: element ids and the CSV file name
    title: str  # already translated
    description: str  # already translated: the text alternative's summary
    kind: str  # "bar", "hbar", "line", "stacked"
    categories: list[str]
    series: list[Series]
    unit: str = ""  # "€", "%", "d" (days), ""
    decimals: int = 0
    category_label: str = ""

    def __post_init__(self) -> None:
        if not _KEY.match(self.key or ""):
            raise ValueError(f"chart key must be a slug of letters, digits, '-' and '_': {self.key!r}")
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}; expected one of {KINDS}")
        if self.decimals < 0:
            raise ValueError("decimals must be >= 0")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(self.categories)} categories")

    def is_empty(self) -> bool:
        """No series, no categories, or every value missing or zero."""
        return not any(v for s in self.series for v in (_number(x) for x in s.values))

    def layout(self, locale: str | None = None) -> Layout:
        """The geometry the template draws (see `layout`)."""
        return layout(self, locale)


def _number(value: Any) -> float | None:
    """A value as a finite float, or None for no data (None, NaN, infinity, junk)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


# ---------------------------------------------------------------------------
# Colours


def _luminance(colour: str) -> float:
    hexa = colour.lstrip("#")
    if len(hexa) == 3:
        hexa = "".join(ch * 2 for ch in hexa)
    channels = [int(hexa[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG 2.1 contrast ratio of two #rrggbb colours (1.0 to 21.0)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# ---------------------------------------------------------------------------
# Numbers


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


# ---------------------------------------------------------------------------
# CSV


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


# ---------------------------------------------------------------------------
# Geometry


@dataclass
class Tick:
    pos: float  # y for vertical charts, x for hbar
    label: str
    zero: bool = False


@dataclass
class CategoryLabel:
    x: float
    y: float
    lines: list[str]
    anchor: str = "middle"
    transform: str = ""  # rotate(...) for long labels under vertical bars
    full: str = ""  # the label before shortening


@dataclass
class Bar:
    series: int
    category: int
    x: float
    y: float
    width: float
    height: float
    value: float | None
    label: str = ""  # the value as shown, "" when no label fits
    label_x: float = 0.0
    label_y: float = 0.0
    label_anchor: str = "middle"


@dataclass
class Point:
    x: float
    y: float
    marker: str  # path d of the marker
    label: str = ""


@dataclass
class Line:
    series: int
    segments: list[str]  # "x,y x,y ..." for <polyline points>; a None breaks the line
    points: list[Point]


@dataclass
class PatternMark:
    kind: str  # "path" (white stroke) or "dot" (white circle)
    d: str = ""
    cx: float = 0.0
    cy: float = 0.0


@dataclass
class SeriesStyle:
    index: int
    name: str
    colour: str
    pattern: str
    pattern_id: str
    marks: list[PatternMark]
    dash: str
    marker: str
    legend_marker: str  # path d of the marker for a 32×16 legend swatch


@dataclass
class Cell:
    text: str  # formatted for the locale; "" for no data
    missing: bool


@dataclass
class Layout:
    kind: str
    width: float
    height: float
    plot_left: float
    plot_top: float
    plot_right: float
    plot_bottom: float
    baseline: float  # where the value 0 (or the axis minimum) sits
    ticks: list[Tick]
    unit_label: str
    unit_x: float
    unit_y: float
    categories: list[CategoryLabel]
    bars: list[Bar] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    totals: list[Bar] = field(default_factory=list)  # stacked: the total above each stack (label only)
    styles: list[SeriesStyle] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[tuple[str, list[Cell]]] = field(default_factory=list)

    @property
    def view_box(self) -> str:
        return f"0 0 {_r(self.width)} {_r(self.height)}"


def _r(x: float) -> float | int:
    """Coordinates rounded for the markup (2 decimals, integers without a dot)."""
    y = round(x, 2)
    return int(y) if y == int(y) else y


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    return len(text) * 0.62 * size


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def wrap_label(text: str, max_chars: int, max_lines: int) -> list[str]:
    """Words into lines of at most `max_chars` (a longer word is cut), at most `max_lines` lines;
    what does not fit ends in "…"."""
    words = " ".join(text.split()).split(" ") if text.strip() else [""]
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > max_chars:  # a word longer than a line: cut it
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:max_chars])
            word = word[max_chars:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= max_chars:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        lines[-1] = (last[: max_chars - 1].rstrip() if len(last) >= max_chars else last) + "…"
    return lines


def _wraps_cleanly(text: str, max_chars: int, max_lines: int) -> bool:
    """True when the words fit in the lines whole: nothing cut, nothing left out."""
    words = text.split()
    return all(len(w) <= max_chars for w in words) and " ".join(wrap_label(text, max_chars, max_lines)) == " ".join(
        words
    )


def _pattern_marks(pattern: str) -> list[PatternMark]:
    diagonal = "M-2,2 L2,-2 M0,8 L8,0 M6,10 L10,6"
    reverse = "M-2,6 L2,10 M0,0 L8,8 M6,-2 L10,2"
    return {
        "solid": [],
        "diagonal": [PatternMark("path", d=diagonal)],
        "dots": [PatternMark("dot", cx=2, cy=2), PatternMark("dot", cx=6, cy=6)],
        "crosshatch": [PatternMark("path", d=diagonal), PatternMark("path", d=reverse)],
        "horizontal": [PatternMark("path", d="M0,4 L8,4")],
        "reverse-diagonal": [PatternMark("path", d=reverse)],
        "grid": [PatternMark("path", d="M0,4 L8,4 M4,0 L4,8")],
        "vertical": [PatternMark("path", d="M4,0 L4,8")],
    }[pattern]


def marker_path(shape: str, x: float, y: float, size: float = 4.5) -> str:
    """The path of a point marker centred on (x, y)."""
    s = size
    if shape == "circle":
        return f"M{_r(x - s)},{_r(y)} a{s},{s} 0 1,0 {_r(2 * s)},0 a{s},{s} 0 1,0 {_r(-2 * s)},0 Z"
    if shape == "square":
        t = s * 0.85
        return f"M{_r(x - t)},{_r(y - t)} H{_r(x + t)} V{_r(y + t)} H{_r(x - t)} Z"
    if shape == "triangle":
        return f"M{_r(x)},{_r(y - s * 1.1)} L{_r(x + s)},{_r(y + s * 0.8)} L{_r(x - s)},{_r(y + s * 0.8)} Z"
    if shape == "triangle-down":
        return f"M{_r(x)},{_r(y + s * 1.1)} L{_r(x + s)},{_r(y - s * 0.8)} L{_r(x - s)},{_r(y - s * 0.8)} Z"
    if shape == "diamond":
        return f"M{_r(x)},{_r(y - s * 1.2)} L{_r(x + s)},{_r(y)} L{_r(x)},{_r(y + s * 1.2)} L{_r(x - s)},{_r(y)} Z"
    if shape == "cross":  # an X made of a thick outline
        a, b = s, s * 0.35
        pts = [
            (-a, -a + b),
            (-a + b, -a),
            (0, -b),
            (a - b, -a),
            (a, -a + b),
            (b, 0),
            (a, a - b),
            (a - b, a),
            (0, b),
            (-a + b, a),
            (-a, a - b),
            (-b, 0),
        ]
        return "M" + " L".join(f"{_r(x + px)},{_r(y + py)}" for px, py in pts) + " Z"
    if shape == "plus":
        a, b = s, s * 0.4
        pts = [
            (-b, -a),
            (b, -a),
            (b, -b),
            (a, -b),
            (a, b),
            (b, b),
            (b, a),
            (-b, a),
            (-b, b),
            (-a, b),
            (-a, -b),
            (-b, -b),
        ]
        return "M" + " L".join(f"{_r(x + px)},{_r(y + py)}" for px, py in pts) + " Z"
    # "bar": a wide flat rectangle
    return f"M{_r(x - s)},{_r(y - s * 0.45)} H{_r(x + s)} V{_r(y + s * 0.45)} H{_r(x - s)} Z"


def series_styles(chart: Chart) -> list[SeriesStyle]:
    """Colour, pattern, dash and marker of each series; ids derive from the chart key."""
    styles = []
    for i, s in enumerate(chart.series):
        cycle = i // len(PALETTE)  # past 8 series the colours repeat, shifted against the patterns
        pattern = PATTERNS[(i + cycle) % len(PATTERNS)]
        marker = MARKERS[(i + cycle) % len(MARKERS)]
        styles.append(
            SeriesStyle(
                index=i,
                name=s.name,
                colour=PALETTE[i % len(PALETTE)],
                pattern=pattern,
                pattern_id=f"{chart.key}-pattern-{i}",
                marks=_pattern_marks(pattern),
                dash=DASHES[(i + 2 * cycle) % len(DASHES)],
                marker=marker,
                legend_marker=marker_path(marker, 16, 8, 4),
            )
        )
    return styles


def _table(chart: Chart, locale: str) -> tuple[list[str], list[tuple[str, list[Cell]]]]:
    header = [_category_heading(chart)] + [_heading(s.name, chart.unit) for s in chart.series]
    rows = []
    for i, category in enumerate(chart.categories):
        cells = []
        for s in chart.series:
            value = _number(s.values[i])
            cells.append(Cell(format_number(value, chart.decimals, locale), value is None))
        rows.append((category, cells))
    return header, rows


def _value_domain(chart: Chart) -> tuple[float, float]:
    values = [v for s in chart.series for v in (_number(x) for x in s.values) if v is not None]
    if chart.kind == "stacked":
        highs, lows = [0.0], [0.0]
        for i in range(len(chart.categories)):
            column = [_number(s.values[i]) for s in chart.series]
            highs.append(sum(v for v in column if v is not None and v > 0))
            lows.append(sum(v for v in column if v is not None and v < 0))
        return min(lows), max(highs)
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    if chart.kind == "line" and ((low > 0 and low > high / 2) or (high < 0 and high < low / 2)):
        return low, high  # a line far from zero: show its own range
    return min(0.0, low), max(0.0, high)


def layout(chart: Chart, locale: str | None = None) -> Layout:
    """Plain geometry for the template: viewBox, plot area, ticks, category labels,
    bars (bar, hbar, stacked) or lines (line), series styles and the table's cells."""
    locale = locale or _current_locale()
    low, high = _value_domain(chart)
    ticks = nice_ticks(low, high, target=5, integer=chart.decimals == 0)
    tick_decimals = max(_step_decimals(ticks[1] - ticks[0]) if len(ticks) > 1 else 0, 0)
    tick_labels = [format_number(t, tick_decimals, locale) for t in ticks]
    header, rows = _table(chart, locale)
    styles = series_styles(chart)
    unit_shown = unit_label(chart.unit)
    if chart.kind == "hbar":
        result = _layout_horizontal(chart, ticks, tick_labels, locale)
    else:
        result = _layout_vertical(chart, ticks, tick_labels, locale)
    result.unit_label = unit_shown
    result.styles, result.header, result.rows = styles, header, rows
    return result


def _layout_vertical(chart: Chart, ticks: list[float], tick_labels: list[str], locale: str) -> Layout:
    n = max(len(chart.categories), 1)
    top = 30.0
    left = max(_text_width(t) for t in tick_labels) + 14
    right = 12.0
    # Category labels: one line if they fit, else two wrapped lines, else rotated and shortened.
    band = (WIDTH - left - right) / n
    names = [" ".join(c.split()) for c in chart.categories]
    max_chars_band = max(int((band - 6) / _CHAR_WIDTH), 1)
    mode = "flat"
    wrapped = [[name] for name in names]
    if any(len(name) > max_chars_band for name in names):
        wrapped = [wrap_label(name, max_chars_band, 3) for name in names]
        fits = max_chars_band >= 4 and all(_wraps_cleanly(name, max_chars_band, 3) for name in names)
        mode = "wrapped" if fits else "rotated"
    if mode == "rotated":
        short = [_shorten(name, MAX_LABEL_CHARS) for name in names]
        reach = [_text_width(s) * 0.7071 for s in short]
        for _ in range(2):  # the first labels reach left of the plot: make room
            band = (WIDTH - left - right) / n
            needed = max(r - (i + 0.5) * band for i, r in enumerate(reach)) + 6
            left = max(left, needed)
        bottom = max(reach) + FONT_SIZE + 14
    else:
        bottom = LINE_HEIGHT * (max(len(lines) for lines in wrapped) - 1) + FONT_SIZE + 16.0
    plot_left, plot_right = left, WIDTH - right
    plot_top, plot_bottom = top, top + PLOT_HEIGHT
    band = (plot_right - plot_left) / n
    low, high = ticks[0], ticks[-1]

    def y_of(v: float) -> float:
        return plot_bottom - (v - low) / (high - low) * (plot_bottom - plot_top)

    baseline = y_of(min(max(0.0, low), high))
    tick_list = [Tick(_r(y_of(t)), label, t == 0) for t, label in zip(ticks, tick_labels, strict=False)]

    labels = []
    for i, name in enumerate(names):
        cx = plot_left + (i + 0.5) * band
        if mode == "rotated":
            ly = plot_bottom + FONT_SIZE + 4
            labels.append(
                CategoryLabel(
                    _r(cx + 4),
                    _r(ly),
                    [_shorten(name, MAX_LABEL_CHARS)],
                    "end",
                    f"rotate(-45 {_r(cx + 4)} {_r(ly)})",
                    name,
                )
            )
        else:
            labels.append(CategoryLabel(_r(cx), _r(plot_bottom + FONT_SIZE + 6), wrapped[i], "middle", "", name))

    result = Layout(
        kind=chart.kind,
        width=WIDTH,
        height=_r(plot_bottom + bottom),
        plot_left=_r(plot_left),
        plot_top=_r(plot_top),
        plot_right=_r(plot_right),
        plot_bottom=_r(plot_bottom),
        baseline=_r(baseline),
        ticks=tick_list,
        unit_label="",
        unit_x=4,
        unit_y=14,
        categories=labels,
    )
    k = len(chart.series)
    if chart.kind == "bar":
        group = band * 0.8
        width = group / max(k, 1)
        bars = []
        for j, s in enumerate(chart.series):
            for i in range(len(chart.categories)):
                v = _number(s.values[i])
                x = plot_left + i * band + band * 0.1 + j * width
                if v is None:
                    continue
                y_end = y_of(v)
                y, h = min(y_end, baseline), abs(y_end - baseline)
                label = format_number(v, chart.decimals, locale)
                label_y = y - 4 if v >= 0 else y + h + FONT_SIZE
                bars.append(
                    Bar(
                        j,
                        i,
                        _r(x + 1),
                        _r(y),
                        _r(max(width - 2, 1)),
                        _r(h),
                        v,
                        label,
                        _r(x + width / 2),
                        _r(label_y),
                        "middle",
                    )
                )
        if not all(_text_width(b.label, FONT_SIZE - 1) <= width + 2 for b in bars):
            for b in bars:
                b.label = ""
        result.bars = bars
    elif chart.kind == "stacked":
        width = band * 0.6
        bars, totals = [], []
        for i in range(len(chart.categories)):
            x = plot_left + i * band + band * 0.2
            up = down = 0.0
            any_value = False
            for j, s in enumerate(chart.series):
                v = _number(s.values[i])
                if v is None:
                    continue
                any_value = True
                start = up if v >= 0 else down
                end = start + v
                if v >= 0:
                    up = end
                else:
                    down = end
                y0, y1 = y_of(start), y_of(end)
                bars.append(Bar(j, i, _r(x), _r(min(y0, y1)), _r(width), _r(abs(y1 - y0)), v))
            if any_value:
                total = up + down
                label = format_number(total, chart.decimals, locale)
                totals.append(
                    Bar(
                        -1,
                        i,
                        _r(x),
                        _r(y_of(up)),
                        _r(width),
                        0,
                        total,
                        label,
                        _r(x + width / 2),
                        _r(y_of(up) - 4 if up > 0 or down == 0 else y_of(down) + FONT_SIZE),
                        "middle",
                    )
                )
        if not all(_text_width(t.label, FONT_SIZE - 1) <= band - 2 for t in totals):
            for t in totals:
                t.label = ""
        result.bars, result.totals = bars, totals
    else:  # line
        lines = []
        label_points = k == 1 and n <= 12
        shapes = [style.marker for style in series_styles(chart)]
        for j, s in enumerate(chart.series):
            shape = shapes[j]
            segments, current, points = [], [], []
            for i in range(len(chart.categories)):
                v = _number(s.values[i])
                if v is None:
                    if len(current) > 1:
                        segments.append(" ".join(current))
                    current = []
                    continue
                x, y = plot_left + (i + 0.5) * band, y_of(v)
                current.append(f"{_r(x)},{_r(y)}")
                points.append(
                    Point(
                        _r(x),
                        _r(y),
                        marker_path(shape, x, y),
                        format_number(v, chart.decimals, locale) if label_points else "",
                    )
                )
            if len(current) > 1:
                segments.append(" ".join(current))
            lines.append(Line(j, segments, points))
        if label_points and not all(_text_width(p.label, FONT_SIZE - 1) <= band - 2 for ln in lines for p in ln.points):
            for ln in lines:
                for p in ln.points:
                    p.label = ""
        result.lines = lines
    return result


def _layout_horizontal(chart: Chart, ticks: list[float], tick_labels: list[str], locale: str) -> Layout:
    n = max(len(chart.categories), 1)
    k = max(len(chart.series), 1)
    max_chars = 28
    wrapped = [wrap_label(c, max_chars, 3) for c in chart.categories]
    label_width = max([_text_width(line) for lines in wrapped for line in lines] + [0])
    max_lines = max([len(lines) for lines in wrapped] + [1])
    value_labels = [format_number(_number(v), chart.decimals, locale) for s in chart.series for v in s.values]
    left = label_width + 12
    right = max([_text_width(v, FONT_SIZE - 1) for v in value_labels] + [_text_width(tick_labels[-1]) / 2]) + 10
    bar_height = 16.0 if k == 1 else max(10.0, 14.0 - k)
    band = max(k * bar_height + 12, max_lines * LINE_HEIGHT + 10)
    top = 30.0
    plot_left, plot_right = left, WIDTH - right
    plot_top = top
    plot_bottom = top + n * band
    low, high = ticks[0], ticks[-1]
    # Negative values: leave room for their labels left of the bars.
    neg_room = max(
        [
            _text_width(format_number(_number(v), chart.decimals, locale), FONT_SIZE - 1)
            for s in chart.series
            for v in s.values
            if (_number(v) or 0) < 0
        ]
        + [0]
    )
    plot_left += neg_room + (6 if neg_room else 0)

    def x_of(v: float) -> float:
        return plot_left + (v - low) / (high - low) * (plot_right - plot_left)

    baseline = x_of(min(max(0.0, low), high))
    tick_list = [Tick(_r(x_of(t)), label, t == 0) for t, label in zip(ticks, tick_labels, strict=False)]
    labels = []
    for i, lines in enumerate(wrapped):
        cy = plot_top + (i + 0.5) * band
        first = cy - (len(lines) - 1) * LINE_HEIGHT / 2 + FONT_SIZE * 0.35
        labels.append(
            CategoryLabel(
                _r(plot_left - 8 - (neg_room + 6 if neg_room else 0)), _r(first), lines, "end", "", chart.categories[i]
            )
        )
    bars = []
    for j, s in enumerate(chart.series):
        for i in range(len(chart.categories)):
            v = _number(s.values[i])
            if v is None:
                continue
            y = plot_top + i * band + (band - k * bar_height) / 2 + j * bar_height
            x_end = x_of(v)
            x, w = min(x_end, baseline), abs(x_end - baseline)
            label = format_number(v, chart.decimals, locale)
            if v >= 0:
                lx, anchor = x + w + 4, "start"
            else:
                lx, anchor = x - 4, "end"
            bars.append(
                Bar(
                    j,
                    i,
                    _r(x),
                    _r(y + 1),
                    _r(w),
                    _r(bar_height - 2),
                    v,
                    label,
                    _r(lx),
                    _r(y + bar_height / 2 + FONT_SIZE * 0.35),
                    anchor,
                )
            )
    return Layout(
        kind="hbar",
        width=WIDTH,
        height=_r(plot_bottom + FONT_SIZE + 16),
        plot_left=_r(plot_left),
        plot_top=_r(plot_top),
        plot_right=_r(plot_right),
        plot_bottom=_r(plot_bottom),
        baseline=_r(baseline),
        ticks=tick_list,
        unit_label="",
        unit_x=4,
        unit_y=14,
        categories=labels,
        bars=bars,
    )
