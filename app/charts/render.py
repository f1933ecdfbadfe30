"""The layout of each kind of chart: scales, ticks, bars, lines and category labels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.charts.geometry import (
    _CHAR_WIDTH,
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
    Point,
    Tick,
    _r,
    _shorten,
    _text_width,
    _wraps_cleanly,
    marker_path,
    series_styles,
    wrap_label,
)
from app.charts.numbers import (
    _category_heading,
    _current_locale,
    _heading,
    _number,
    _step_decimals,
    format_number,
    nice_ticks,
    unit_label,
)

if TYPE_CHECKING:
    from app.charts.data import Chart


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
