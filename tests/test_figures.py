"""The reliability report's figures add up when the suite runs in several processes.

docs/reliability.md quotes counts such as "route and role pairs checked"; with pytest-xdist each
worker counts its own share, and the controller must add the shares (and keep a note once)."""

from __future__ import annotations

import json

from tests import figures


def test_worker_counts_are_added_and_notes_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(figures, "_sections", {})
    monkeypatch.setattr(figures, "_counters", set())
    figures.count("access", "route and role pairs checked", 13)
    figures.note("access", "routes", 144)
    first = figures.export()

    monkeypatch.setattr(figures, "_sections", {})
    monkeypatch.setattr(figures, "_counters", set())
    figures.count("access", "route and role pairs checked", 26)
    figures.note("access", "routes", 144)
    figures.count("query", "requests sent", 5)
    second = figures.export()

    monkeypatch.setattr(figures, "_sections", {})
    monkeypatch.setattr(figures, "_counters", set())
    figures.merge(first)
    figures.merge(second)
    written = json.loads(figures.write(tmp_path).read_text(encoding="utf-8"))["sections"]
    assert written["access"] == {"route and role pairs checked": 39, "routes": 144}
    assert written["query"] == {"requests sent": 5}
