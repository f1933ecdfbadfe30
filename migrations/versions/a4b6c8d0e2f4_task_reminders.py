"""Steering: the overdue-task reminders sent (one per task and overdue week)

Revision ID: a4b6c8d0e2f4
Revises: f3a5b7c9d1e2
Create Date: 2026-12-08 01:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a4b6c8d0e2f4"
down_revision = "f3a5b7c9d1e2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "task_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("overdue_week", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_task_reminders_task_id_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_reminders")),
        sa.UniqueConstraint("task_id", "overdue_week", name="uq_task_reminders_week"),
    )
    with op.batch_alter_table("task_reminders") as batch:
        batch.create_index(batch.f("ix_task_reminders_task_id"), ["task_id"])


def downgrade():
    with op.batch_alter_table("task_reminders") as batch:
        batch.drop_index(batch.f("ix_task_reminders_task_id"))
    op.drop_table("task_reminders")
