"""Catalogue search: parse the filters of a URL, find the published listings of
providers in good standing, count every facet value in the database, and order
the results neutrally.

A page costs the same few statements whatever its size: one for the facet
counts and the total (a UNION ALL of grouped counts), one for the rows.
Facet counts are disjunctive: the counts of a facet with a selected value
reflect every other active filter, so choosing a second value in the same
facet shows how many it adds (values of one facet are OR-ed, facets AND-ed).

The package: `query` (CatalogueQuery, `parse`), `sql` (the conditions and the
order in SQL) and `results` (`search`, `search_sql`, the facets, related
listings). Everything is importable from `marketplace.catalogue.search`.
"""

from __future__ import annotations

from marketplace.catalogue.search import query, results, sql
from marketplace.catalogue.search.query import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PRICE_EUR,
    MAX_WORDS,
    PAGE_SIZES,
    SORTS,
    CatalogueQuery,
    parse,
)
from marketplace.catalogue.search.results import (
    Facet,
    FacetValue,
    Results,
    entries_by_slugs,
    entries_of_provider,
    facet_counts,
    keyword_masks,
    related,
    related_sql,
    search,
    search_sql,
    visible_entry,
)
from marketplace.catalogue.search.sql import (
    conditions,
    hidden_providers,
    neutral_order,
    ordering,
    rotation_offset,
    visible_providers,
)

# The private helpers as well, reachable from the package as they were from the single module.
_WORD = query._WORD
_format_euros = query._format_euros
_light_stem = sql._light_stem
_sqlite_match = sql._sqlite_match
_pg_tsquery = sql._pg_tsquery
_pg_document = sql._pg_document
_pg_name_document = sql._pg_name_document
_pg_rank = sql._pg_rank
_is_postgres = sql._is_postgres
_text_condition = sql._text_condition
_relevance = sql._relevance
_tag_condition = sql._tag_condition
_raw_rows = results._raw_rows
_text_matches = results._text_matches
_facet_labels = results._facet_labels
_results = results._results

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE",
    "MAX_PRICE_EUR",
    "MAX_WORDS",
    "PAGE_SIZES",
    "SORTS",
    "CatalogueQuery",
    "Facet",
    "FacetValue",
    "Results",
    "conditions",
    "entries_by_slugs",
    "entries_of_provider",
    "facet_counts",
    "hidden_providers",
    "keyword_masks",
    "neutral_order",
    "ordering",
    "parse",
    "related",
    "related_sql",
    "rotation_offset",
    "search",
    "search_sql",
    "visible_entry",
    "visible_providers",
]
