"""Accounts and organisations: the people and the bodies they act for."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import UTCDateTime, db, one_of, utcnow


class OrgKind(enum.StrEnum):
    MUNICIPALITY = "municipality"
    PROVIDER = "provider"
    COORDINATOR = "coordinator"


class OrgStatus(enum.StrEnum):
    #: A provider that has registered but whose joining application is not approved.
    APPLICANT = "applicant"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class OrgRole(enum.StrEnum):
    ADMIN = "admin"
    MEMBER = "member"
    BUYER = "buyer"
    APPROVER = "approver"


#: The roles each kind of organisation can give its people.
ROLES_BY_KIND: dict[OrgKind, tuple[OrgRole, ...]] = {
    OrgKind.MUNICIPALITY: (OrgRole.ADMIN, OrgRole.BUYER, OrgRole.APPROVER, OrgRole.MEMBER),
    OrgKind.PROVIDER: (OrgRole.ADMIN, OrgRole.MEMBER),
    OrgKind.COORDINATOR: (OrgRole.ADMIN, OrgRole.MEMBER),
}


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", OrgKind), name="kind"),
        sa.CheckConstraint(one_of("status", OrgStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    business_id: Mapped[str | None] = mapped_column(sa.String(9), unique=True)
    municipality_code: Mapped[str | None] = mapped_column(sa.String(3), unique=True)
    einvoice_address: Mapped[str | None] = mapped_column(sa.String(35))
    einvoice_operator: Mapped[str | None] = mapped_column(sa.String(35))
    #: A municipality's pupils in basic education and upper secondary school, as the
    #: coordinator records it (the dashboards' "licences per pupil"); None when unknown.
    pupil_count: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(20), default=OrgStatus.ACTIVE.value, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def is_municipality(self) -> bool:
        return self.kind == OrgKind.MUNICIPALITY

    @property
    def is_provider(self) -> bool:
        return self.kind == OrgKind.PROVIDER

    @property
    def is_coordinator(self) -> bool:
        return self.kind == OrgKind.COORDINATOR

    @property
    def roles(self) -> tuple[OrgRole, ...]:
        return ROLES_BY_KIND[OrgKind(self.kind)]

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.name!r}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint(one_of("org_role", OrgRole), name="org_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    org_role: Mapped[str | None] = mapped_column(sa.String(20))
    locale: Mapped[str] = mapped_column(sa.String(5), default="fi")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the person proved the address is theirs (the sign-up link, an invitation, a reset link);
    #: None: signed up but not confirmed, so they cannot sign in yet.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    # The sign-in session of the current request (app.sessions sets both; neither is a column):
    # the token from the cookie and its `UserSession` row.
    login_token = None
    login_session = None

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot sign in
        return self.active

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def get_id(self) -> str:
        """Flask-Login's id, kept in the session and remember cookies: the user and the session
        ("<user id>:<token>", see app.sessions), so that ending the session ends every copy."""
        if not self.login_token:
            raise RuntimeError("sign in through app.sessions.start(): a sign-in needs a session record")
        return f"{self.id}:{self.login_token}"

    # UserMixin compares get_id(); two objects are the same person whatever session they came with.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, User):
            return self.id == other.id
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        return not self == other if isinstance(other, User) else NotImplemented

    __hash__ = object.__hash__

    @property
    def is_coordinator(self) -> bool:
        return self.organisation is not None and self.organisation.is_coordinator

    def has_role(self, *roles: OrgRole | str) -> bool:
        return self.org_role in {str(r) for r in roles}

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Invitation(db.Model):
    """An organisation admin's invitation; the e-mailed link carries its signed id."""

    __tablename__ = "invitations"
    __table_args__ = (sa.CheckConstraint(one_of("org_role", OrgRole), name="org_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    org_role: Mapped[str] = mapped_column(sa.String(20))
    invited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class JoinRequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class JoinRequest(db.Model):
    """A registered person asking to join an existing municipality."""

    __tablename__ = "join_requests"
    __table_args__ = (sa.CheckConstraint(one_of("status", JoinRequestStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=JoinRequestStatus.PENDING.value, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship()
