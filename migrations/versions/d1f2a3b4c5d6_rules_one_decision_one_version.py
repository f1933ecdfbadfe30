"""Rules: one decision adopts one version

Revision ID: d1f2a3b4c5d6
Revises: c0e1f2a3b4c5
Create Date: 2026-12-07 13:30:00

"""

from alembic import op

revision = "d1f2a3b4c5d6"
down_revision = "c0e1f2a3b4c5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rules_versions") as batch:
        batch.create_unique_constraint("uq_rules_versions_adoption_decision_id", ["adoption_decision_id"])


def downgrade():
    with op.batch_alter_table("rules_versions") as batch:
        batch.drop_constraint("uq_rules_versions_adoption_decision_id", type_="unique")
