"""Steering: each thing once (one open vote per item, a case once per meeting, one dissent per member
and decision) and meetings recorded as inquorate

Revision ID: c0e1f2a3b4c5
Revises: b9d0e1f2a3b4
Create Date: 2026-12-07 11:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c0e1f2a3b4c5"
down_revision = "b9d0e1f2a3b4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("inquorate", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("agenda_items") as batch:
        batch.create_unique_constraint("uq_agenda_items_meeting_case", ["meeting_id", "case_id"])
    with op.batch_alter_table("dissents") as batch:
        batch.create_unique_constraint("uq_dissents_decision_membership", ["decision_id", "membership_id"])
    op.create_index("uq_vote_rounds_open_item", "vote_rounds", ["item_id"], unique=True,
                    sqlite_where=sa.text("closed_at IS NULL"), postgresql_where=sa.text("closed_at IS NULL"))


def downgrade():
    op.drop_index("uq_vote_rounds_open_item", table_name="vote_rounds")
    with op.batch_alter_table("dissents") as batch:
        batch.drop_constraint("uq_dissents_decision_membership", type_="unique")
    with op.batch_alter_table("agenda_items") as batch:
        batch.drop_constraint("uq_agenda_items_meeting_case", type_="unique")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("inquorate")
