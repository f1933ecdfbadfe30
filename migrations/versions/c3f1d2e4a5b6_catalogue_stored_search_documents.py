"""catalogue: stored full-text documents on PostgreSQL (generated columns)

Revision ID: c3f1d2e4a5b6
Revises: 90a9c063b6b1
Create Date: 2026-11-29 22:50:00

"""
from alembic import op


revision = 'c3f1d2e4a5b6'
down_revision = '90a9c063b6b1'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_catalogue_entries_fts")
    op.execute("ALTER TABLE catalogue_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
               "(to_tsvector('finnish', search_text) || to_tsvector('simple', search_text)) STORED")
    op.execute("ALTER TABLE catalogue_entries ADD COLUMN name_vector tsvector GENERATED ALWAYS AS "
               "(to_tsvector('finnish', name) || to_tsvector('simple', name)) STORED")
    op.execute("CREATE INDEX ix_catalogue_entries_fts ON catalogue_entries USING gin (search_vector)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_catalogue_entries_fts")
    op.execute("ALTER TABLE catalogue_entries DROP COLUMN name_vector")
    op.execute("ALTER TABLE catalogue_entries DROP COLUMN search_vector")
    op.execute("CREATE INDEX ix_catalogue_entries_fts ON catalogue_entries USING gin "
               "((to_tsvector('finnish', search_text) || to_tsvector('simple', search_text)))")
