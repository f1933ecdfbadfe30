"""Catalogue models.

A `Service` row is the provider's working copy of a listing. Every publish
stores an immutable `ServiceRevision` snapshot; the public catalogue shows the
published snapshot only, through a denormalised `CatalogueEntry` (one row per
published listing, with its search text and display columns) and its
`CatalogueTag` rows (one per facet value, indexed for filtering and counting).
Entries and tags are derived data: rebuilt from the revision on every publish
and removed on withdrawal.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import UTCDateTime, db, one_of, utcnow
from app.files import StoredFile
from app.models import Organisation, User
from marketplace.catalogue.vocab import DEFAULT_VAT_BASIS_POINTS, ListingStatus, PriceModel

#: Content fields of a listing, in the order the reviewer's diff shows them.
CONTENT_FIELDS = (
    "name",
    "summary",
    "summary_sv",
    "summary_en",
    "description",
    "category",
    "levels",
    "roles",
    "subjects",
    "languages",
    "standards",
    "accessibility",
    "accessibility_statement_url",
    "hosting",
    "personal_data",
    "support_url",
    "privacy_url",
)


class Service(db.Model):
    __tablename__ = "services"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", ListingStatus), name="status"),
        sa.Index("ix_services_id_category", "id", "category"),  # spend per category without the wide rows
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=ListingStatus.DRAFT.value, index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    summary: Mapped[str] = mapped_column(sa.String(300))
    summary_sv: Mapped[str] = mapped_column(sa.String(300), default="")
    summary_en: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str] = mapped_column(sa.String(40))
    levels: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    roles: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    subjects: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    standards: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    accessibility: Mapped[str] = mapped_column(sa.String(20))
    accessibility_statement_url: Mapped[str] = mapped_column(sa.String(300), default="")
    hosting: Mapped[str] = mapped_column(sa.String(20))
    personal_data: Mapped[bool] = mapped_column(default=True)
    support_url: Mapped[str] = mapped_column(sa.String(300), default="")
    privacy_url: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Number of the revision the catalogue shows; None before the first publish.
    published_version: Mapped[int | None] = mapped_column()
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship()
    plans: Mapped[list[PricingPlan]] = relationship(
        back_populates="service", order_by="[PricingPlan.position, PricingPlan.id]", cascade="all, delete-orphan"
    )
    screenshots: Mapped[list[ServiceScreenshot]] = relationship(
        back_populates="service",
        order_by="[ServiceScreenshot.position, ServiceScreenshot.id]",
        cascade="all, delete-orphan",
    )
    events: Mapped[list[ServiceReviewEvent]] = relationship(back_populates="service", order_by="ServiceReviewEvent.id")

    @property
    def is_live(self) -> bool:
        """A published revision exists and the listing is not withdrawn."""
        return self.published_version is not None and self.status != ListingStatus.WITHDRAWN

    @property
    def has_pending_changes(self) -> bool:
        return self.is_live and self.status != ListingStatus.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.status != ListingStatus.IN_REVIEW


class PricingPlan(db.Model):
    __tablename__ = "pricing_plans"
    __table_args__ = (
        sa.CheckConstraint(one_of("model", PriceModel), name="model"),
        sa.CheckConstraint("unit_price_cents >= 0", name="unit_price_cents"),
        sa.CheckConstraint("vat_rate_bp >= 0 AND vat_rate_bp <= 10000", name="vat_rate_bp"),
        sa.CheckConstraint("min_quantity >= 1", name="min_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(120))
    model: Mapped[str] = mapped_column(sa.String(30))
    unit_price_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: VAT rate in basis points (2550 = 25.5 %); copied to order lines.
    vat_rate_bp: Mapped[int] = mapped_column(default=DEFAULT_VAT_BASIS_POINTS)
    min_quantity: Mapped[int] = mapped_column(default=1)
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    service: Mapped[Service] = relationship(back_populates="plans")

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "model": self.model,
            "unit_price_cents": self.unit_price_cents,
            "vat_rate_bp": self.vat_rate_bp,
            "min_quantity": self.min_quantity,
            "notes": self.notes,
        }


class ServiceScreenshot(db.Model):
    __tablename__ = "service_screenshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), index=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id"))
    alt_text: Mapped[str] = mapped_column(sa.String(300))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)

    service: Mapped[Service] = relationship(back_populates="screenshots")
    file: Mapped[StoredFile] = relationship()

    def snapshot(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "alt_text": self.alt_text, "width": self.width, "height": self.height}


class ServiceRevision(db.Model):
    """What was published, exactly: the content, plans and screenshots at that moment."""

    __tablename__ = "service_revisions"
    __table_args__ = (sa.UniqueConstraint("service_id", "number", name="uq_service_revisions_service_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    number: Mapped[int] = mapped_column()
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    published_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[Service] = relationship()
    published_by: Mapped[User] = relationship()


class ServiceReviewEvent(db.Model):
    """The listing's timeline as the provider sees it: submissions, returns with
    the reviewer's comments, publications and withdrawals."""

    __tablename__ = "service_review_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), index=True)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(20))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    revision_number: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[Service] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()


class CatalogueEntry(db.Model):
    """A published listing as the catalogue searches, sorts and lists it."""

    __tablename__ = "catalogue_entries"

    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), primary_key=True, autoincrement=False)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    sort_name: Mapped[str] = mapped_column(sa.String(120), index=True)
    summary: Mapped[str] = mapped_column(sa.String(300))
    summary_sv: Mapped[str] = mapped_column(sa.String(300), default="")
    summary_en: Mapped[str] = mapped_column(sa.String(300), default="")
    provider_name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(40), index=True)
    levels: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    standards: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    accessibility: Mapped[str] = mapped_column(sa.String(20))
    hosting: Mapped[str] = mapped_column(sa.String(20))
    #: The lowest unit price of its plans, excluding VAT, with that plan's model and VAT rate.
    min_price_cents: Mapped[int | None] = mapped_column(sa.BigInteger, index=True)
    min_price_model: Mapped[str | None] = mapped_column(sa.String(30))
    min_price_vat_bp: Mapped[int | None] = mapped_column()
    #: A stable per-listing hash: the neutral default order.
    order_key: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revision_number: Mapped[int] = mapped_column()
    search_text: Mapped[str] = mapped_column(sa.Text)


class CatalogueTag(db.Model):
    """One facet value of a published listing ("level" = "grades_7_9")."""

    __tablename__ = "catalogue_tags"
    __table_args__ = (sa.Index("ix_catalogue_tags_service_id", "service_id"),)

    facet: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    service_id: Mapped[int] = mapped_column(
        sa.ForeignKey("catalogue_entries.service_id", ondelete="CASCADE"), primary_key=True
    )


# Full-text search over published listings: FTS5 on SQLite, a GIN index on PostgreSQL
# with the Finnish configuration (stems) and the simple one (prefixes of the words as
# written). Created with the table and by the migration; Alembic's comparison
# ignores them (migrations/env.py).
FTS_SQLITE = [
    "CREATE VIRTUAL TABLE catalogue_fts USING fts5(name, summary, search_text, content='catalogue_entries', "
    "content_rowid='service_id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER catalogue_fts_ai AFTER INSERT ON catalogue_entries BEGIN INSERT INTO catalogue_fts(rowid, name, "
    "summary, search_text) VALUES (new.service_id, new.name, new.summary, new.search_text); END",
    "CREATE TRIGGER catalogue_fts_ad AFTER DELETE ON catalogue_entries BEGIN INSERT INTO catalogue_fts(catalogue_fts, "
    "rowid, name, summary, search_text) VALUES ('delete', old.service_id, old.name, old.summary, old.search_text); END",
    "CREATE TRIGGER catalogue_fts_au AFTER UPDATE ON catalogue_entries BEGIN INSERT INTO catalogue_fts(catalogue_fts, "
    "rowid, name, summary, search_text) VALUES ('delete', old.service_id, old.name, old.summary, old.search_text); "
    "INSERT INTO catalogue_fts(rowid, name, summary, search_text) VALUES (new.service_id, new.name, new.summary, "
    "new.search_text); END",
]
# On PostgreSQL the documents are stored generated columns, so that a query that scans
# (the planner's choice for common words) never recomputes to_tsvector row by row.
FTS_POSTGRESQL = [
    "ALTER TABLE catalogue_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('finnish', search_text) || to_tsvector('simple', search_text)) STORED",
    "ALTER TABLE catalogue_entries ADD COLUMN name_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('finnish', name) || to_tsvector('simple', name)) STORED",
    "CREATE INDEX ix_catalogue_entries_fts ON catalogue_entries USING gin (search_vector)",
]
FTS_OBJECT_PREFIXES = ("catalogue_fts", "ix_catalogue_entries_fts", "search_vector", "name_vector")

for _statement in FTS_SQLITE:
    sa.event.listen(CatalogueEntry.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="sqlite"))
for _statement in FTS_POSTGRESQL:
    sa.event.listen(CatalogueEntry.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="postgresql"))
sa.event.listen(
    CatalogueEntry.__table__, "before_drop", sa.DDL("DROP TABLE IF EXISTS catalogue_fts").execute_if(dialect="sqlite")
)


class CatalogueState(db.Model):
    """One row: a token that changes whenever the published catalogue changes, so that
    every worker knows when its in-memory facet index is out of date."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(sa.String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ServiceViewCount(db.Model):
    """How many times a published service's public page was viewed on one day (Helsinki
    calendar day). A bare counter: no address, user, cookie or time of day is kept, so the
    statistic holds no personal data."""

    __tablename__ = "service_view_counts"
    __table_args__ = (
        sa.CheckConstraint("views >= 0", name="views"),
        sa.Index("ix_service_view_counts_day", "day"),
    )

    #: The primary key (service_id, day) also serves queries by service.
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    views: Mapped[int] = mapped_column(default=0)
