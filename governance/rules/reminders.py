"""Reminders to providers that have not accepted a version of the rules before its re-acceptance
deadline: to each provider's admins 30, 7 and 1 days before it (REMINDER_DAYS).

Each reminder is written once per version, provider and stage (`rules_reminders`, unique), in the
transaction that queues its mails: however many hosts run the daily job, and however often, a
provider gets each reminder once. A job that did not run on the day of a stage (a host was down)
sends the stage that is due then, not every one it missed: at 5 days left, the 7-day reminder.
Plain functions that add and flush, never commit (the job commits)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from app import audit
from app.concurrency import insert_once
from app.extensions import UTCDateTime, db, utcnow
from app.mail import queue_mail
from app.models import Organisation, OrgKind, OrgRole, OrgStatus, User
from app.urls import external_url
from governance.rules.models import RulesAcceptance, RulesStatus, RulesVersion

#: Days before the deadline on which providers that have not accepted are reminded.
REMINDER_DAYS = (30, 7, 1)


class RulesReminder(db.Model):
    """One reminder stage sent to one provider about one version."""

    __tablename__ = "rules_reminders"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "organisation_id", "days_before", name="uq_rules_reminders_stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("rules_versions.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    days_before: Mapped[int] = mapped_column()
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def stage_due(deadline: date, today: date) -> int | None:
    """The reminder stage due today: the nearest of REMINDER_DAYS at or above the days left, or
    None before the first stage and after the deadline."""
    left = (deadline - today).days
    if left < 0:
        return None
    due = [days for days in REMINDER_DAYS if left <= days]
    return min(due) if due else None


def _claim(version: RulesVersion, org: Organisation, days: int) -> bool:
    """Record the stage for this provider unless it already is (a concurrent run's row counts)."""
    return insert_once(
        RulesReminder.__table__,
        ["version_id", "organisation_id", "days_before"],
        version_id=version.id,
        organisation_id=org.id,
        days_before=days,
        sent_at=utcnow(),
    )


def send_reacceptance_reminders(today: date) -> int:
    """Queue today's reminders; returns how many providers were reminded."""
    versions = db.session.scalars(
        sa.select(RulesVersion).where(
            RulesVersion.status.in_([RulesStatus.ADOPTED.value, RulesStatus.IN_FORCE.value]),
            RulesVersion.reacceptance_deadline.is_not(None),
        )
    ).all()
    reminded = 0
    for version in versions:
        assert version.reacceptance_deadline is not None
        days = stage_due(version.reacceptance_deadline, today)
        if days is None:
            continue
        accepted = sa.select(RulesAcceptance.organisation_id).where(RulesAcceptance.version_id == version.id)
        providers = db.session.scalars(
            sa.select(Organisation)
            .where(
                Organisation.kind == OrgKind.PROVIDER.value,
                Organisation.status == OrgStatus.ACTIVE.value,
                Organisation.id.not_in(accepted),
            )
            .order_by(Organisation.id)
        ).all()
        for org in providers:
            if not _claim(version, org, days):
                continue
            admins = db.session.scalars(
                sa.select(User).where(
                    User.organisation_id == org.id, User.org_role == OrgRole.ADMIN.value, User.active.is_(True)
                )
            ).all()
            link = external_url("rules.accept", label=version.label)
            deadline = version.reacceptance_deadline
            due = f"{deadline.day}.{deadline.month}.{deadline.year}"
            for admin in admins:
                queue_mail(
                    admin.email,
                    _l(
                        "Accept version %(label)s of the DigiOne rules by %(deadline)s",
                        label=version.label,
                        deadline=due,
                    ),
                    "rules_reminder",
                    admin.locale,
                    user=admin,
                    org=org,
                    version=version,
                    days=(deadline - today).days,
                    deadline=due,
                    link=link,
                )
            audit.record(
                None, "rules.reminder_sent", org, version=version.label, days_before=days, recipients=len(admins)
            )
            reminded += 1
    return reminded
