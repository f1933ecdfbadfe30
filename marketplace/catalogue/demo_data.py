"""Demo content for the service catalogue: fictional Finnish edtech providers and their listings.

The providers, products and business IDs are invented for demonstrations and acceptance checks; any
resemblance to real companies or products is unintended. The business IDs (Y-tunnus) have valid check
digits. Prices are in euro cents excluding VAT, VAT rates in basis points (2550 = 25.5 %).

Scenario used by the acceptance check: searching "matematiikka" finds several mathematics services, of
which exactly three are for grades 7-9 and support MPASSid.

The data lives in demo_data.json next to this module (shipped as package data, pyproject.toml) and is
read once, on import. This module imports nothing from the application.
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["LISTINGS", "PROVIDERS"]

_DATA = json.loads(resources.files(__package__).joinpath("demo_data.json").read_text(encoding="utf-8"))

#: (provider key, legal name, Finnish business ID); in the JSON an object with those three keys.
PROVIDERS: list[tuple[str, str, str]] = [(p["key"], p["name"], p["business_id"]) for p in _DATA["providers"]]

#: One dict per listing, with its price plans under "plans"; the JSON objects as they are.
LISTINGS: list[dict] = _DATA["listings"]

del _DATA
