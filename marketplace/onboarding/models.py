"""Marketplace models: provider onboarding (applications, attachments,
review comments, provider status changes). Listings and orders arrive with
their issues."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import UTCDateTime, db, one_of, utcnow
from app.files import StoredFile
from app.models import Organisation, User
from governance.rules.models import RulesAcceptance
from governance.steering.models import Decision


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


#: Statuses in which the applicant may edit the answers.
EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.CHANGES_REQUESTED)
#: Statuses that are still open (not decided, not withdrawn).
OPEN = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.CHANGES_REQUESTED,
)


class PreAssessment(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NEEDS_REVIEW = "needs_review"


class ProviderApplication(db.Model):
    """A provider's joining application. Answers are kept per wizard step as the
    person typed them, so nothing entered is lost even before it validates."""

    __tablename__ = "provider_applications"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", ApplicationStatus), name="status"),
        sa.CheckConstraint(
            f"pre_assessment IS NULL OR {one_of('pre_assessment', PreAssessment)}", name="pre_assessment"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default=ApplicationStatus.DRAFT.value, index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    completed_steps: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    pre_assessment: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    pre_assessment_reasons: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    rules_acceptance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rules_acceptances.id"))
    submission_count: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    rules_acceptance: Mapped[RulesAcceptance | None] = relationship()
    attachments: Mapped[list[ApplicationAttachment]] = relationship(
        back_populates="application", order_by="ApplicationAttachment.kind"
    )
    comments: Mapped[list[ApplicationComment]] = relationship(
        back_populates="application", order_by="ApplicationComment.id"
    )
    submissions: Mapped[list[ApplicationSubmission]] = relationship(
        back_populates="application", order_by="ApplicationSubmission.number"
    )

    @property
    def is_editable(self) -> bool:
        return self.status in {s.value for s in EDITABLE}

    @property
    def is_open(self) -> bool:
        return self.status in {s.value for s in OPEN}

    def step(self, slug: str) -> dict[str, Any]:
        return dict((self.answers or {}).get(slug) or {})

    def attachment(self, kind: str) -> ApplicationAttachment | None:
        return next((a for a in self.attachments if a.kind == kind), None)


class ApplicationSubmission(db.Model):
    """A snapshot of the answers at each submission, to show what changed."""

    __tablename__ = "application_submissions"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "number", name="uq_application_submissions_application_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("provider_applications.id"))
    number: Mapped[int] = mapped_column()
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    attachment_hashes: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[ProviderApplication] = relationship(back_populates="submissions")


class ApplicationAttachment(db.Model):
    __tablename__ = "application_attachments"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "kind", name="uq_application_attachments_application_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("provider_applications.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[ProviderApplication] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship()


class ApplicationComment(db.Model):
    __tablename__ = "application_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("provider_applications.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    visible_to_applicant: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[ProviderApplication] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


class ProviderStatusChange(db.Model):
    """Suspension, termination and reinstatement of a provider, with the reason and the decision."""

    __tablename__ = "provider_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    old_status: Mapped[str] = mapped_column(sa.String(20))
    new_status: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.Text)
    decision_ref: Mapped[str] = mapped_column(sa.String(120), default="")
    decision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("decisions.id"))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    actor: Mapped[User] = relationship()
    decision: Mapped[Decision | None] = relationship()
