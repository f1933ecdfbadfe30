"""An in-memory facet index of the published catalogue, one per worker process.

Counting facet values by scanning the matching rows in SQL grows with the
catalogue. Here every facet value is a bitmap over the published listings
(numpy, packed 8 listings a byte), so a page's counts are a few vectorised
AND + popcount operations however many listings match. Listings sit in the
neutral order (their `order_key`), so the default order is the order of the
bits, rotated daily.

What stays in SQL, on every request: which providers are visible (status and
rules acceptance can change at any moment, without a catalogue change), the
keyword match (FTS5 or PostgreSQL full-text search), and the rows of the page.
The index is rebuilt when the token in `catalogue_state` changes, which every
publish and withdrawal does in the same transaction; the SQL counting in
`search.facet_counts` stays as the reference the tests compare against.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from app.extensions import db, utcnow
from marketplace.catalogue.models import CatalogueEntry, CatalogueState, CatalogueTag
from marketplace.catalogue.vocab import FACETS

_LOCK = threading.Lock()  # one build at a time
_CACHE_LOCK = threading.Lock()  # the small per-index caches below
BUILD_CHUNK = 10_000  # rows fetched at a time while building
KEYWORD_CACHE_SIZE = 256  # keywords; at 100 000 listings 25 kB each
CARD_CACHE_SIZE = 2048  # rendered result cards, about 1.5 kB each
_INDEXES: dict[str, FacetIndex] = {}


def mark_changed() -> None:
    """Record that the published catalogue changed (call inside the changing transaction)."""
    token = uuid.uuid4().hex
    updated = db.session.execute(
        sa.update(CatalogueState).where(CatalogueState.id == 1).values(token=token, changed_at=utcnow())
    )
    if not updated.rowcount:
        db.session.add(CatalogueState(id=1, token=token))
        db.session.flush()


class Remembered:
    """The most recently used answers of one index, at most `size` of them. They live and die
    with the index, so a change to the catalogue (a new index) forgets them all."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any | None:
        with _CACHE_LOCK:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> Any:
        with _CACHE_LOCK:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with _CACHE_LOCK:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def _pack(mask: np.ndarray) -> np.ndarray:
    return np.packbits(mask)


@dataclass
class FacetIndex:
    token: str | None
    ids: np.ndarray  # service ids, by position (the neutral order)
    order_keys: np.ndarray
    orgs: np.ndarray
    prices: np.ndarray  # the cheapest plan's unit price, cents; -1 when none
    by_name: np.ndarray  # positions in name order
    by_newest: np.ndarray
    by_price: np.ndarray
    values: dict[str, list[str]]  # facet -> values, in the order of its matrix rows
    matrices: dict[str, np.ndarray]  # facet -> packed bitmaps (values x bytes)
    _id_sorter: np.ndarray
    _visible_cache: OrderedDict[int, np.ndarray]
    keywords: Remembered  # words -> (matching, name matching) bitmaps
    cards: Remembered  # (language, service id, provider name) -> the listing's card, rendered

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def all(self) -> np.ndarray:
        return _pack(np.ones(self.size, dtype=bool))

    # --- masks -----------------------------------------------------------------------------

    def visible_except(self, hidden_org_ids: list[int]) -> np.ndarray:
        """Listings of every provider but these (every listing belongs to a provider)."""
        key = hash(tuple(sorted(hidden_org_ids)))
        with _CACHE_LOCK:
            cached = self._visible_cache.get(key)
        if cached is None:
            cached = _pack(~np.isin(self.orgs, np.asarray(hidden_org_ids, dtype=np.int64)))
            with _CACHE_LOCK:
                self._visible_cache[key] = cached
                while len(self._visible_cache) > 8:
                    self._visible_cache.popitem(last=False)
        return cached

    def positions_of(self, service_ids: np.ndarray) -> np.ndarray:
        """Positions of the given ids (ids not in the index are dropped)."""
        if not len(service_ids) or not self.size:
            return np.empty(0, dtype=np.int64)
        sorted_ids = self.ids[self._id_sorter]
        at = np.searchsorted(sorted_ids, service_ids)
        at = np.clip(at, 0, self.size - 1)
        found = sorted_ids[at] == service_ids
        return self._id_sorter[at[found]]

    def mask_of_ids(self, service_ids: np.ndarray) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        mask[self.positions_of(service_ids)] = True
        return _pack(mask)

    def price_at_most(self, cents: int) -> np.ndarray:
        return _pack((self.prices >= 0) & (self.prices <= cents))

    def of_provider(self, org_id: int) -> np.ndarray:
        return _pack(self.orgs == org_id)

    def any_of(self, facet: str, values: list[str]) -> np.ndarray:
        rows = [self.values[facet].index(v) for v in values if v in self.values[facet]]
        if not rows:
            return np.zeros_like(self.all)
        return np.bitwise_or.reduce(self.matrices[facet][rows], axis=0)

    # --- answers ---------------------------------------------------------------------------

    @staticmethod
    def count(mask: np.ndarray) -> int:
        return int(np.bitwise_count(mask).sum(dtype=np.int64))

    def counts(self, facet: str, mask: np.ndarray) -> dict[str, int]:
        matrix = self.matrices[facet]
        if not len(matrix):
            return {}
        totals = np.bitwise_count(matrix & mask).sum(axis=1, dtype=np.int64)
        return {value: int(n) for value, n in zip(self.values[facet], totals, strict=False) if n}

    def ordered_positions(self, mask: np.ndarray, sort: str, day_offset: int) -> np.ndarray:
        bits = np.unpackbits(mask, count=self.size).astype(bool)
        if sort == "name":
            return self.by_name[bits[self.by_name]]
        if sort == "newest":
            return self.by_newest[bits[self.by_newest]]
        positions = np.flatnonzero(bits)
        start = int(np.searchsorted(self.order_keys, day_offset))
        rotated = np.concatenate([positions[positions >= start], positions[positions < start]])
        if sort == "price":
            prices = self.prices[rotated]
            keyed = np.where(prices < 0, np.iinfo(np.int64).max, prices)
            return rotated[np.argsort(keyed, kind="stable")]
        return rotated


def _int_columns(stmt: sa.Select, width: int) -> np.ndarray:
    """The integer columns of a statement as one (rows x width) array, fetched in chunks
    straight from the driver (a server-side cursor on PostgreSQL): building never holds
    100 000 Python rows, and skips SQLAlchemy's per-row work (the statement has no user input)."""
    connection = db.session.connection()
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    raw = connection.connection.dbapi_connection
    cursor = raw.cursor(name="facet_index_build") if connection.dialect.name == "postgresql" else raw.cursor()
    chunks = []
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(BUILD_CHUNK):
            chunks.append(np.array(rows, dtype=np.int64).reshape(-1, width))
    finally:
        cursor.close()
    return np.concatenate(chunks) if chunks else np.zeros((0, width), dtype=np.int64)


def _build(token: str | None) -> FacetIndex:
    entry = CatalogueEntry
    columns = _int_columns(
        sa.select(
            entry.service_id, entry.order_key, entry.organisation_id, sa.func.coalesce(entry.min_price_cents, -1)
        ).order_by(entry.order_key, entry.service_id),
        4,
    )
    n = len(columns)
    ids, order_keys, orgs, prices = (np.ascontiguousarray(columns[:, i]) for i in range(4))
    del columns
    id_sorter = np.argsort(ids, kind="stable")
    by_price = np.argsort(np.where(prices < 0, np.iinfo(np.int64).max, prices), kind="stable")
    index = FacetIndex(
        token,
        ids,
        order_keys,
        orgs,
        prices,
        by_price,
        by_price,
        by_price,
        {},
        {},
        id_sorter,
        OrderedDict(),
        Remembered(KEYWORD_CACHE_SIZE),
        Remembered(CARD_CACHE_SIZE),
    )
    # The other orders as the database sorts (the same order as the SQL reference).
    index.by_name = index.positions_of(
        _int_columns(sa.select(entry.service_id).order_by(entry.sort_name, entry.service_id), 1)[:, 0]
    )
    index.by_newest = index.positions_of(
        _int_columns(sa.select(entry.service_id).order_by(entry.published_at.desc(), entry.service_id.desc()), 1)[:, 0]
    )
    # One row per facet value, with its listings' ids as one string: far fewer rows to fetch than tags.
    aggregate = (
        sa.func.string_agg(sa.cast(CatalogueTag.service_id, sa.String), sa.literal_column("','"))
        if db.session.get_bind().dialect.name == "postgresql"
        else sa.func.group_concat(CatalogueTag.service_id, ",")
    )
    grouped: dict[str, dict[str, np.ndarray]] = {facet: {} for facet in FACETS}
    for facet, value, joined in db.session.execute(
        sa.select(CatalogueTag.facet, CatalogueTag.value, aggregate)
        .group_by(CatalogueTag.facet, CatalogueTag.value)
        .execution_options(yield_per=8)
    ):
        if facet in grouped and joined:
            member_ids = np.array(joined.split(","), dtype=np.int64)
            grouped[facet][value] = index.mask_of_ids(member_ids)
    empty_row = np.zeros((0, (n + 7) // 8), dtype=np.uint8)
    for facet, (_label, vocabulary) in FACETS.items():
        present = [v for v in vocabulary if v in grouped[facet]]
        index.values[facet] = present
        index.matrices[facet] = np.stack([grouped[facet][v] for v in present]) if present else empty_row
    return index


def forget_remembered() -> None:
    """Drop the remembered keyword bitmaps and cards of every index of this process, as after a
    change to the catalogue (the benchmark measures the first searches with this)."""
    for index in list(_INDEXES.values()):
        index.keywords.clear()
        index.cards.clear()


def current() -> FacetIndex:
    """The index of this process for the current database, rebuilt when the catalogue changed."""
    token = db.session.scalar(sa.select(CatalogueState.token).where(CatalogueState.id == 1))
    key = str(db.session.get_bind().url)
    index = _INDEXES.get(key)
    if index is not None and _still_current(index, token):
        return index
    with _LOCK:
        index = _INDEXES.get(key)
        if index is None or not _still_current(index, token):
            index = _build(token)
            _INDEXES[key] = index
    return index


def _still_current(index: FacetIndex, token: str | None) -> bool:
    """Whether `index` shows the catalogue as it is. Without a recorded change (token None: a new
    database, or entries written around the services) only an empty index of a still empty
    catalogue is known to be current; anything else is built again."""
    if token is not None:
        return index.token == token
    return index.token is None and index.size == 0 and _catalogue_is_empty()


def _catalogue_is_empty() -> bool:
    return db.session.scalar(sa.select(CatalogueEntry.service_id).limit(1)) is None
