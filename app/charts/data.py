"""The data of a chart: its series and categories, checked when it is made."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.charts.geometry import Layout
from app.charts.numbers import _number
from app.charts.render import layout

KINDS = ("bar", "hbar", "line", "stacked")
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")


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
