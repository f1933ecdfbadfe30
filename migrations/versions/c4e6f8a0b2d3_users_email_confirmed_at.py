"""Users: when the e-mail address was confirmed

Revision ID: c4e6f8a0b2d3
Revises: b3d5e7f9a1c2
Create Date: 2026-12-08 09:30:00

A sign-up now creates the account unconfirmed and mails a link; the person signs in only once the
address is confirmed. Every account from before this revision is taken as confirmed when it was
created (it could sign in until now).
"""

import sqlalchemy as sa
from alembic import op

revision = "c4e6f8a0b2d3"
down_revision = "b3d5e7f9a1c2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE users SET email_confirmed_at = created_at")


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_confirmed_at")
