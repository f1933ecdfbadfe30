"""The query in SQL: visible providers, keyword and facet conditions, and the neutral order."""

from __future__ import annotations

import hashlib
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Organisation, OrgKind, OrgStatus
from governance.rules.services import accepted_current_rules_clause
from marketplace.catalogue.models import CatalogueEntry, CatalogueTag
from marketplace.catalogue.search.query import CatalogueQuery


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
