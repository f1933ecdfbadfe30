"""`flask backup` and `flask restore` on the suite's own database (SQLite, or PostgreSQL
when TEST_DATABASE_URL is set): a full round trip, refusals that change nothing, and
clear errors for the failures an operator can expect."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import backup
from app.audit import APPEND_ONLY_MESSAGE, AuditEvent
from app.extensions import db
from app.files import StoredFile
from app.models import Organisation, User
from config import TestConfig
from tests import factories, figures

ON_SQLITE = not (TestConfig.TEST_DATABASE_URL or "").startswith("postgresql")


def _seed() -> dict:
    municipality = factories.MunicipalityFactory(name="Vantaa", municipality_code="092")
    provider = factories.ProviderFactory(name="Oppimisen Polku Oy")
    users = factories.UserFactory.create_batch(3, organisation=municipality)
    factories.ServiceFactory(organisation=provider, name="Matikkamestari")
    factories.DecisionFactory()
    stored = factories.StoredFileFactory(data=bytes(range(256)) * 40)
    for _ in range(4):
        factories.AuditEventFactory()
    return {"provider_id": provider.id, "user_email": users[0].email, "file_id": stored.id}


def _contents() -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    db.session.expire_all()
    tables = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table)).all()
        tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    db.session.rollback()
    return tables


def _change_data(seeded: dict) -> None:
    db.session.get(Organisation, seeded["provider_id"]).name = "Muutettu Oy"
    db.session.delete(db.session.scalar(sa.select(User).where(User.email == seeded["user_email"])))
    db.session.commit()
    factories.ProviderFactory(name="Uusi Oy")
    factories.AuditEventFactory(action="test.after_backup")


def _no_traceback(result) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_round_trip_restores_every_row_and_the_audit_chain(app, runner, tmp_path):
    seeded = _seed()
    original = _contents()
    path = tmp_path / "round-trip"

    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert str(path) in result.output
    assert f"users {len(original['users'])}," in result.output  # counted in the copy's snapshot
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # personal data: owner only
    assert path.read_bytes().startswith(backup.SQLITE_MAGIC if ON_SQLITE else backup.PGDUMP_MAGIC)
    assert [p.name for p in tmp_path.iterdir()] == ["round-trip"]  # no partial file left behind
    taken = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    assert taken.action == "database.backed_up" and taken.data["sha256"] == sha256

    _change_data(seeded)
    changed = _contents()
    assert changed != original
    db.session.execute(sa.text("CREATE TABLE backup_test_newer (id INTEGER PRIMARY KEY)"))  # as a migration would
    db.session.commit()

    started = time.perf_counter()
    try:
        result = runner.invoke(args=["restore", str(path), "--yes"])
        seconds = time.perf_counter() - started
        newer_kept = "backup_test_newer" in sa.inspect(db.engine).get_table_names()
    finally:
        db.session.execute(sa.text("DROP TABLE IF EXISTS backup_test_newer"))
        db.session.commit()
    assert result.exit_code == 0, result.output
    assert "Audit chain: OK" in result.output
    # SQLite replaces the whole file; pg_restore --clean drops only what the archive has, and says so.
    assert newer_kept is not ON_SQLITE
    assert ("kept as they were: backup_test_newer" in result.output) is not ON_SQLITE

    restored = _contents()
    # The audit trail is the backup's (the backup's own event and everything after it are
    # gone) plus one event recording the restore, which names what it replaced.
    restored_events = restored.pop("audit_events")
    original_events = original.pop("audit_events")
    assert restored == original
    assert restored_events[:-1] == original_events
    event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert event.action == "database.restored"
    assert event.data["file"] == str(path.resolve())
    assert event.data["sha256"] == sha256
    assert event.data["chain_ok"] is True
    assert event.data["replaced_chain_head"]["hash"] != event.prev_hash
    assert "test.after_backup" not in _actions() and "database.backed_up" not in _actions()

    assert db.session.get(Organisation, seeded["provider_id"]).name == "Oppimisen Polku Oy"
    assert db.session.scalar(sa.select(User).where(User.email == seeded["user_email"])) is not None
    assert db.session.scalar(sa.select(Organisation).where(Organisation.name == "Uusi Oy")) is None
    assert db.session.get(StoredFile, seeded["file_id"]).data == bytes(range(256)) * 40
    factories.ProviderFactory(name="Uudempi Oy")  # sequences came back too: new rows get fresh ids
    with pytest.raises(sa.exc.DBAPIError, match=APPEND_ONLY_MESSAGE):  # and the trail's append-only guard
        db.session.execute(sa.text("DELETE FROM audit_events"))
    db.session.rollback()

    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and "chain intact" in verify.output, verify.output
    rows = sum(len(rows) for rows in original.values()) + len(original_events)
    tables = sum(1 for rows in original.values() if rows) + 1
    figures.note(
        "backup",
        f"{figures.database_name()} round trip",
        f"{rows} rows in {tables} tables restored exactly ({len(db.metadata.sorted_tables)} tables "
        f"compared) in {seconds:.2f} s; audit chain verifies",
    )


def test_backup_without_a_path_goes_to_backup_dir(app, runner, tmp_path):
    _seed()
    app.config["BACKUP_DIR"] = str(tmp_path / "backups")
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    [written] = (tmp_path / "backups").iterdir()
    assert written.name.startswith("digione-") and written.suffix == (".sqlite" if ON_SQLITE else ".dump")
    assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700
    assert str(written) in result.output


def test_restore_refuses_without_yes_and_changes_nothing(app, runner, tmp_path):
    seeded = _seed()
    path = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    _change_data(seeded)
    before = _contents()

    result = runner.invoke(args=["restore", str(path)], input="y\n")  # not a terminal: --yes is needed
    _no_traceback(result)
    assert "--yes" in result.output and "nothing was changed" in result.output
    assert _contents() == before


def test_restore_gives_up_while_another_session_holds_the_database(app, runner, tmp_path):
    seeded = _seed()
    path = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    _change_data(seeded)
    before = _contents()
    if ON_SQLITE:  # a writer in the middle of a transaction
        other = sqlite3.connect(db.engine.url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
    else:  # a request in the middle of reading
        other = db.engine.connect()
        other.execute(sa.select(sa.func.count()).select_from(Organisation))
        blocker = other.scalar(sa.text("SELECT pg_backend_pid()"))
    try:
        started = time.perf_counter()
        result = runner.invoke(args=["restore", str(path), "--yes", "--lock-timeout", "1"])
        waited = time.perf_counter() - started
    finally:
        other.rollback()
        other.close()
    _no_traceback(result)
    assert "nothing was restored. Stop the app" in result.output
    if not ON_SQLITE:
        assert f"pid {blocker}" in result.output  # who held it
    assert 1 <= waited < 10
    assert _contents() == before
    assert "database.restored" not in _actions()


def _other_kind(tmp_path: Path) -> Path:
    """A well-formed backup of the other kind of database."""
    if ON_SQLITE:
        path = tmp_path / "postgres.dump"
        path.write_bytes(backup.PGDUMP_MAGIC + b"\x01\x0e\x00\x04\x08\x01\x01" + bytes(500))
        return path
    path = tmp_path / "sqlite.sqlite"
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE organisations (id INTEGER); CREATE TABLE users (id INTEGER);"
        "CREATE TABLE audit_events (id INTEGER);"
    )
    connection.close()
    return path


def _bad_files(tmp_path: Path, good: Path) -> list[tuple[str, Path, str]]:
    """(case, file, what the refusal says) for files that must not be restored."""
    cases = [("other database", _other_kind(tmp_path), "restores only into the kind of database")]
    notes = tmp_path / "notes.txt"
    notes.write_text("Tämä ei ole varmuuskopio.\n" * 20)
    cases.append(("not a backup", notes, "is not a backup"))
    empty = tmp_path / "empty"
    empty.touch()
    cases.append(("empty", empty, "is not a backup"))
    cases.append(("missing", tmp_path / "missing.dump", "does not exist"))
    if ON_SQLITE:
        foreign = tmp_path / "other-app.sqlite"
        sqlite3.connect(foreign).executescript("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);")
        cases.append(("another app's database", foreign, "not a DigiOne Hub backup"))
    data = good.read_bytes()
    truncated = tmp_path / "truncated"
    truncated.write_bytes(data[: len(data) - 200])  # the header and table of contents survive
    # PostgreSQL: the archive lists fine; pg_restore fails on the last data block and its
    # single transaction undoes the drops and loads before it.
    cases.append(("truncated", truncated, "is damaged" if ON_SQLITE else "pg_restore failed; nothing was restored"))
    scrambled = tmp_path / "scrambled"
    keep = 4096 if ON_SQLITE else 16  # SQLite: page 1 (header, schema); pg_dump: the magic and version
    scrambled.write_bytes(data[:keep] + bytes((i * 7 + 3) % 256 for i in range(len(data) - keep)))
    cases.append(("scrambled", scrambled, "damaged"))
    return cases


def test_wrong_or_damaged_files_are_refused_and_nothing_changes(app, runner, tmp_path):
    seeded = _seed()
    good = tmp_path / "good"
    assert runner.invoke(args=["backup", str(good)]).exit_code == 0
    _change_data(seeded)
    before = _contents()
    for case, path, message in _bad_files(tmp_path, good):
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code == 1 and "Traceback" not in result.output, (case, result.output)
        assert isinstance(result.exception, SystemExit), (case, result.exception)
        assert message in result.output, (case, result.output)
        assert _contents() == before, case
        figures.count("backup", "bad backup files refused with nothing changed")
    assert "database.restored" not in _actions()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_backup_to_an_unwritable_path_is_a_clear_error(app, runner, tmp_path):
    _seed()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    existing = tmp_path / "existing.backup"
    existing.write_text("keep me")
    cases = [
        (blocker / "backup.sqlite", "is not a directory"),
        (tmp_path / "missing" / "backup.sqlite", "does not exist"),
        (existing, "already exists"),
    ]
    if Path("/proc/self").is_dir():  # unwritable even for root
        cases.append((Path("/proc/digione-backup"), "Cannot write /proc/digione-backup"))
    events = _actions()
    for path, message in cases:
        result = runner.invoke(args=["backup", str(path)])
        _no_traceback(result)
        assert message in result.output, (path, result.output)
    assert existing.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "existing.backup"]
    assert _actions() == events  # nothing written, nothing recorded


def _isolated_app(url: str):
    from app import create_app

    return create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)


def test_unreachable_database_is_a_clear_error(tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'gone' / 'digione.sqlite'}"
        if ON_SQLITE
        else "postgresql+psycopg://postgres@127.0.0.1:1/digione_test"
    )
    unreachable = _isolated_app(url)
    with unreachable.app_context():
        result = unreachable.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
        db.engine.dispose()
    _no_traceback(result)
    assert ("does not exist" if ON_SQLITE else "Cannot reach the database") in result.output
    assert not (tmp_path / "backup").exists()


@pytest.mark.skipif(ON_SQLITE, reason="pg_dump is for PostgreSQL")
def test_missing_pg_dump_is_a_clear_error(app, runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without the PostgreSQL client
    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    _no_traceback(result)
    assert "pg_dump was not found on PATH" in result.output
    assert list(tmp_path.iterdir()) == []


def test_pg_tools_get_the_password_in_the_environment_only():
    url = sa.engine.make_url("postgresql+psycopg://app:s%40cret@db.example:6543/digione?sslmode=require")
    rendered, env = backup.pg_command_url(url, "digione restore")
    assert rendered == "postgresql://app@db.example:6543/digione?sslmode=require&application_name=digione%20restore"
    assert env["PGPASSWORD"] == "s@cret" and "cret" not in rendered


@pytest.mark.skipif(not ON_SQLITE, reason="SQLite's online backup API")
def test_sqlite_backup_is_one_snapshot_while_another_connection_writes(tmp_path):
    """Committed rows still in the WAL are in the copy, uncommitted ones are not, and a
    writer committing balanced pairs throughout never leaves half a pair in a copy."""
    live = tmp_path / "live.sqlite"
    keeper = sqlite3.connect(live, check_same_thread=False)
    keeper.execute("PRAGMA journal_mode=WAL")
    keeper.execute("PRAGMA wal_autocheckpoint=0")  # committed pages stay in live.sqlite-wal
    keeper.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER, memo TEXT)")
    with keeper:
        for n in range(2000):
            keeper.executemany("INSERT INTO ledger (amount, memo) VALUES (?, ?)", [(n, "x" * 200), (-n, "y" * 200)])
    engine = sa.create_engine(f"sqlite:///{live}")

    def ledger(path: Path) -> tuple[int, int]:
        connection = sqlite3.connect(path)
        try:
            return connection.execute("SELECT count(*), coalesce(sum(amount), 0) FROM ledger").fetchone()
        finally:
            connection.close()

    # An open write transaction elsewhere: the backup neither waits for it nor sees it.
    pending = sqlite3.connect(live, isolation_level=None)
    pending.execute("BEGIN IMMEDIATE")
    pending.executemany("INSERT INTO ledger (amount) VALUES (?)", [(1,)] * 500)
    result = backup.backup(engine, tmp_path / "during-transaction.sqlite", lock_timeout=2)
    pending.execute("ROLLBACK")
    pending.close()
    assert result.row_counts == {"ledger": 4000}
    assert ledger(result.path) == (4000, 0)
    assert result.path.read_bytes()[18:20] == b"\x01\x01"  # a self-contained file, not WAL

    stop = threading.Event()
    commits = 0

    def write() -> None:
        nonlocal commits
        writer = sqlite3.connect(live, timeout=10)
        writer.execute("PRAGMA wal_autocheckpoint=0")
        n = 0
        while not stop.is_set():
            n += 1
            with writer:
                writer.executemany("INSERT INTO ledger (amount, memo) VALUES (?, ?)", [(n, "a"), (-n, "b")])
            commits += 1
        writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        copies = []
        while len(copies) < 20 or commits < 50:
            copies.append(backup.backup(engine, tmp_path / f"copy-{len(copies)}.sqlite", lock_timeout=5))
            assert len(copies) < 500, "the writer made no progress"
    finally:
        stop.set()
        thread.join()
        keeper.close()
        engine.dispose()
    seen = set()
    for copy in copies:
        count, total = ledger(copy.path)
        assert total == 0 and count % 2 == 0 and count >= 4000, (copy.path, count, total)
        assert copy.row_counts == {"ledger": count}  # counted in the copy itself
        seen.add(count)
    assert len(seen) > 1, "the copies should have caught the writer at different points"
    figures.note(
        "backup",
        "sqlite snapshot while writing",
        f"{len(copies)} backups during {commits} concurrent commits: every copy balanced, "
        f"uncommitted rows never copied, WAL-only rows always copied",
    )
