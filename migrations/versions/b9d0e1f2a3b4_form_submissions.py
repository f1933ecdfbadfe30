"""Form submissions: each form takes effect once

Revision ID: b9d0e1f2a3b4
Revises: a8c9d0e1f2a3
Create Date: 2026-12-07 11:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b9d0e1f2a3b4"
down_revision = "a8c9d0e1f2a3"
branch_labels = None
depends_on = None

def upgrade():
    op.create_table(
        "form_submissions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("endpoint", sa.String(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submissions")),
    )
    with op.batch_alter_table("form_submissions") as batch:
        batch.create_index(batch.f("ix_form_submissions_created_at"), ["created_at"], unique=False)

def downgrade():
    with op.batch_alter_table("form_submissions") as batch:
        batch.drop_index(batch.f("ix_form_submissions_created_at"))
    op.drop_table("form_submissions")
