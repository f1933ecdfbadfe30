"""Outbox: each message claimed before it is sent, retried with backoff, given up on at last

Revision ID: e2f4a6b8c0d1
Revises: c4e6f8a0b2d3
Create Date: 2026-12-08 00:20:00

`next_attempt_at`: when the message may be tried (next) (NULL: now); a sender that claims it
moves it ahead by its lease, so no other sender takes it meanwhile, and a sender that dies
leaves it due again when the lease runs out. `dead_at`: delivery given up after the last
attempt (the coordinator may retry it). Messages queued before this revision are due at once;
those already past ten attempts are marked as given up.
"""

import sqlalchemy as sa
from alembic import op

revision = "e2f4a6b8c0d1"
down_revision = "c4e6f8a0b2d3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_outbox_messages_next_attempt_at", ["next_attempt_at"])
        batch.create_index("ix_outbox_messages_dead_at", ["dead_at"])
    op.execute("UPDATE outbox_messages SET dead_at = created_at WHERE sent_at IS NULL AND attempts >= 10")


def downgrade():
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_index("ix_outbox_messages_dead_at")
        batch.drop_index("ix_outbox_messages_next_attempt_at")
        batch.drop_column("dead_at")
        batch.drop_column("next_attempt_at")
