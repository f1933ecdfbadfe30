"""Answering a query: the page of listings and the facet counts, from the facet index or SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import sqlalchemy as sa
from flask_babel import force_locale, get_locale

from app.clock import helsinki_today
from app.extensions import db
from marketplace.catalogue import facet_index
from marketplace.catalogue.models import CatalogueEntry, CatalogueTag
from marketplace.catalogue.search.query import CatalogueQuery
from marketplace.catalogue.search.sql import (
    _is_postgres,
    _pg_document,
    _pg_name_document,
    _pg_tsquery,
    _sqlite_match,
    conditions,
    hidden_providers,
    neutral_order,
    ordering,
    rotation_offset,
    visible_providers,
)
from marketplace.catalogue.vocab import FACETS


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    href: str = ""  # the catalogue with this value switched on or off (set by the view)


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]

    @property
    def selected_count(self) -> int:
        return sum(1 for v in self.values if v.selected)


@dataclass
class Results:
    query: CatalogueQuery
    entries: list[CatalogueEntry]
    total: int
    facets: list[Facet]
    index: Any = None  # the facet index that answered, if one did

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))

    @property
    def past_end(self) -> bool:
        return self.query.page > self.pages

    @property
    def first_index(self) -> int:
        return (self.query.page - 1) * self.query.per_page + 1


def facet_counts(query: CatalogueQuery, providers: sa.Select) -> tuple[int, dict[str, dict[str, int]]]:
    """The total and every facet value's count, in one statement."""
    parts = [
        sa.select(sa.literal("_total").label("facet"), sa.literal("").label("value"), sa.func.count().label("n"))
        .select_from(CatalogueEntry)
        .where(*conditions(query, providers))
    ]
    inactive = [f for f in FACETS if f not in query.selected]
    if inactive:
        ids = sa.select(CatalogueEntry.service_id).where(*conditions(query, providers))
        parts.append(
            sa.select(CatalogueTag.facet, CatalogueTag.value, sa.func.count())
            .where(CatalogueTag.facet.in_(inactive), CatalogueTag.service_id.in_(ids))
            .group_by(CatalogueTag.facet, CatalogueTag.value)
        )
    for facet in query.selected:
        ids = sa.select(CatalogueEntry.service_id).where(*conditions(query, providers, exclude=facet))
        parts.append(
            sa.select(CatalogueTag.facet, CatalogueTag.value, sa.func.count())
            .where(CatalogueTag.facet == facet, CatalogueTag.service_id.in_(ids))
            .group_by(CatalogueTag.facet, CatalogueTag.value)
        )
    total = 0
    counts: dict[str, dict[str, int]] = {f: {} for f in FACETS}
    for facet, value, n in db.session.execute(sa.union_all(*parts)):
        if facet == "_total":
            total = n
        elif facet in counts:
            counts[facet][value] = n
    return total, counts


def search_sql(query: CatalogueQuery, today: date | None = None) -> Results:
    """The catalogue answered by SQL alone: the reference for the in-memory index."""
    today = today or helsinki_today()
    providers = visible_providers(today)
    total, counts = facet_counts(query, providers)
    entries: list[CatalogueEntry] = []
    if (query.page - 1) * query.per_page < total:
        stmt = (
            sa.select(CatalogueEntry)
            .where(*conditions(query, providers))
            .order_by(*ordering(query, today))
            .limit(query.per_page)
            .offset((query.page - 1) * query.per_page)
        )
        entries = list(db.session.scalars(stmt))
    return _results(query, entries, total, counts)


def _raw_rows(stmt: sa.Select) -> list[tuple]:
    """Run a statement (seen by SQLAlchemy's events like any other) and take the
    driver's plain tuples: thousands of ids without building a Row for each."""
    result = db.session.execute(stmt)
    if _is_postgres():  # psycopg's results are buffered by SQLAlchemy: take them as rows
        return [tuple(row) for row in result.all()]
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _text_matches(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Ids of the listings matching every word, and those of them whose name matches
    (they come first in the relevance order; the neutral order decides the rest). Cheaper
    than a full BM25 or ts_rank over thousands of matches, and favours no provider."""
    if _is_postgres():
        document, tsquery = _pg_document(), _pg_tsquery(words)
        rows = _raw_rows(
            sa.select(CatalogueEntry.service_id, _pg_name_document().op("@@")(tsquery)).where(
                document.op("@@")(tsquery)
            )
        )
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        in_name = np.fromiter((bool(r[1]) for r in rows), dtype=bool, count=len(rows))
        return ids, ids[in_name]
    # Two plain FTS5 lookups are cheaper than one with a correlated name test.
    fts = sa.literal_column("catalogue_fts")
    select_ids = sa.select(sa.literal_column("rowid")).select_from(sa.table("catalogue_fts"))
    ids = np.array([r[0] for r in _raw_rows(select_ids.where(fts.op("MATCH")(_sqlite_match(words))))], dtype=np.int64)
    in_name = np.array(
        [r[0] for r in _raw_rows(select_ids.where(fts.op("MATCH")(f"name : ({_sqlite_match(words)})")))], dtype=np.int64
    )
    return ids, in_name


def keyword_masks(index, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The listings matching the words, and those whose name matches, as bitmaps of the
    index. Kept per index (so dropped whenever the catalogue changes) for the most recent
    keywords: people search for the same few hundred words far more often than not."""
    key = tuple(words)
    masks = index.keywords.get(key)
    if masks is None:
        ids, in_name = _text_matches(words)
        matching = index.mask_of_ids(ids)
        masks = index.keywords.put(key, (matching, index.mask_of_ids(in_name) & matching))
    return masks


def search(query: CatalogueQuery, today: date | None = None) -> Results:
    """The catalogue: visibility and keywords from SQL, counts and order from the facet index."""

    today = today or helsinki_today()
    index = facet_index.current()
    base = index.visible_except(list(db.session.scalars(hidden_providers(today))))
    in_name = None
    if query.words:
        matching, in_name = keyword_masks(index, query.words)
        base = base & matching
    if query.max_price_cents is not None:
        base = base & index.price_at_most(query.max_price_cents)
    if query.provider_id is not None:
        base = base & index.of_provider(query.provider_id)
    selections = {facet: index.any_of(facet, values) for facet, values in query.selected.items()}
    full = base
    for mask in selections.values():
        full = full & mask
    counts: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        mask = full
        if facet in selections:
            mask = base
            for other, selection in selections.items():
                if other != facet:
                    mask = mask & selection
        counts[facet] = index.counts(facet, mask)
    total = index.count(full)
    entries: list[CatalogueEntry] = []
    start = (query.page - 1) * query.per_page
    if start < total:
        positions = index.ordered_positions(full, query.sort, rotation_offset(today))
        if query.sort == "relevance" and in_name is not None and len(positions):
            name_first = np.unpackbits(in_name, count=index.size).astype(bool)[positions]
            positions = np.concatenate([positions[name_first], positions[~name_first]])
        page_ids = [int(i) for i in index.ids[positions[start : start + query.per_page]]]
        found = {
            e.service_id: e
            for e in db.session.scalars(sa.select(CatalogueEntry).where(CatalogueEntry.service_id.in_(page_ids)))
        }
        entries = [found[i] for i in page_ids if i in found]
    results = _results(query, entries, total, counts)
    results.index = index
    return results


@lru_cache(maxsize=8)
def _facet_labels(locale: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Every facet's label and value labels, translated once per language."""

    with force_locale(locale):
        return {
            name: (str(label), {value: str(value_label) for value, value_label in vocabulary.items()})
            for name, (label, vocabulary) in FACETS.items()
        }


def _results(
    query: CatalogueQuery, entries: list[CatalogueEntry], total: int, counts: dict[str, dict[str, int]]
) -> Results:

    facets = []
    for name, (label, labels) in _facet_labels(str(get_locale() or "fi")).items():
        selected = query.selected.get(name, [])
        values = [
            FacetValue(value, value_label, counts[name].get(value, 0), value in selected)
            for value, value_label in labels.items()
        ]
        facets.append(Facet(name, label, values))
    return Results(query, entries, total, facets)


def visible_entry(slug: str, today: date | None = None) -> CatalogueEntry | None:
    return db.session.scalar(
        sa.select(CatalogueEntry).where(
            CatalogueEntry.slug == slug, CatalogueEntry.organisation_id.in_(visible_providers(today))
        )
    )


def related(entry: CatalogueEntry, limit: int = 4, today: date | None = None) -> list[CatalogueEntry]:
    """Other visible listings of the same category that share a school level, in the
    neutral order (from the facet index: no sort of thousands of rows per page view)."""

    today = today or helsinki_today()
    index = facet_index.current()
    mask = (
        index.visible_except(list(db.session.scalars(hidden_providers(today))))
        & index.any_of("category", [entry.category])
        & index.any_of("level", list(entry.levels or []))
    )
    positions = index.ordered_positions(mask, "relevance", rotation_offset(today))
    ids = [int(i) for i in index.ids[positions[: limit + 1]] if int(i) != entry.service_id][:limit]
    found = (
        {
            e.service_id: e
            for e in db.session.scalars(sa.select(CatalogueEntry).where(CatalogueEntry.service_id.in_(ids)))
        }
        if ids
        else {}
    )
    return [found[i] for i in ids if i in found]


def related_sql(entry: CatalogueEntry, limit: int = 4, today: date | None = None) -> list[CatalogueEntry]:
    """`related` in plain SQL (the reference)."""
    today = today or helsinki_today()
    shared_levels = sa.select(CatalogueTag.service_id).where(
        CatalogueTag.facet == "level", CatalogueTag.value.in_(entry.levels or [""])
    )
    stmt = (
        sa.select(CatalogueEntry)
        .where(
            CatalogueEntry.organisation_id.in_(visible_providers(today)),
            CatalogueEntry.category == entry.category,
            CatalogueEntry.service_id != entry.service_id,
            CatalogueEntry.service_id.in_(shared_levels),
        )
        .order_by(*neutral_order(today))
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def entries_by_slugs(slugs: list[str], today: date | None = None) -> list[CatalogueEntry]:
    if not slugs:
        return []
    stmt = sa.select(CatalogueEntry).where(
        CatalogueEntry.slug.in_(slugs), CatalogueEntry.organisation_id.in_(visible_providers(today))
    )
    found = {e.slug: e for e in db.session.scalars(stmt)}
    return [found[s] for s in slugs if s in found]


def entries_of_provider(org_id: int, today: date | None = None) -> list[CatalogueEntry]:
    """A provider's listings that the public sees, by name."""
    stmt = (
        sa.select(CatalogueEntry)
        .where(CatalogueEntry.organisation_id == org_id, CatalogueEntry.organisation_id.in_(visible_providers(today)))
        .order_by(CatalogueEntry.sort_name, CatalogueEntry.service_id)
    )
    return list(db.session.scalars(stmt))
