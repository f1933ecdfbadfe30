"""Rules: the re-acceptance reminders sent (one per version, provider and stage)

Revision ID: f3a5b7c9d1e2
Revises: e2f4a6b8c0d1
Create Date: 2026-12-08 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f3a5b7c9d1e2"
down_revision = "e2f4a6b8c0d1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rules_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_rules_reminders_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["rules_versions.id"], name=op.f("fk_rules_reminders_version_id_rules_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rules_reminders")),
        sa.UniqueConstraint("version_id", "organisation_id", "days_before", name="uq_rules_reminders_stage"),
    )
    with op.batch_alter_table("rules_reminders") as batch:
        batch.create_index(batch.f("ix_rules_reminders_organisation_id"), ["organisation_id"])
        batch.create_index(batch.f("ix_rules_reminders_version_id"), ["version_id"])


def downgrade():
    with op.batch_alter_table("rules_reminders") as batch:
        batch.drop_index(batch.f("ix_rules_reminders_version_id"))
        batch.drop_index(batch.f("ix_rules_reminders_organisation_id"))
    op.drop_table("rules_reminders")
