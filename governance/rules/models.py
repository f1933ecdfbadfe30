"""Governance models: the versioned rules of the ecosystem.

Bodies, meetings and decisions arrive with the steering issue.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import UTCDateTime, db, one_of, utcnow
from app.models import Organisation, User


class RulesStatus(enum.StrEnum):
    DRAFT = "draft"
    CONSULTATION = "consultation"
    ADOPTED = "adopted"
    IN_FORCE = "in_force"
    SUPERSEDED = "superseded"


def text_sha256(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


class RulesVersion(db.Model):
    __tablename__ = "rules_versions"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", RulesStatus), name="status"),
        # Exactly one version may be in force: a partial unique index on both databases.
        sa.Index(
            "uq_rules_versions_one_in_force",
            "status",
            unique=True,
            sqlite_where=sa.text("status = 'in_force'"),
            postgresql_where=sa.text("status = 'in_force'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(20), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    body_sha256: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(20), default=RulesStatus.DRAFT.value, index=True)
    consultation_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consultation_closes_on: Mapped[date | None] = mapped_column(sa.Date)
    #: The steering group's decision that adopted this version (one decision adopts one version).
    adoption_decision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("decisions.id"), unique=True)
    adoption_decision_ref: Mapped[str | None] = mapped_column(sa.String(120))
    adoption_decision_date: Mapped[date | None] = mapped_column(sa.Date)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    effective_date: Mapped[date | None] = mapped_column(sa.Date, index=True)
    reacceptance_deadline: Mapped[date | None] = mapped_column(sa.Date)
    entered_into_force_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    adoption_decision: Mapped[Decision | None] = relationship()  # noqa: F821 - governance.steering.models
    translations: Mapped[list[RulesTranslation]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="RulesTranslation.locale"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == RulesStatus.DRAFT

    @property
    def is_public(self) -> bool:
        return self.status != RulesStatus.DRAFT

    @property
    def is_acceptable(self) -> bool:
        """Providers can accept a version once it is adopted, until it is superseded."""
        return self.status in (RulesStatus.ADOPTED, RulesStatus.IN_FORCE)

    def consultation_open(self, today: date) -> bool:
        return (
            self.status == RulesStatus.CONSULTATION
            and self.consultation_closes_on is not None
            and today <= self.consultation_closes_on
        )

    def consultation_closed(self, today: date) -> bool:
        """Comments become public once the consultation is over."""
        if self.consultation_opened_at is None:
            return False
        return not self.consultation_open(today)

    def text_for(self, locale: str) -> tuple[str, str, str]:
        """(title, body, locale shown): a translation when one exists, else the Finnish text."""
        for translation in self.translations:
            if translation.locale == locale and translation.body.strip():
                return translation.title or self.title, translation.body, locale
        return self.title, self.body, "fi"

    def sections(self) -> list[str]:
        """The Markdown headings, for commenting per section."""
        return [
            line.lstrip("#").strip()
            for line in self.body.splitlines()
            if line.startswith("#") and line.lstrip("#").strip()
        ]

    def __repr__(self) -> str:
        return f"<RulesVersion {self.label} {self.status}>"


class RulesTranslation(db.Model):
    """The rules text in another language; the Finnish text is the binding one."""

    __tablename__ = "rules_translations"
    __table_args__ = (sa.UniqueConstraint("version_id", "locale", name="uq_rules_translations_version_locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("rules_versions.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(sa.String(5))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")

    version: Mapped[RulesVersion] = relationship(back_populates="translations")


class RulesComment(db.Model):
    __tablename__ = "rules_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("rules_versions.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    section: Mapped[str] = mapped_column(sa.String(200), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response: Mapped[str] = mapped_column(sa.Text, default="")
    responded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[RulesVersion] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship()


class RulesAcceptance(db.Model):
    """An organisation's acceptance of one version. Written once, never edited or deleted."""

    __tablename__ = "rules_acceptances"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "organisation_id", name="uq_rules_acceptances_version_organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("rules_versions.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    signatory_name: Mapped[str] = mapped_column(sa.String(200))
    signatory_title: Mapped[str] = mapped_column(sa.String(200))
    signing_authority_confirmed: Mapped[bool] = mapped_column(default=False)
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="")
    text_sha256: Mapped[str] = mapped_column(sa.String(64))

    version: Mapped[RulesVersion] = relationship()
    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship()


class ImmutableRecordError(Exception):
    """Raised when code tries to change a record that must stay as written."""


@event.listens_for(RulesAcceptance, "before_update")
def _acceptance_never_changes(mapper, connection, target) -> None:
    raise ImmutableRecordError("a rules acceptance cannot be edited")


@event.listens_for(RulesAcceptance, "before_delete")
def _acceptance_never_deleted(mapper, connection, target) -> None:
    raise ImmutableRecordError("a rules acceptance cannot be deleted")
