"""Dashboards: municipalities' pupil counts, and daily view counts of the public service pages

Revision ID: 595f5312e671
Revises: d41e7a9c0b12
Create Date: 2026-11-30 04:01:11

"""
from alembic import op
import sqlalchemy as sa


revision = '595f5312e671'
down_revision = 'd41e7a9c0b12'
branch_labels = None
depends_on = None


def upgrade():
    # Views per service and Helsinki calendar day: a bare counter, no personal data.
    op.create_table(
        'service_view_counts',
        sa.Column('service_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('views', sa.Integer(), nullable=False),
        sa.CheckConstraint('views >= 0', name=op.f('ck_service_view_counts_views')),
        sa.ForeignKeyConstraint(['service_id'], ['services.id'],
                                name=op.f('fk_service_view_counts_service_id_services')),
        sa.PrimaryKeyConstraint('service_id', 'day', name=op.f('pk_service_view_counts')),
    )
    op.create_index('ix_service_view_counts_day', 'service_view_counts', ['day'], unique=False)
    # A nullable column: ALTER TABLE ADD COLUMN on both databases, no table rebuild.
    op.add_column('organisations', sa.Column('pupil_count', sa.Integer(), nullable=True))


def downgrade():
    # SQLite >= 3.35 and PostgreSQL drop a column in place (no batch rebuild of a table
    # that many others reference).
    op.drop_column('organisations', 'pupil_count')
    op.drop_index('ix_service_view_counts_day', table_name='service_view_counts')
    op.drop_table('service_view_counts')
