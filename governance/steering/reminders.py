"""Reminders of overdue follow-up tasks to the secretaries of the body that owns the task: the day
after it falls due and then once a week while it stays open (not started or in progress).

Each reminder is written once per task and overdue week (`task_reminders`, unique) in the
transaction that queues its mails, so however many hosts run the job, a week's reminder goes out
once. The mail names the decision and the due date and links to the task; the task's text is left
out when its case is confidential (a mail can be forwarded; the page checks who reads it).
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
from app.models import User
from app.urls import external_url
from governance.steering.models import Membership, Role, Task, TaskStatus

OPEN = (TaskStatus.NOT_STARTED.value, TaskStatus.IN_PROGRESS.value)


class TaskReminder(db.Model):
    """One week's reminder of one overdue task."""

    __tablename__ = "task_reminders"
    __table_args__ = (sa.UniqueConstraint("task_id", "overdue_week", name="uq_task_reminders_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    overdue_week: Mapped[int] = mapped_column()
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def overdue_week(due_on: date, today: date) -> int | None:
    """0 in the first week after the due date, 1 in the second, ...; None while not overdue."""
    late = (today - due_on).days
    return None if late < 1 else (late - 1) // 7


def _claim(task: Task, week: int) -> bool:
    return insert_once(
        TaskReminder.__table__, ["task_id", "overdue_week"], task_id=task.id, overdue_week=week, sent_at=utcnow()
    )


def send_overdue_task_reminders(today: date) -> int:
    """Queue this week's reminders of overdue tasks; returns how many tasks were reminded of."""
    tasks = db.session.scalars(
        sa.select(Task)
        .where(Task.status.in_(OPEN), Task.due_on < today, Task.owner_body_id.is_not(None))
        .order_by(Task.id)
    ).all()
    reminded = 0
    for task in tasks:
        week = overdue_week(task.due_on, today)
        if week is None or not _claim(task, week):
            continue
        secretaries = db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.body_id == task.owner_body_id,
                Membership.role == Role.SECRETARY.value,
                Membership.term_start <= today,
                sa.or_(Membership.term_end.is_(None), Membership.term_end >= today),
                User.active.is_(True),
            )
            .distinct()
        ).all()
        decision = task.decision
        confidential = decision.case.confidential
        due = f"{task.due_on.day}.{task.due_on.month}.{task.due_on.year}"
        for secretary in secretaries:
            queue_mail(
                secretary.email,
                _l("Follow-up task of decision %(reference)s is overdue", reference=decision.reference),
                "task_overdue",
                secretary.locale,
                user=secretary,
                task=task,
                reference=decision.reference,
                due=due,
                days=(today - task.due_on).days,
                description="" if confidential else task.description,
                link=external_url("steering.task", task_id=task.id),
            )
        audit.record(None, "task.reminder_sent", task, overdue_week=week, recipients=len(secretaries))
        reminded += 1
    return reminded
