"""Register search: the full-text indexes also hold the redacted texts

Revision ID: a8c9d0e1f2a3
Revises: f1a2b3c4d5e6
Create Date: 2026-12-07 10:30:00

The register searches only what it shows: titles, the texts of public cases, and the redacted
text once a decision's personal data is hidden. PostgreSQL's GIN index is unchanged (the query
narrows with it, then checks the public words); SQLite's FTS5 table gets the redacted text.
"""

from alembic import op

revision = "a8c9d0e1f2a3"
down_revision = "f1a2b3c4d5e6"
branch_labels = None
depends_on = None

TRIGGERS = ("decisions_fts_ai", "decisions_fts_ad", "decisions_fts_au")


def _recreate(columns: list[str]) -> None:
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS decisions_fts")
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(f"CREATE VIRTUAL TABLE decisions_fts USING fts5({names}, content='decisions', content_rowid='id', "
               "tokenize='unicode61 remove_diacritics 0')")
    op.execute(f"CREATE TRIGGER decisions_fts_ai AFTER INSERT ON decisions BEGIN INSERT INTO decisions_fts(rowid, "
               f"{names}) VALUES (new.id, {new}); END")
    op.execute(f"CREATE TRIGGER decisions_fts_ad AFTER DELETE ON decisions BEGIN INSERT INTO decisions_fts("
               f"decisions_fts, rowid, {names}) VALUES ('delete', old.id, {old}); END")
    op.execute(f"CREATE TRIGGER decisions_fts_au AFTER UPDATE ON decisions BEGIN INSERT INTO decisions_fts("
               f"decisions_fts, rowid, {names}) VALUES ('delete', old.id, {old}); INSERT INTO decisions_fts(rowid, "
               f"{names}) VALUES (new.id, {new}); END")
    op.execute("INSERT INTO decisions_fts(decisions_fts) VALUES ('rebuild')")


def _gin(columns: list[str]) -> None:
    op.execute("DROP INDEX IF EXISTS ix_decisions_fts")
    document = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
    op.execute(f"CREATE INDEX ix_decisions_fts ON decisions USING gin (to_tsvector('finnish', {document}))")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _recreate(["title", "text", "redacted_text"])
    elif op.get_bind().dialect.name == "postgresql":
        _gin(["title", "text", "redacted_text"])


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _recreate(["title", "text"])
    elif op.get_bind().dialect.name == "postgresql":
        _gin(["title", "text"])
