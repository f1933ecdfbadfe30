"""Models of the steering bodies and their meetings."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import UTCDateTime, db, one_of, utcnow
from app.files import StoredFile
from app.models import Organisation, User


class Level(enum.StrEnum):
    STRATEGIC = "strategic"
    TACTICAL = "tactical"
    OPERATIONAL = "operational"
    FORUM = "forum"


class DecisionKind(enum.StrEnum):
    RULES_ADOPTION = "rules_adoption"
    PROVIDER_TERMINATION = "provider_termination"
    BUDGET_MAJOR = "budget_major"
    STRATEGY = "strategy"
    LISTING_POLICY = "listing_policy"
    PROVIDER_SUSPENSION = "provider_suspension"
    BUDGET_MINOR = "budget_minor"
    OPERATIONAL = "operational"
    STATEMENT = "statement"
    INFORMATION = "information"


class Role(enum.StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    MEMBER = "member"
    DEPUTY = "deputy"
    SECRETARY = "secretary"
    PRESENTER = "presenter"
    EXPERT = "expert"


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    AGENDA_PUBLISHED = "agenda_published"
    IN_SESSION = "in_session"
    HELD = "held"
    MINUTES_APPROVED = "minutes_approved"


class Resolution(enum.StrEnum):
    APPROVED = "approved"
    APPROVED_AMENDED = "approved_amended"
    APPROVED_AFTER_VOTE = "approved_after_vote"
    REJECTED = "rejected"
    TABLED = "tabled"
    REFERRED_UP = "referred_up"
    DELEGATED_DOWN = "delegated_down"
    NOTED = "noted"


class TaskStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class Body(db.Model):
    __tablename__ = "bodies"
    __table_args__ = (sa.CheckConstraint(one_of("level", Level), name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[str] = mapped_column(sa.String(20))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"))
    mandate: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Body | None] = relationship(remote_side=[id])
    memberships: Mapped[list[Membership]] = relationship(back_populates="body", order_by="Membership.id")

    def may_decide(self, kind: str) -> bool:
        return kind in (self.mandate or [])


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (sa.CheckConstraint(one_of("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    deputy_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("memberships.id"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    voting: Mapped[bool] = mapped_column(default=True)
    term_start: Mapped[date] = mapped_column(sa.Date)
    term_end: Mapped[date | None] = mapped_column(sa.Date)

    body: Mapped[Body] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    deputy_of: Mapped[Membership | None] = relationship(remote_side=[id])

    def active_on(self, day: date) -> bool:
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)

    @property
    def is_voting_seat(self) -> bool:
        """A voting seat of its own (a personal deputy votes only when standing in)."""
        return self.voting and self.role != Role.DEPUTY


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    confidential: Mapped[bool] = mapped_column(default=False)
    legal_basis: Mapped[str] = mapped_column(sa.String(300), default="")
    awaiting_body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    closed: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    awaiting_body: Mapped[Body | None] = relationship()
    items: Mapped[list[AgendaItem]] = relationship(back_populates="case", order_by="AgendaItem.id")


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        sa.UniqueConstraint("body_id", "year", "number", name="uq_meetings_body_year_number"),
        sa.CheckConstraint(one_of("status", MeetingStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    year: Mapped[int] = mapped_column()
    number: Mapped[int] = mapped_column()
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    remote_link: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=MeetingStatus.PLANNED.value, index=True)
    agenda_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Recorded as never quorate: it ended without decisions and its items moved on.
    inquorate: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    checker1_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    checker2_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    body: Mapped[Body] = relationship()
    items: Mapped[list[AgendaItem]] = relationship(back_populates="meeting", order_by="AgendaItem.section")
    attendances: Mapped[list[Attendance]] = relationship(back_populates="meeting")
    minutes: Mapped[list[Minutes]] = relationship(
        back_populates="meeting", order_by="Minutes.version", foreign_keys="Minutes.meeting_id"
    )
    checker1: Mapped[User | None] = relationship(foreign_keys=[checker1_id])
    checker2: Mapped[User | None] = relationship(foreign_keys=[checker2_id])

    @property
    def reference(self) -> str:
        return f"{self.body.code} {self.number}/{self.year}"

    @property
    def locked(self) -> bool:
        return self.status == MeetingStatus.MINUTES_APPROVED

    @property
    def current_minutes(self) -> Minutes | None:
        return self.minutes[-1] if self.minutes else None


class Attendance(db.Model):
    __tablename__ = "attendances"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "membership_id", name="uq_attendances_meeting_membership"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("memberships.id"))
    present: Mapped[bool] = mapped_column(default=False)
    standing_in_for_id: Mapped[int | None] = mapped_column(sa.ForeignKey("memberships.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    membership: Mapped[Membership] = relationship(foreign_keys=[membership_id])
    standing_in_for: Mapped[Membership | None] = relationship(foreign_keys=[standing_in_for_id])


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "section", name="uq_agenda_items_meeting_section"),
        sa.UniqueConstraint("meeting_id", "case_id", name="uq_agenda_items_meeting_case"),
        sa.CheckConstraint(one_of("decision_kind", DecisionKind), name="decision_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    section: Mapped[int] = mapped_column()
    presenter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    proposal: Mapped[str] = mapped_column(sa.Text, default="")
    decision_kind: Mapped[str] = mapped_column(sa.String(30))
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    case: Mapped[Case] = relationship(back_populates="items")
    presenter: Mapped[User | None] = relationship()
    recusals: Mapped[list[Recusal]] = relationship(back_populates="item", order_by="Recusal.id")
    vote_rounds: Mapped[list[VoteRound]] = relationship(back_populates="item", order_by="VoteRound.id")
    attachments: Mapped[list[ItemAttachment]] = relationship(back_populates="item", order_by="ItemAttachment.id")
    decision: Mapped[Decision | None] = relationship(back_populates="item", uselist=False)

    __mapper_args__ = {"version_id_col": version}

    @property
    def reference(self) -> str:
        return f"{self.meeting.reference} § {self.section}"


class ItemAttachment(db.Model):
    __tablename__ = "item_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_items.id"), index=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    public: Mapped[bool] = mapped_column(default=True)

    item: Mapped[AgendaItem] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship()


class Recusal(db.Model):
    __tablename__ = "recusals"
    __table_args__ = (sa.UniqueConstraint("item_id", "membership_id", name="uq_recusals_item_membership"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_items.id"), index=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("memberships.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[AgendaItem] = relationship(back_populates="recusals")
    membership: Mapped[Membership] = relationship()


class VoteRound(db.Model):
    __tablename__ = "vote_rounds"
    __table_args__ = (
        # One open vote per item at a time.
        sa.Index(
            "uq_vote_rounds_open_item",
            "item_id",
            unique=True,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_items.id"), index=True)
    counter_proposal: Mapped[str] = mapped_column(sa.Text)
    mover_id: Mapped[int] = mapped_column(sa.ForeignKey("memberships.id"))
    seconder_id: Mapped[int] = mapped_column(sa.ForeignKey("memberships.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[AgendaItem] = relationship(back_populates="vote_rounds")
    mover: Mapped[Membership] = relationship(foreign_keys=[mover_id])
    seconder: Mapped[Membership] = relationship(foreign_keys=[seconder_id])
    ballots: Mapped[list[Ballot]] = relationship(back_populates="round", order_by="Ballot.id")


class Ballot(db.Model):
    __tablename__ = "ballots"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "membership_id", name="uq_ballots_round_membership"),
        sa.CheckConstraint("choice IN ('proposal', 'counter', 'blank')", name="choice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("vote_rounds.id"), index=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("memberships.id"))
    choice: Mapped[str] = mapped_column(sa.String(10))

    round: Mapped[VoteRound] = relationship(back_populates="ballots")
    membership: Mapped[Membership] = relationship()


class Decision(db.Model):
    __tablename__ = "decisions"
    __table_args__ = (sa.CheckConstraint(one_of("resolution", Resolution), name="resolution"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_items.id"), unique=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    #: The register's stable address, e.g. OR-3-2026-5 for OR 3/2026 § 5.
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    #: The case title when decided (the register searches titles and texts).
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    kind: Mapped[str] = mapped_column(sa.String(30), index=True)
    resolution: Mapped[str] = mapped_column(sa.String(30), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    referred_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"))
    decided_on: Mapped[date] = mapped_column(sa.Date, index=True)
    #: Personal data in the text is hidden from the public register from this day
    #: (after the appeal period); the redacted text is shown instead.
    personal_data_hidden_from: Mapped[date | None] = mapped_column(sa.Date)
    redacted_text: Mapped[str] = mapped_column(sa.Text, default="")
    #: Set when the minutes are approved: the decision is then public in the register.
    effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[AgendaItem] = relationship(back_populates="decision")
    case: Mapped[Case] = relationship()
    body: Mapped[Body] = relationship(foreign_keys=[body_id])
    referred_to: Mapped[Body | None] = relationship(foreign_keys=[referred_to_id])
    dissents: Mapped[list[Dissent]] = relationship(back_populates="decision", order_by="Dissent.id")
    tasks: Mapped[list[Task]] = relationship(back_populates="decision", order_by="Task.id")

    @property
    def effective(self) -> bool:
        """A decision takes effect when the minutes of its meeting are approved."""
        return self.item.meeting.status == MeetingStatus.MINUTES_APPROVED

    def public_text(self, today: date) -> str:
        if self.personal_data_hidden_from is not None and today >= self.personal_data_hidden_from:
            return self.redacted_text
        return self.text


def decision_slug(reference: str) -> str:
    """OR 3/2026 § 5 -> OR-3-2026-5"""
    return "-".join(part for part in reference.replace("/", " ").replace("§", " ").split())


# Full-text search over decision titles and texts: FTS5 on SQLite, a GIN index with
# the Finnish configuration on PostgreSQL. Created with the table (tests) and by the
# migration; Alembic's comparison ignores them (migrations/env.py).
FTS_SQLITE = [
    "CREATE VIRTUAL TABLE decisions_fts USING fts5(title, text, redacted_text, content='decisions', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER decisions_fts_ai AFTER INSERT ON decisions BEGIN INSERT INTO decisions_fts(rowid, title, text, "
    "redacted_text) VALUES (new.id, new.title, new.text, new.redacted_text); END",
    "CREATE TRIGGER decisions_fts_ad AFTER DELETE ON decisions BEGIN INSERT INTO decisions_fts(decisions_fts, rowid, "
    "title, text, redacted_text) VALUES ('delete', old.id, old.title, old.text, old.redacted_text); END",
    "CREATE TRIGGER decisions_fts_au AFTER UPDATE ON decisions BEGIN INSERT INTO decisions_fts(decisions_fts, rowid, "
    "title, text, redacted_text) VALUES ('delete', old.id, old.title, old.text, old.redacted_text); "
    "INSERT INTO decisions_fts(rowid, title, text, redacted_text) VALUES (new.id, new.title, new.text, "
    "new.redacted_text); END",
]
FTS_POSTGRESQL = [
    "CREATE INDEX ix_decisions_fts ON decisions USING gin (to_tsvector('finnish', coalesce(title, '') || ' ' || "
    "coalesce(text, '') || ' ' || coalesce(redacted_text, '')))",
]
FTS_OBJECT_PREFIXES = ("decisions_fts", "ix_decisions_fts")

for _statement in FTS_SQLITE:
    sa.event.listen(Decision.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="sqlite"))
for _statement in FTS_POSTGRESQL:
    sa.event.listen(Decision.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="postgresql"))
sa.event.listen(
    Decision.__table__, "before_drop", sa.DDL("DROP TABLE IF EXISTS decisions_fts").execute_if(dialect="sqlite")
)


class Dissent(db.Model):
    __tablename__ = "dissents"
    __table_args__ = (sa.UniqueConstraint("decision_id", "membership_id", name="uq_dissents_decision_membership"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("decisions.id"), index=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("memberships.id"))
    text: Mapped[str] = mapped_column(sa.Text)

    decision: Mapped[Decision] = relationship(back_populates="dissents")
    membership: Mapped[Membership] = relationship()


class Minutes(db.Model):
    """One version of a meeting's minutes. Corrections after locking add a version."""

    __tablename__ = "minutes"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "version", name="uq_minutes_meeting_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    #: The whole minutes, for the body's members and the coordinator's staff.
    body: Mapped[str] = mapped_column(sa.Text)
    #: The version for everyone, once the minutes are approved: confidential matters by their title and
    #: the legal basis only, personal data as redacted. Empty for minutes written before it existed.
    public_body: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    checker1_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checker2_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"))
    chair_signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    chair_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    secretary_signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    secretary_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="minutes", foreign_keys=[meeting_id])
    approved_by_meeting: Mapped[Meeting | None] = relationship(foreign_keys=[approved_by_meeting_id])
    chair_signed_by: Mapped[User | None] = relationship(foreign_keys=[chair_signed_by_id])
    secretary_signed_by: Mapped[User | None] = relationship(foreign_keys=[secretary_signed_by_id])

    @property
    def approved(self) -> bool:
        return self.approved_by_meeting_id is not None or bool(self.checker1_approved_at and self.checker2_approved_at)

    @property
    def signed(self) -> bool:
        return bool(self.chair_signed_at and self.secretary_signed_at)


class Task(db.Model):
    """An implementation task that follows a decision."""

    __tablename__ = "tasks"
    __table_args__ = (sa.CheckConstraint(one_of("status", TaskStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("decisions.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    owner_body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    owner_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=TaskStatus.NOT_STARTED.value, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    decision: Mapped[Decision] = relationship(back_populates="tasks")
    owner_body: Mapped[Body | None] = relationship()
    owner_user: Mapped[User | None] = relationship()
    notes: Mapped[list[TaskNote]] = relationship(back_populates="task", order_by="TaskNote.id")

    def overdue(self, today: date) -> bool:
        return self.status in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS) and self.due_on < today


class TaskNote(db.Model):
    __tablename__ = "task_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task: Mapped[Task] = relationship(back_populates="notes")
    user: Mapped[User] = relationship()
