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

The package: `data` (Chart, Series), `colours` (palette, patterns, contrast),
`numbers` (formatting, ticks), `csvfile` (the CSV download), `geometry` (the
shapes the template draws, labels, markers, series styles) and `render`
(`layout()` of each kind of chart). Everything is importable from `app.charts`.
"""

from __future__ import annotations

from app.charts import colours, data, geometry, numbers, render
from app.charts.colours import (
    AXIS_COLOUR,
    BACKGROUND,
    DASHES,
    GRID_COLOUR,
    MARKERS,
    MUTED_TEXT_COLOUR,
    PALETTE,
    PATTERNS,
    TEXT_COLOUR,
    contrast,
)
from app.charts.csvfile import chart_csv_response, csv_rows
from app.charts.data import KINDS, Chart, Series
from app.charts.geometry import (
    FONT_SIZE,
    LINE_HEIGHT,
    MAX_LABEL_CHARS,
    PLOT_HEIGHT,
    WIDTH,
    Bar,
    CategoryLabel,
    Cell,
    Layout,
    Line,
    PatternMark,
    Point,
    SeriesStyle,
    Tick,
    marker_path,
    series_styles,
    wrap_label,
)
from app.charts.numbers import format_number, nice_step, nice_ticks, plain_number, unit_label
from app.charts.render import layout

# The private helpers as well, reachable from the package as they were from the single module.
_KEY = data._KEY
_CHAR_WIDTH = geometry._CHAR_WIDTH
_number = numbers._number
_luminance = colours._luminance
_clean = numbers._clean
_step_decimals = numbers._step_decimals
_current_locale = numbers._current_locale
_quantize = numbers._quantize
_heading = numbers._heading
_category_heading = numbers._category_heading
_r = geometry._r
_text_width = geometry._text_width
_shorten = geometry._shorten
_wraps_cleanly = geometry._wraps_cleanly
_pattern_marks = geometry._pattern_marks
_table = render._table
_value_domain = render._value_domain
_layout_vertical = render._layout_vertical
_layout_horizontal = render._layout_horizontal

__all__ = [
    "AXIS_COLOUR",
    "BACKGROUND",
    "DASHES",
    "FONT_SIZE",
    "GRID_COLOUR",
    "KINDS",
    "LINE_HEIGHT",
    "MARKERS",
    "MAX_LABEL_CHARS",
    "MUTED_TEXT_COLOUR",
    "PALETTE",
    "PATTERNS",
    "PLOT_HEIGHT",
    "TEXT_COLOUR",
    "WIDTH",
    "Bar",
    "CategoryLabel",
    "Cell",
    "Chart",
    "Layout",
    "Line",
    "PatternMark",
    "Point",
    "Series",
    "SeriesStyle",
    "Tick",
    "chart_csv_response",
    "contrast",
    "csv_rows",
    "format_number",
    "layout",
    "marker_path",
    "nice_step",
    "nice_ticks",
    "plain_number",
    "series_styles",
    "unit_label",
    "wrap_label",
]
