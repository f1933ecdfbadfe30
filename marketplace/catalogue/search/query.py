"""A catalogue query: read from URL arguments, and turned back into them for shareable links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from app.params import parse_int
from app.security import MAX_ID
from marketplace.catalogue.vocab import FACETS

SORTS = ("relevance", "name", "newest", "price")
PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20
MAX_PAGE = 10_000
MAX_PRICE_EUR = Decimal(100_000_000)
MAX_WORDS = 10
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class CatalogueQuery:
    q: str = ""
    selected: dict[str, list[str]] = field(default_factory=dict)
    max_price_cents: int | None = None
    provider_id: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PAGE_SIZE

    @property
    def words(self) -> list[str]:
        return [w.casefold() for w in _WORD.findall(self.q)][:MAX_WORDS]

    def args(self, **overrides: Any) -> dict[str, Any]:
        """The query as URL arguments (a shareable link), with some replaced."""
        args: dict[str, Any] = {}
        if self.q:
            args["q"] = self.q
        for facet, values in self.selected.items():
            args[facet] = list(values)
        if self.max_price_cents is not None:
            args["max_price"] = _format_euros(self.max_price_cents)
        if self.provider_id is not None:
            args["provider"] = self.provider_id
        if self.sort != "relevance":
            args["sort"] = self.sort
        if self.per_page != DEFAULT_PAGE_SIZE:
            args["per_page"] = self.per_page
        if self.page != 1:
            args["page"] = self.page
        args.update(overrides)
        return {k: v for k, v in args.items() if v not in (None, "", [])}

    def toggled(self, facet: str, value: str) -> dict[str, Any]:
        """URL arguments with one facet value switched on or off (back to page 1)."""
        values = list(self.selected.get(facet, []))
        values = [v for v in values if v != value] if value in values else [*values, value]
        return self.args(**{facet: values, "page": None})

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.selected or self.max_price_cents is not None or self.provider_id)


def _format_euros(cents: int) -> str:
    return f"{cents // 100}" if cents % 100 == 0 else f"{cents // 100}.{cents % 100:02d}"


def parse(args, *, spaces: bool = True) -> tuple[CatalogueQuery, dict[str, str]]:
    """Read a query from URL arguments. Bad values are left out and reported by
    parameter name with a message for the user; the rest of the query still applies.
    Numbers are read with app.params.parse_int; `spaces`: spaces around them are allowed (the
    page's fields; the API, as described, takes none)."""
    query = CatalogueQuery()
    errors: dict[str, str] = {}
    q = (args.get("q") or "").strip()
    if len(q) > 200:
        errors["q"] = _("The search words can be at most 200 characters long.")
    else:
        query.q = q
    for facet, (_label, vocabulary) in FACETS.items():
        values = [v.strip() for v in args.getlist(facet) if v.strip()]
        unknown = [v for v in values if v not in vocabulary]
        if unknown:
            errors[facet] = _("Unknown value ignored: %(values)s.", values=", ".join(unknown)[:100])
        known = [v for v in vocabulary if v in values]  # vocabulary order, no duplicates
        if known:
            query.selected[facet] = known
    raw_price = (args.get("max_price") or "").strip().replace(",", ".").replace("€", "").strip()
    if raw_price:
        try:
            price = Decimal(raw_price)
            if not price.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors["max_price"] = _("The maximum price must be a number of euros, such as 500 or 12,50.")
        else:
            if price < 0:
                errors["max_price"] = _("The maximum price cannot be negative.")
            elif price > MAX_PRICE_EUR:
                errors["max_price"] = _("The maximum price is too large.")
            else:
                query.max_price_cents = int((price * 100).to_integral_value())
    provider = args.get("provider") or ""
    if provider.strip():
        provider_id = parse_int(provider, 1, MAX_ID, spaces=spaces)
        if provider_id is not None:
            query.provider_id = provider_id
        else:
            errors["provider"] = _("The provider must be given by its number.")
    sort = (args.get("sort") or "relevance").strip()
    if sort in SORTS:
        query.sort = sort
    else:
        errors["sort"] = _("Unknown sort order ignored.")
    per_page = args.get("per_page") or ""
    if per_page.strip():
        size = parse_int(per_page, min(PAGE_SIZES), max(PAGE_SIZES), spaces=spaces)
        if size in PAGE_SIZES:
            query.per_page = size
        else:
            errors["per_page"] = _(
                "The page size must be one of %(sizes)s.", sizes=", ".join(str(s) for s in PAGE_SIZES)
            )
    page = args.get("page") or ""
    if page.strip():
        number = parse_int(page, 1, MAX_PAGE, spaces=spaces)
        if number is not None:
            query.page = number
        else:
            errors["page"] = _("The page number must be a whole number from 1 to %(max)d.", max=MAX_PAGE)
    return query, errors
