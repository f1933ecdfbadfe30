"""app/charts/ and templates/_charts.html: server-drawn, accessible SVG charts."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from flask import Flask, render_template_string

from app import create_app
from app.charts import (
    BACKGROUND,
    DASHES,
    GRID_COLOUR,
    MARKERS,
    MUTED_TEXT_COLOUR,
    PALETTE,
    PATTERNS,
    TEXT_COLOUR,
    Chart,
    Series,
    chart_csv_response,
    contrast,
    csv_rows,
    format_number,
    layout,
    nice_step,
    nice_ticks,
    plain_number,
    wrap_label,
)
from config import TestConfig
from tests.support import PROJECT_ROOT

NBSP = "\u00a0"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def chart_app() -> Flask:
    """An app for rendering only: the charts need no database."""
    return create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")


def render(app: Flask, *charts: Chart, csv_url: str | None = "/figures/x.csv", lang: str = "en") -> str:
    source = '{% from "_charts.html" import chart %}{% for c in charts %}{{ chart(c, csv_url) }}{% endfor %}'
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        return render_template_string(source, charts=charts, csv_url=csv_url)


def bar_chart(values=(10, 20, 40), key="orders", kind="bar", **kwargs) -> Chart:
    categories = kwargs.pop("categories", [f"C{i}" for i in range(len(values))])
    return Chart(
        key=key,
        title="Orders",
        description="Orders grew.",
        kind=kind,
        categories=categories,
        series=[Series("Orders", list(values))],
        **kwargs,
    )


def two_series(kind="bar", key="spend") -> Chart:
    return Chart(
        key=key,
        title="Spending by year",
        description="Spending grew in every city.",
        kind=kind,
        categories=["Helsinki", "Espoo", "Vantaa"],
        series=[Series("2025", [1200.5, 800, None]), Series("2026", [1500, 0, 300])],
        unit="€",
        decimals=1,
        category_label="Municipality",
    )


class _Elements(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]


# ---------------------------------------------------------------------------
# Nice ticks


@pytest.mark.parametrize(
    "low, high, expected",
    [
        (0, 87, [0, 20, 40, 60, 80, 100]),
        (0, 100, [0, 20, 40, 60, 80, 100]),
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (0, 0.37, [0, 0.1, 0.2, 0.3, 0.4]),
        (0, 9, [0, 2, 4, 6, 8, 10]),
        (-30, 45, [-40, -20, 0, 20, 40, 60]),
        (95, 99, [95, 96, 97, 98, 99]),
        (0, 0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    ],
)
def test_nice_ticks(low, high, expected) -> None:
    assert nice_ticks(low, high) == pytest.approx(expected)


@pytest.mark.parametrize(
    "low, high",
    [
        (0, 1),
        (0, 7),
        (0, 13.2),
        (0, 87),
        (0, 1234567),
        (-0.004, 0.013),
        (-5000, 150000),
        (3, 3),
        (-7, -7),
        (12.5, 12.75),
        (0, 1e-7),
    ],
)
def test_nice_ticks_cover_the_range_with_round_even_steps(low, high) -> None:
    ticks = nice_ticks(low, high)
    assert ticks[0] <= min(low, high) and ticks[-1] >= max(low, high)
    assert 2 <= len(ticks) <= 11
    steps = {round(b - a, 12) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1, steps  # evenly spaced
    step = steps.pop()
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1, 2, 5, 10)
    assert all(repr(t) == repr(round(t, 10)) for t in ticks), ticks  # no 0.30000000000000004


def test_nice_ticks_are_zero_based_when_asked_and_integer_for_counts() -> None:
    assert nice_ticks(0, 3, integer=True) == [0, 1, 2, 3]
    assert nice_ticks(5, 5) == pytest.approx([0, 1, 2, 3, 4, 5])  # one value: the axis starts at 0
    assert nice_step(87) == 20 and nice_step(0.37) == pytest.approx(0.1) and nice_step(0) == 1


def test_bar_axis_starts_at_zero() -> None:
    result = layout(bar_chart([50, 60, 70]))
    assert next(t.label for t in result.ticks) == "0"
    assert result.baseline == result.plot_bottom


def test_line_axis_far_from_zero_shows_its_own_range() -> None:
    chart = bar_chart([95.5, 97, 98.2], kind="line", decimals=1, unit="%")
    result = layout(chart, "en")
    assert [t.label for t in result.ticks] == ["95", "96", "97", "98", "99"]
    near_zero = layout(bar_chart([3, 10, 12], kind="line"), "en")
    assert near_zero.ticks[0].label == "0"


# ---------------------------------------------------------------------------
# Geometry


def test_bar_heights_are_proportional_to_values() -> None:
    result = layout(bar_chart([10, 20, 40]))
    heights = [b.height for b in result.bars]
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.02)
    assert heights[2] == pytest.approx(4 * heights[0], abs=0.02)
    scale = (result.plot_bottom - result.plot_top) / 40  # ticks 0..40
    assert heights[0] == pytest.approx(10 * scale, abs=0.02)
    for bar in result.bars:  # standing on the baseline, inside the plot
        assert bar.y + bar.height == pytest.approx(result.baseline, abs=0.02)
        assert result.plot_left <= bar.x and bar.x + bar.width <= result.plot_right
    xs = [b.x for b in result.bars]
    assert xs == sorted(xs)


def test_grouped_bars_do_not_overlap() -> None:
    result = layout(two_series())
    by_category = {}
    for bar in result.bars:
        by_category.setdefault(bar.category, []).append(bar)
    for bars in by_category.values():
        bars.sort(key=lambda b: b.x)
        for a, b in itertools.pairwise(bars):
            assert a.x + a.width <= b.x


def test_hbar_widths_are_proportional_and_labels_wrap() -> None:
    long = "Learning materials and digital textbooks for upper secondary school and vocational training"
    chart = bar_chart([5, 10, 20], kind="hbar", categories=[long, "Assessment", "Other"])
    result = layout(chart, "en")
    widths = [b.width for b in result.bars]
    assert widths[1] == pytest.approx(2 * widths[0], abs=0.02)
    assert widths[2] == pytest.approx(4 * widths[0], abs=0.02)
    assert all(b.x == result.baseline for b in result.bars)
    first = result.categories[0]
    assert 1 < len(first.lines) <= 3 and first.lines[-1].endswith("…") and first.full == long
    assert all(len(line) <= 28 for line in first.lines)
    assert result.categories[1].lines == ["Assessment"]
    assert result.plot_left > max(len(line) for line in first.lines) * 6  # room for the labels
    assert [b.label for b in result.bars] == ["5", "10", "20"]


def test_stacked_bars_stack() -> None:
    chart = Chart("s", "T", "D", "stacked", ["a", "b"], [Series("x", [10, 5]), Series("y", [30, None])])
    result = layout(chart, "en")
    a = [b for b in result.bars if b.category == 0]
    assert [b.series for b in a] == [0, 1]
    assert a[0].y + a[0].height == pytest.approx(result.baseline)  # first on the baseline
    assert a[1].y + a[1].height == pytest.approx(a[0].y)  # the second on top of it
    assert a[1].height == pytest.approx(3 * a[0].height, abs=0.02)
    assert [t.label for t in result.totals] == ["40", "5"]
    assert result.ticks[-1].label == "40"


def test_negative_none_and_zero_values() -> None:
    chart = bar_chart([-10, None, 0, 30, float("nan")])
    result = layout(chart, "en")
    assert [b.category for b in result.bars] == [0, 2, 3]  # None and NaN are gaps
    negative, zero, positive = result.bars
    assert negative.y == pytest.approx(result.baseline) and negative.height > 0  # hangs below zero
    assert zero.height == 0
    assert positive.y + positive.height == pytest.approx(result.baseline)
    assert result.plot_top < result.baseline < result.plot_bottom
    assert negative.label_y > negative.y + negative.height  # its label sits below it
    assert result.rows[1][1][0].missing and result.rows[1][1][0].text == ""


@pytest.mark.parametrize("kind", ["bar", "hbar", "line", "stacked"])
@pytest.mark.parametrize(
    "values",
    [
        [-5, -20, -1],
        [None, None, 3],
        [0, 0, 0],
        [None, None, None],
        [1e9, 2.5e9, 1],
        [0.001, 0.002, 0.0005],
        [-3, 7, None],
    ],
)
def test_every_kind_lays_out_awkward_values(chart_app, kind, values) -> None:
    chart = Chart(
        "k", "T", "D", kind, ["a", "b", "c"], [Series("x", values), Series("y", list(reversed(values)))], decimals=3
    )
    result = layout(chart, "fi")
    numbers = [result.width, result.height, result.baseline] + [t.pos for t in result.ticks]
    numbers += [v for b in result.bars for v in (b.x, b.y, b.width, b.height)]
    assert all(math.isfinite(n) for n in numbers)
    assert all(b.height >= 0 and b.width >= 0 for b in result.bars)
    html = render(chart_app, chart)
    assert not re.search(r"\b(nan|inf)\b", html, re.I)


def test_line_breaks_at_missing_values_and_series_differ() -> None:
    chart = Chart(
        "l",
        "T",
        "D",
        "line",
        ["a", "b", "c", "d", "e"],
        [Series("x", [1, 2, None, 4, 5]), Series("y", [None, 2, None, 3, None]), Series("z", [1, 1, 1, 1, 1])],
    )
    result = layout(chart, "en")
    x, y, z = result.lines
    assert len(x.segments) == 2 and len(x.points) == 4
    assert y.segments == [] and len(y.points) == 2  # lone points: markers only
    assert len(z.segments) == 1 and len(z.segments[0].split()) == 5
    assert len({s.dash for s in result.styles}) == 3
    assert len({s.marker for s in result.styles}) == 3
    assert len({p.marker for p in x.points}) == 4  # a marker drawn at each point


def test_long_vertical_labels_are_rotated_and_shortened() -> None:
    categories = [f"Municipality of Somewhere-with-a-very-long-name {i}" for i in range(12)]
    result = layout(bar_chart(list(range(1, 13)), categories=categories), "en")
    assert all(c.transform.startswith("rotate(-45") for c in result.categories)
    assert all(len(c.lines[0]) <= 30 and c.lines[0].endswith("…") for c in result.categories)
    assert result.height > 300  # room below for the rotated labels
    assert min(c.x - len(c.lines[0]) * 7.44 * 0.7071 for c in result.categories) >= 0


def test_medium_labels_wrap_under_their_bars() -> None:
    result = layout(bar_chart([1, 2, 3], categories=["Applications received", "Listings published", "Orders"]), "en")
    assert not any(c.transform for c in result.categories)
    assert all(len(c.lines) <= 3 for c in result.categories)


def test_wrap_label() -> None:
    assert wrap_label("one two three", 7, 3) == ["one two", "three"]
    assert wrap_label("abcdefghij", 4, 3) == ["abcd", "efgh", "ij"]
    assert wrap_label("a b c d e f g h", 3, 2) == ["a b", "c…"]
    assert wrap_label("aaa bbb ccc", 9, 1) == ["aaa bbb…"]
    assert wrap_label("", 5, 2) == [""]


def test_value_labels_are_dropped_when_they_do_not_fit() -> None:
    wide = layout(bar_chart([1, 2, 3]), "en")
    assert [b.label for b in wide.bars] == ["1", "2", "3"]
    crowded = layout(bar_chart([1234567.5] * 30, decimals=1), "en")
    assert all(b.label == "" for b in crowded.bars)


def test_ids_derive_from_the_key_and_patterns_differ() -> None:
    chart = Chart("k1", "T", "D", "bar", ["a"], [Series(str(i), [i + 1]) for i in range(10)])
    styles = layout(chart, "en").styles
    assert [s.pattern_id for s in styles] == [f"k1-pattern-{i}" for i in range(10)]
    assert len({s.pattern for s in styles[: len(PATTERNS)]}) == len(PATTERNS)
    assert len({(s.pattern, s.colour) for s in styles}) == 10  # past 8, still no two alike
    assert len(set(DASHES)) == len(DASHES) and len(set(MARKERS)) == len(MARKERS)


def test_chart_checks_its_data() -> None:
    with pytest.raises(ValueError):
        Chart('x" onload="alert(1)', "T", "D", "bar", ["a"], [Series("s", [1])])
    with pytest.raises(ValueError):
        Chart("x", "T", "D", "pie", ["a"], [Series("s", [1])])
    with pytest.raises(ValueError):
        Chart("x", "T", "D", "bar", ["a", "b"], [Series("s", [1])])


def test_is_empty() -> None:
    assert Chart("e", "T", "D", "bar", ["a"], []).is_empty()
    assert Chart("e", "T", "D", "bar", [], [Series("s", [])]).is_empty()
    assert Chart("e", "T", "D", "bar", ["a", "b"], [Series("s", [None, 0])]).is_empty()
    assert Chart("e", "T", "D", "bar", ["a", "b"], [Series("s", [0.0, float("nan")])]).is_empty()
    assert not Chart("e", "T", "D", "bar", ["a", "b"], [Series("s", [None, -1])]).is_empty()
    assert not Chart("e", "T", "D", "line", ["a"], [Series("s", [0]), Series("t", [0.5])]).is_empty()


# ---------------------------------------------------------------------------
# Numbers and CSV


def test_numbers_follow_the_locale() -> None:
    assert format_number(1234567.25, 1, "fi") == f"1{NBSP}234{NBSP}567,3"
    assert format_number(1234567.25, 1, "en") == "1,234,567.3"
    assert format_number(1234567.25, 1, "sv") == f"1{NBSP}234{NBSP}567,3"
    assert format_number(2.5, 0, "en") == "3"  # half up, as people round
    assert format_number(-0.01, 1, "en") == "0.0"  # never "-0"
    assert format_number(None, 2, "en") == ""


def test_plain_numbers_for_csv() -> None:
    assert plain_number(1234567.25, 1) == "1234567.3"
    assert plain_number(-5, 0) == "-5"
    assert plain_number(0.1 + 0.2, 2) == "0.30"
    assert plain_number(None, 2) == ""
    assert plain_number(-0.001, 1) == "0.0"


def test_csv_rows(chart_app) -> None:
    with chart_app.test_request_context("/", headers={"Accept-Language": "en"}):
        header, rows = csv_rows(two_series())
    assert header == ["Municipality", "2025 (€)", "2026 (€)"]
    assert rows == [["Helsinki", "1200.5", "1500.0"], ["Espoo", "800.0", "0.0"], ["Vantaa", "", "300.0"]]
    header, rows = csv_rows(bar_chart([1000000, None], unit="d"))
    assert header == ["Category", "Orders (days)"] and rows == [["C0", "1000000"], ["C1", ""]]


def test_chart_csv_response(chart_app) -> None:
    chart = Chart(
        "orders-2026",
        "T",
        "D",
        "bar",
        ["=cmd()", "Espoo"],
        [Series("Orders", [1234.5, None])],
        decimals=1,
        category_label="Municipality",
    )
    with chart_app.test_request_context("/", headers={"Accept-Language": "fi"}):
        response = chart_csv_response(chart)
    assert response.mimetype == "text/csv"
    assert 'filename="orders-2026.csv"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.splitlines() == ["\ufeffMunicipality,Orders", "'=cmd(),1234.5", "Espoo,"]


# ---------------------------------------------------------------------------
# Colours


def test_contrast_function() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast("#767676", "#fff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#00427a", "#ffffff") == contrast("#ffffff", "#00427a")


def test_palette_and_text_contrast() -> None:
    for colour in PALETTE:
        assert contrast(colour, BACKGROUND) >= 3, colour  # WCAG 1.4.11 graphical objects
    assert len(set(PALETTE)) == len(PALETTE)
    assert contrast(TEXT_COLOUR, BACKGROUND) >= 4.5
    assert contrast(MUTED_TEXT_COLOUR, BACKGROUND) >= 4.5
    assert GRID_COLOUR not in PALETTE  # the grid is decoration; the tick labels carry the values


def test_the_rendered_colours_have_enough_contrast(chart_app) -> None:
    html = render(
        chart_app,
        two_series("bar"),
        two_series("line", key="line"),
        two_series("stacked", key="st"),
        two_series("hbar", key="h"),
    )
    elements = _Elements(html)
    categories = re.search(r'<g class="chart-categories" fill="(#\w+)"', html).group(1)
    assert contrast(categories, BACKGROUND) >= 4.5
    for attrs in elements.all("text"):  # the category labels take their group's fill
        assert contrast(attrs.get("fill", categories), BACKGROUND) >= 4.5, attrs
    for tag in ("rect", "polyline", "path"):
        for attrs in elements.all(tag):
            for colour in (attrs.get("fill", ""), attrs.get("stroke", "")):
                if colour.startswith("#") and colour != "#ffffff":
                    assert contrast(colour, BACKGROUND) >= 3, (tag, attrs)


# ---------------------------------------------------------------------------
# The macro


def test_rendered_chart_is_accessible_markup(chart_app) -> None:
    chart = two_series()
    html = render(chart_app, chart, csv_url="/dashboards/spend.csv")
    elements = _Elements(html)
    svg = elements.all("svg")
    main = [s for s in svg if s.get("role") == "img"]
    assert len(main) == 1
    assert main[0]["aria-labelledby"] == "spend-title spend-desc"
    assert main[0]["width"] == "100%" and main[0]["viewbox"].startswith("0 0 ")
    assert '<title id="spend-title">Spending by year</title>' in html
    assert '<desc id="spend-desc">Spending grew in every city.</desc>' in html
    assert '<h2 class="chart-title">Spending by year</h2>' in html
    # the legend's swatches are decoration; its names are text
    assert all(s.get("aria-hidden") == "true" for s in svg if s.get("role") != "img")
    assert re.search(r'<ul class="chart-legend">.*2025.*2026.*</ul>', html, re.S)
    # one pattern per series, each used
    patterns = [p["id"] for p in elements.all("pattern")]
    assert patterns == ["spend-pattern-0", "spend-pattern-1"]
    for pattern_id in patterns:
        assert f'fill="url(#{pattern_id})"' in html
    # the figures as a table, in a details, with every value
    assert "<summary>Show the figures as a table</summary>" in html
    assert "<caption>Spending by year</caption>" in html
    assert '<th scope="col">Municipality</th>' in html
    assert '<th scope="col" class="num">2025 (€)</th>' in html
    assert '<th scope="row">Helsinki</th>' in html
    cells = re.findall(r'<td class="num">(.*?)</td>', html)
    assert cells == [
        "1,200.5",
        "1,500.0",
        "800.0",
        "0.0",
        '<span aria-hidden="true">–</span><span class="visually-hidden">no data</span>',
        "300.0",
    ]
    assert '<a href="/dashboards/spend.csv" download>Download the figures as CSV</a>' in html
    # nothing the CSP would block
    assert "style=" not in html and "<style" not in html and "<script" not in html
    assert not re.search(r"\son\w+=", html)


def test_locale_formats_table_and_labels(chart_app) -> None:
    chart = bar_chart([1234567.5, 2000000], decimals=1)
    html = render(chart_app, chart, lang="fi")
    assert f"1{NBSP}234{NBSP}567,5" in html
    assert "1,234,567.5" not in html
    english = render(chart_app, chart, lang="en")
    assert "1,234,567.5" in english


def test_two_charts_on_a_page_have_unique_ids(chart_app) -> None:
    html = render(
        chart_app,
        two_series(key="a"),
        two_series("line", key="b"),
        two_series("hbar", key="c"),
        two_series("stacked", key="d"),
    )
    ids = [attrs["id"] for _, attrs in _Elements(html).tags if "id" in attrs]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates
    referenced = (
        re.findall(r"url\(#([\w-]+)\)", html) + " ".join(re.findall(r'aria-labelledby="([^"]+)"', html)).split()
    )
    assert set(referenced) <= set(ids)  # every reference resolves
    assert html.count('role="img"') == 4


def test_hostile_labels_are_escaped(chart_app) -> None:
    chart = Chart(
        "x",
        HOSTILE,
        HOSTILE,
        "bar",
        [HOSTILE, "ok"],
        [Series(HOSTILE, [1, 2]), Series('"><b>', [3, 4])],
        unit="<i>",
        category_label=HOSTILE,
    )
    for kind in ("bar", "hbar", "line", "stacked"):
        html = render(chart_app, Chart(**{**chart.__dict__, "kind": kind}))
        assert "<script" not in html and "<b>" not in html and "<i>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&#34;&gt;&lt;b&gt;" in html


def test_empty_chart_shows_a_message(chart_app) -> None:
    chart = Chart("none", "Orders", "No orders.", "bar", ["a", "b"], [Series("s", [None, 0])])
    html = render(chart_app, chart, csv_url="/none.csv")
    assert "<svg" not in html and "<table" not in html
    assert '<h2 class="chart-title">Orders</h2>' in html
    assert '<p class="chart-empty">No figures yet.</p>' in html
    assert '<a href="/none.csv" download>Download the figures as CSV</a>' in html


def test_no_csv_link_without_a_url(chart_app) -> None:
    html = render(chart_app, bar_chart(), csv_url=None)
    assert "Download the figures as CSV" not in html


def test_line_chart_markup(chart_app) -> None:
    html = render(chart_app, two_series("line", key="trend"))
    elements = _Elements(html)
    lines = elements.all("polyline")
    assert lines and all(line["fill"] == "none" for line in lines)
    dashes = {line.get("stroke-dasharray", "") for line in lines}
    assert len(dashes) == 2  # solid and dashed
    assert len(elements.all("pattern")) == 2


def test_single_series_has_no_legend(chart_app) -> None:
    html = render(chart_app, bar_chart())
    assert "chart-legend" not in html
    assert html.count("<pattern ") == 1


def test_stylesheet_has_the_chart_rules() -> None:

    css = (PROJECT_ROOT / "app" / "static" / "css" / "app.css").read_text()
    assert ".chart-svg" in css and ".chart-legend" in css
