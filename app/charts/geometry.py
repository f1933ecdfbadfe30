"""What the template draws: plain geometry, label text and wrapping, markers and series styles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.charts.colours import DASHES, MARKERS, PALETTE, PATTERNS

if TYPE_CHECKING:
    from app.charts.data import Chart


FONT_SIZE = 12
LINE_HEIGHT = 14  # between the lines of a wrapped label (the template's tspan dy)
_CHAR_WIDTH = 0.62 * FONT_SIZE  # a generous average glyph width of a sans-serif face
WIDTH = 640
PLOT_HEIGHT = 240
MAX_LABEL_CHARS = 30  # longer category labels are shortened in the SVG (the table has them in full)


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
