"""`flask db upgrade` from an empty database, then `flask db check`, on the suite's database kind."""

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.pg import drop_database, recreate_database
from tests.support import PROJECT_ROOT

ROOT = PROJECT_ROOT


@pytest.fixture()
def empty_database_url(database_url, tmp_path):
    if database_url.startswith("postgresql"):
        name = f"{make_url(database_url).database}_migrations"  # one per test worker
        url = recreate_database(database_url, name)
        yield url
        drop_database(database_url, name)
    else:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"


def _flask(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "DIGIONE_ENV": "development", "FLASK_APP": "wsgi"}
    return subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_upgrade_from_empty_then_check_finds_no_drift(empty_database_url):
    upgrade = _flask(empty_database_url, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    check = _flask(empty_database_url, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    engine = sa.create_engine(empty_database_url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
        # The migrated database guards its audit trail as a created one does.
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO audit_events (created_at, actor_label, action, object_type, "
                    "data, prev_hash, hash) VALUES (CURRENT_TIMESTAMP, 'system', 'test', "
                    "'system', '{}', 'p', 'h')"
                )
            )
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(sa.text("UPDATE audit_events SET action = 'forged'"))
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM audit_events"))
    finally:
        engine.dispose()
    assert {"users", "organisations", "audit_events", "outbox_messages", "alembic_version"} <= tables


def test_downgrade_to_empty_and_up_again(empty_database_url):
    assert _flask(empty_database_url, "db", "upgrade").returncode == 0
    down = _flask(empty_database_url, "db", "downgrade", "base")
    assert down.returncode == 0, down.stderr
    assert _flask(empty_database_url, "db", "upgrade").returncode == 0


def test_accounts_from_before_email_confirmation_stay_able_to_sign_in(empty_database_url):
    """c4e6f8a0b2d3 adds users.email_confirmed_at: every existing account counts as confirmed when created."""
    assert _flask(empty_database_url, "db", "upgrade", "b3d5e7f9a1c2").returncode == 0
    engine = sa.create_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO users (email, name, password_hash, locale, active, created_at, password_changed_at) "
                    "VALUES ('vanha@example.com', 'Vanha', 'x', 'fi', true, "
                    "'2026-01-02 03:04:05', '2026-01-02 03:04:05')"
                )
            )
        upgrade = _flask(empty_database_url, "db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr
        with engine.connect() as connection:
            created, confirmed = connection.execute(
                sa.text("SELECT created_at, email_confirmed_at FROM users WHERE email = 'vanha@example.com'")
            ).one()
        assert confirmed is not None and confirmed == created
    finally:
        engine.dispose()
