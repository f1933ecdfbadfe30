"""Covering indexes for the dashboards' figures over accepted orders

Revision ID: e7b2c4d9f013
Revises: 595f5312e671
Create Date: 2026-11-30 04:40:00

"""

from alembic import op

revision = "e7b2c4d9f013"
down_revision = "595f5312e671"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_orders_status_created", "orders",
                    ["status", "created_at", "organisation_id", "provider_id", "net_cents"], unique=False)
    op.create_index("ix_procurement_lines_order_spend", "procurement_lines",
                    ["order_id", "service_id", "provider_id", "net_cents"], unique=False)
    op.create_index("ix_services_id_category", "services", ["id", "category"], unique=False)


def downgrade():
    op.drop_index("ix_services_id_category", table_name="services")
    op.drop_index("ix_procurement_lines_order_spend", table_name="procurement_lines")
    op.drop_index("ix_orders_status_created", table_name="orders")
