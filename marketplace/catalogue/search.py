"""Catalogue search: parse the filters of a URL, find the published listings of
providers in good standing, count every facet value in the database, and order
the results neutrally.

A page costs the same few statements whatever its size: one for the facet
counts and the total (a UNION ALL of grouped counts), one for the rows.
Facet counts are disjunctive: the counts of a facet with a selected value
reflect every other active filter, so choosing a second value in the same
facet shows how many it adds (values of one facet are OR-ed, facets AND-ed).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import numpy as np
import sqlalchemy as sa
from flask_babel import gettext as _

from app.clock import helsinki_today
from app.extensions import db
from app.models import Organisation, OrgKind, OrgStatus
from app.params import parse_int
from app.security import MAX_ID
from governance.services import accepted_current_rules_clause
from marketplace.catalogue.models import CatalogueEntry, CatalogueTag
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


# --- SQL --------------------------------------------------------------------------------------


def visible_providers(today: date | None = None) -> sa.Select:
    """Providers whose listings the public sees: active and in good standing with the rules."""
    return sa.select(Organisation.id).where(
        Organisation.kind == OrgKind.PROVIDER.value,
        Organisation.status == OrgStatus.ACTIVE.value,
        accepted_current_rules_clause(Organisation.id, today),
    )


def hidden_providers(today: date | None = None) -> sa.Select:
    """Providers whose listings the public must not see: the complement of
    `visible_providers` among providers, usually a short list."""
    return sa.select(Organisation.id).where(
        Organisation.kind == OrgKind.PROVIDER.value,
        sa.or_(
            Organisation.status != OrgStatus.ACTIVE.value,
            sa.not_(accepted_current_rules_clause(Organisation.id, today)),
        ),
    )


def _light_stem(word: str) -> str:
    """SQLite has no Finnish stemmer: long words also match by a shortened prefix, so
    that "matematiikan" finds "matematiikka" (PostgreSQL uses the real stemmer)."""
    return word[: max(5, len(word) - 3)] if len(word) >= 7 else word


def _sqlite_match(words: list[str]) -> str:
    """Each word as a quoted prefix (its shortened form covers the whole word too); user
    input never reaches the FTS5 query syntax."""
    return " AND ".join(f'"{_light_stem(word)}"*' for word in words)


def _pg_tsquery(words: list[str]) -> sa.ColumnElement:
    query = None
    for word in words:
        term = sa.func.to_tsquery(sa.literal_column("'finnish'"), f"{word}:*").op("||")(
            sa.func.to_tsquery(sa.literal_column("'simple'"), f"{word}:*")
        )
        query = term if query is None else query.op("&&")(term)
    return query


def _pg_document() -> sa.ColumnElement:
    """The stored, GIN-indexed document (a generated column made by DDL, see models)."""
    return sa.literal_column("catalogue_entries.search_vector")


def _pg_name_document() -> sa.ColumnElement:
    return sa.literal_column("catalogue_entries.name_vector")


def _pg_rank(words: list[str]) -> sa.ColumnElement:
    """Rank (bigger is better) with the name weighted above the rest of the text."""
    weighted = sa.func.setweight(_pg_name_document(), sa.literal_column("'A'")).op("||")(_pg_document())
    return sa.func.ts_rank(weighted, _pg_tsquery(words))


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _text_condition(words: list[str]) -> sa.ColumnElement[bool]:
    if _is_postgres():
        return _pg_document().op("@@")(_pg_tsquery(words))
    ids = (
        sa.select(sa.literal_column("rowid"))
        .select_from(sa.table("catalogue_fts"))
        .where(sa.literal_column("catalogue_fts").op("MATCH")(_sqlite_match(words)))
    )
    return CatalogueEntry.service_id.in_(ids)


def _relevance(words: list[str]) -> sa.ColumnElement:
    """Smaller is better."""
    if _is_postgres():
        return -_pg_rank(words)
    fts = sa.table("catalogue_fts")
    return (
        sa.select(sa.func.bm25(sa.literal_column("catalogue_fts"), 10.0, 4.0, 1.0))
        .select_from(fts)
        .where(
            sa.literal_column("catalogue_fts").op("MATCH")(_sqlite_match(words)),
            sa.literal_column("catalogue_fts.rowid") == CatalogueEntry.service_id,
        )
        .scalar_subquery()
    )


def _tag_condition(facet: str, values: list[str]) -> sa.ColumnElement[bool]:
    return CatalogueEntry.service_id.in_(
        sa.select(CatalogueTag.service_id).where(CatalogueTag.facet == facet, CatalogueTag.value.in_(values))
    )


def conditions(query: CatalogueQuery, providers: sa.Select, exclude: str | None = None) -> list:
    conds: list = [CatalogueEntry.organisation_id.in_(providers)]
    if query.words:
        conds.append(_text_condition(query.words))
    if query.max_price_cents is not None:
        conds.append(CatalogueEntry.min_price_cents <= query.max_price_cents)
    if query.provider_id is not None:
        conds.append(CatalogueEntry.organisation_id == query.provider_id)
    for facet, values in query.selected.items():
        if facet != exclude:
            conds.append(_tag_condition(facet, values))
    return conds


def rotation_offset(day: date) -> int:
    """Where the neutral order starts today: the per-listing hash order is rotated
    daily, so that no listing is always first."""
    return int.from_bytes(hashlib.sha256(f"digione-catalogue:{day.isoformat()}".encode()).digest()[:7], "big")


def neutral_order(day: date) -> list:
    offset = rotation_offset(day)
    return [
        sa.case((CatalogueEntry.order_key >= offset, 0), else_=1),
        CatalogueEntry.order_key,
        CatalogueEntry.service_id,
    ]


def ordering(query: CatalogueQuery, day: date) -> list:
    if query.sort == "name":
        return [CatalogueEntry.sort_name, CatalogueEntry.service_id]
    if query.sort == "newest":
        return [CatalogueEntry.published_at.desc(), CatalogueEntry.service_id.desc()]
    if query.sort == "price":
        return [CatalogueEntry.min_price_cents.is_(None), CatalogueEntry.min_price_cents, *neutral_order(day)]
    if query.words:
        return [_relevance(query.words), *neutral_order(day)]
    return neutral_order(day)


# --- results ----------------------------------------------------------------------------------


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
    from marketplace.catalogue import facet_index

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
    from flask_babel import force_locale

    with force_locale(locale):
        return {
            name: (str(label), {value: str(value_label) for value, value_label in vocabulary.items()})
            for name, (label, vocabulary) in FACETS.items()
        }


def _results(
    query: CatalogueQuery, entries: list[CatalogueEntry], total: int, counts: dict[str, dict[str, int]]
) -> Results:
    from flask_babel import get_locale

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
    from marketplace.catalogue import facet_index

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
