"""Minutes: a public version beside the whole minutes

Revision ID: f1a2b3c4d5e6
Revises: e7b2c4d9f013
Create Date: 2026-12-07 10:00:00

Minutes written before this revision get an empty public version: the public reads
"not prepared yet" until the secretary saves one (the edit form offers a generated draft).
"""

import sqlalchemy as sa
from alembic import op

revision = "f1a2b3c4d5e6"
down_revision = "e7b2c4d9f013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("minutes") as batch:
        batch.add_column(sa.Column("public_body", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("minutes") as batch:
        batch.drop_column("public_body")
