"""decision register: slug, title, effective time, personal data hiding; full-text search

Revision ID: 44135ff352cd
Revises: 2477c36bcb21
Create Date: 2026-11-29 20:19:43.055828

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '44135ff352cd'
down_revision = '2477c36bcb21'
branch_labels = None
depends_on = None


FTS_SQLITE = [
    "CREATE VIRTUAL TABLE decisions_fts USING fts5(title, text, content='decisions', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER decisions_fts_ai AFTER INSERT ON decisions BEGIN INSERT INTO decisions_fts(rowid, title, text) "
    "VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER decisions_fts_ad AFTER DELETE ON decisions BEGIN INSERT INTO decisions_fts(decisions_fts, rowid, "
    "title, text) VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER decisions_fts_au AFTER UPDATE ON decisions BEGIN INSERT INTO decisions_fts(decisions_fts, rowid, "
    "title, text) VALUES ('delete', old.id, old.title, old.text); INSERT INTO decisions_fts(rowid, title, text) "
    "VALUES (new.id, new.title, new.text); END",
]
FTS_POSTGRESQL = [
    "CREATE INDEX ix_decisions_fts ON decisions USING gin "
    "(to_tsvector('finnish', coalesce(title, '') || ' ' || coalesce(text, '')))",
]


def _slug(reference):
    return "-".join(part for part in reference.replace("/", " ").replace("§", " ").split())


def upgrade():
    # New columns start empty-but-valid, existing decisions are filled in, then tightened.
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slug', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('title', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('personal_data_hidden_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('redacted_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('effective_at', sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT d.id, d.reference, c.title, m.status FROM decisions d JOIN cases c ON c.id = d.case_id "
        "JOIN agenda_items i ON i.id = d.item_id JOIN meetings m ON m.id = i.meeting_id")).all()
    for ident, reference, title, status in rows:
        bind.execute(sa.text("UPDATE decisions SET slug = :slug, title = :title, effective_at = CASE WHEN :approved "
                             "THEN created_at ELSE NULL END WHERE id = :id"),
                     {"slug": _slug(reference), "title": title, "approved": status == "minutes_approved", "id": ident})
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.alter_column('slug', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('title', existing_type=sa.String(length=300), server_default=None)
        batch_op.alter_column('redacted_text', existing_type=sa.Text(), server_default=None)
        batch_op.create_index(batch_op.f('ix_decisions_effective_at'), ['effective_at'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_decisions_slug'), ['slug'])
    if bind.dialect.name == "sqlite":
        for statement in FTS_SQLITE:
            op.execute(statement)
        op.execute("INSERT INTO decisions_fts(decisions_fts) VALUES ('rebuild')")
    elif bind.dialect.name == "postgresql":
        for statement in FTS_POSTGRESQL:
            op.execute(statement)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("decisions_fts_ai", "decisions_fts_ad", "decisions_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS decisions_fts")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_decisions_fts")
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_decisions_slug'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_decisions_effective_at'))
        batch_op.drop_column('effective_at')
        batch_op.drop_column('redacted_text')
        batch_op.drop_column('personal_data_hidden_from')
        batch_op.drop_column('title')
        batch_op.drop_column('slug')
