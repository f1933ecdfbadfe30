"""Every blueprint is in a fuzz group, and every route of the groups has a URL to fuzz."""

from __future__ import annotations

from tests.fuzz.groups import GROUPS, IGNORED
from tests.matrix import MATRIX


def test_every_blueprint_is_fuzzed(app):
    """A new blueprint must join a group (and so be fuzzed); every route of the groups has a matrix entry."""
    blueprints = {rule.endpoint.split(".", 1)[0] for rule in app.url_map.iter_rules()} - IGNORED
    ungrouped = sorted(blueprints - set().union(*GROUPS.values()))
    assert not ungrouped, f"blueprints in no fuzz group (add them to GROUPS): {ungrouped}"
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - IGNORED
    unknown = sorted(endpoints - set(MATRIX))
    assert not unknown, f"routes without an access-matrix entry, so without a URL to fuzz: {unknown}"
