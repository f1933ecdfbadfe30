"""Follow-up: the tasks that decisions give, and the effective decisions of a kind."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from app import audit
from app.clock import helsinki_today
from app.concurrency import lock
from app.extensions import db
from app.models import User
from app.services import ServiceError
from governance.steering.models import (
    Body,
    Decision,
    Resolution,
    Task,
    TaskNote,
    TaskStatus,
)
from governance.steering.services.decisions import decisions_effective_query


def add_task(
    actor: User, decision: Decision, description: str, due_on: date, owner_body: Body | None, owner_user: User | None
) -> Task:
    if owner_body is None and owner_user is None:
        raise ServiceError(_("Name who is responsible: a body or a person."))
    task = Task(
        decision=decision, description=description.strip(), due_on=due_on, owner_body=owner_body, owner_user=owner_user
    )
    db.session.add(task)
    audit.record(actor, "task.created", task, decision=decision.reference, due_on=due_on.isoformat())
    return task


def update_task(actor: User, task: Task, status: TaskStatus, note: str) -> None:
    lock(task)
    old = task.status
    if old == status.value and not note.strip():
        return  # nothing changes
    task.status = status.value
    if note.strip():
        db.session.add(TaskNote(task=task, user=actor, text=note.strip()))
    audit.record(actor, "task.updated", task, old=old, new=status.value, note=note.strip())


def overdue_tasks(body: Body, today: date | None = None) -> list[Task]:
    today = today or helsinki_today()
    stmt = (
        sa.select(Task)
        .join(Decision, Task.decision_id == Decision.id)
        .where(
            sa.or_(Task.owner_body_id == body.id, sa.and_(Task.owner_body_id.is_(None), Decision.body_id == body.id)),
            Task.status.in_([TaskStatus.NOT_STARTED.value, TaskStatus.IN_PROGRESS.value]),
            Task.due_on < today,
        )
        .order_by(Task.due_on)
    )
    return list(db.session.scalars(stmt))


def decisions_for_kind(kinds: tuple[str, ...]) -> list[Decision]:
    """Effective decisions of the given kinds, newest first (for linking rules adoption or provider status)."""
    stmt = decisions_effective_query().where(
        Decision.kind.in_(kinds),
        Decision.resolution.in_(
            [Resolution.APPROVED.value, Resolution.APPROVED_AMENDED.value, Resolution.APPROVED_AFTER_VOTE.value]
        ),
    )
    return list(db.session.scalars(stmt.order_by(Decision.id.desc())))
