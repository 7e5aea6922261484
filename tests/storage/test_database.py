"""Migrations, the newer-schema guard, bad paths, interrupted writes and backups."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from groupbot.core.errors import StorageError
from groupbot.storage.database import Database, latest_version, load_migrations


def test_migrations_are_numbered_without_gaps() -> None:
    migrations = load_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert migrations[0].name == "core"
    # each branch's migration keeps its number: the outbox's 0012, the dashboard's 0013,
    # Slack's installations 0014, the Slack events handled across processes 0015
    assert {m.version: m.name for m in migrations}.items() >= {
        11: "occurrence_content", 12: "outbox", 13: "dashboard",
        14: "slack_installations", 15: "slack_events"}.items()


async def test_a_database_from_before_0011_gains_claim_content_and_the_outbox(
        tmp_path: Path) -> None:
    """0010 is the last migration the scheduling and the outbox work shared: upgrading from it
    applies 0011 (content recorded with a claim) and 0012 (the moderation outbox), in turn."""
    assert [(m.version, m.name) for m in load_migrations()[10:12]] == [
        (11, "occurrence_content"), (12, "outbox")]
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as raw:
        for mig in load_migrations()[:10]:
            raw.executescript(mig.sql)
        raw.executescript("""
            PRAGMA user_version = 10;
            INSERT INTO groups (id, platform, name, created_at)
                VALUES ('g', 'console', 'G', '2026-01-01');
            INSERT INTO schedules (id, group_id, channel_id, channel_name, kind, when_text,
                                   timezone, armed_from, created_by, created_at)
                VALUES (1, 'g', 'c', 'general', 'prompt', 'daily 09:00', 'UTC',
                        '2026-01-01T00:00:00+00:00', 'robin', '2026-01-01T00:00:00+00:00');
            INSERT INTO schedule_occurrences (schedule_id, occurrence, due_at, state, claimed_by,
                                              claimed_at, idempotency_key, updated_at)
                VALUES (1, '2026-01-02T09:00', '2026-01-02T09:00:00+00:00', 'claimed', 'old',
                        '2026-01-02T09:00:00+00:00', 'gb1.202601020900',
                        '2026-01-02T09:00:00+00:00');
        """)
    async with Database(path) as db:
        assert await db.schema_version() == latest_version()
        claim = await db.fetchone("SELECT state, content, content_ref, attempts "
                                  "FROM schedule_occurrences")
        outbox = await db.fetchall("SELECT * FROM mod_outbox_done")
    assert claim is not None and tuple(claim) == ("claimed", None, None, 0)
    assert outbox == []


async def test_a_database_that_skipped_0011_as_a_placeholder_gains_its_columns(
        tmp_path: Path) -> None:
    """Builds between the outbox and the crash-safe schedules held 0011 as an empty
    placeholder: a database they migrated says 12 but lacks 0011's columns. Opening it adds
    them (scheduled posts would otherwise fail on a missing column), and keeps its rows."""
    path = tmp_path / "skipped.db"
    migrations = load_migrations()
    with sqlite3.connect(path) as raw:
        for mig in migrations[:10]:
            raw.executescript(mig.sql)
        raw.executescript(migrations[11].sql)  # 0012, the outbox; 0011 skipped
        raw.executescript("""
            PRAGMA user_version = 12;
            INSERT INTO groups (id, platform, name, created_at)
                VALUES ('g', 'console', 'G', '2026-01-01');
        """)
    async with Database(path) as db:
        assert await db.schema_version() == latest_version()
        cols = {row[1] for row in await db.fetchall("PRAGMA table_info(schedule_occurrences)")}
        assert {"content", "content_ref", "attempts"} <= cols
        assert (await db.fetchone("SELECT name FROM groups")) is not None
    async with Database(path) as db:  # and once repaired, nothing more is done
        cols = {row[1] for row in await db.fetchall("PRAGMA table_info(schedule_occurrences)")}
        assert {"content", "content_ref", "attempts"} <= cols


async def test_fresh_database_is_migrated_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    async with Database(path) as db:
        assert await db.schema_version() == latest_version()
        row = await db.fetchone("PRAGMA journal_mode")
        assert row is not None and row[0] == "wal"
        row = await db.fetchone("PRAGMA busy_timeout")
        assert row is not None and row[0] == 5000
        assert await db.integrity_ok()
    # reopening applies nothing new
    async with Database(path, migrate=False) as db:
        assert await db.migrate() == (latest_version(), latest_version())


async def test_database_from_a_newer_groupbot_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    async with Database(path) as db:
        await db.execute("INSERT INTO groups (id, platform, name, created_at) "
                         "VALUES ('g', 'console', 'G', '2026-01-01')")
    newer = latest_version() + 5
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version={newer}")
    with pytest.raises(StorageError, match=f"schema version {newer}.*newer groupbot"):
        await Database(path).open()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == newer
        assert raw.execute("SELECT count(*) FROM groups").fetchone()[0] == 1


async def test_missing_folder_and_unwritable_folder_are_named(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="folder .*nope does not exist"):
        await Database(tmp_path / "nope" / "g.db").open()
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # running as root: permissions do not bind
            pytest.skip("running as root: cannot make a folder unwritable")
        with pytest.raises(StorageError, match="not writable"):
            await Database(locked / "g.db").open()
    finally:
        locked.chmod(0o700)


async def test_not_a_database_file_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="cannot use the database"):
        await Database(path).open()


async def test_interrupt_during_a_write_rolls_back_and_keeps_the_database_intact(
    tmp_path: Path,
) -> None:
    path = tmp_path / "g.db"
    async with Database(path) as db:
        await db.execute("INSERT INTO groups (id, platform, name, created_at) "
                         "VALUES ('keep', 'console', 'Keep', '2026-01-01')")
        with pytest.raises(KeyboardInterrupt):
            async with db.transaction() as conn:
                await conn.execute("DELETE FROM groups")
                await conn.execute("INSERT INTO groups (id, platform, name, created_at) "
                                   "VALUES ('half', 'console', 'Half', '2026-01-01')")
                raise KeyboardInterrupt
        rows = await db.fetchall("SELECT id FROM groups")
        assert [r[0] for r in rows] == ["keep"]
        assert await db.integrity_ok()
        # the connection is usable again after the interrupt
        await db.execute("UPDATE groups SET name = 'Kept' WHERE id = 'keep'")
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT name FROM groups").fetchall() == [("Kept",)]


async def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    from groupbot.storage import database as dbmod

    real = dbmod.load_migrations()
    broken = [*real, dbmod.Migration(len(real) + 1, "broken",
                                     "CREATE TABLE fine (x);\nTHIS IS NOT SQL;")]
    monkeypatch.setattr(dbmod, "load_migrations", lambda: broken)
    monkeypatch.setattr(dbmod, "latest_version", lambda: len(broken))
    path = tmp_path / "g.db"
    with pytest.raises(StorageError, match="migration .*broken failed.*unchanged at schema"):
        await Database(path).open()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(real)
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
        assert "fine" not in tables


async def test_backup_is_a_consistent_copy(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    async with Database(path) as db:
        await db.execute("INSERT INTO groups (id, platform, name, created_at) "
                         "VALUES ('g', 'console', 'G', '2026-01-01')")
        await db.backup(tmp_path / "copy.db")
        with pytest.raises(StorageError, match="does not exist"):
            await db.backup(tmp_path / "missing" / "copy.db")
    with sqlite3.connect(tmp_path / "copy.db") as raw:
        assert raw.execute("SELECT id FROM groups").fetchall() == [("g",)]
        assert raw.execute("PRAGMA user_version").fetchone()[0] == latest_version()


def _cli(*args: str, env_extra: dict[str, str] | None = None,
         stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    env.pop("GROUPBOT_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "groupbot", *args], input=stdin,
                          capture_output=True, text=True, timeout=60, env=env)


def test_cli_migrate_and_backup_exit_promptly(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    first = _cli("--database", db, "db", "migrate")
    assert first.returncode == 0, first.stderr
    assert f"to {latest_version()}" in first.stdout
    again = _cli("--database", db, "db", "migrate")
    assert "already at schema version" in again.stdout
    backup = _cli("--database", db, "db", "backup", str(tmp_path / "b.db"))
    assert backup.returncode == 0 and (tmp_path / "b.db").exists()


def test_cli_reports_a_newer_schema_clearly(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert _cli("--database", str(db), "db", "migrate").returncode == 0
    with sqlite3.connect(db) as raw:
        raw.execute("PRAGMA user_version=999")
    result = _cli("--database", str(db), "db", "migrate")
    assert result.returncode == 1
    assert "schema version 999" in result.stderr
    assert "Traceback" not in result.stderr


async def test_unwritable_folder_is_reported_even_for_root(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Root ignores permission bits, so simulate what os.access says for another user."""
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(StorageError, match="is not writable by this user"):
        await Database(tmp_path / "g.db").open()
    assert not (tmp_path / "g.db").exists()


async def test_a_folder_in_place_of_the_database_file(tmp_path: Path) -> None:
    (tmp_path / "g.db").mkdir()
    with pytest.raises(StorageError, match="is a folder, not a database file"):
        await Database(tmp_path / "g.db").open()


async def test_run_gives_a_function_the_connection_on_the_database_thread() -> None:
    async with Database(":memory:") as db:  # tests use in-memory databases: they must work
        await db.execute("CREATE TABLE t (x INTEGER)")
        await db.execute("INSERT INTO t (x) VALUES (1), (2), (3)")

        def read(conn: sqlite3.Connection) -> tuple[int, int, str]:
            total = conn.execute("SELECT sum(x) FROM t").fetchone()[0]
            row = conn.execute("SELECT x FROM t WHERE x = ?", (2,)).fetchone()
            return total, threading.get_ident(), type(row).__name__

        total, thread, row_type = await db.run(read)
        assert total == 6  # the same connection: it sees what was written through aiosqlite
        assert thread != threading.get_ident()  # not on the event loop's thread
        assert row_type == "Row"  # the connection's row factory applies
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            await db.run(lambda conn: conn.execute("SELECT * FROM missing").fetchall())
        assert await db.fetchone("SELECT count(*) FROM t") is not None  # still usable


async def test_run_explains_an_aiosqlite_without_the_calls_it_needs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async with Database(":memory:") as db:
        with monkeypatch.context() as patched:  # undone before the database closes
            patched.delattr(type(db.conn), "_execute")
            with pytest.raises(StorageError, match="cannot run a function on its database "
                               "thread"):
                await db.run(lambda conn: 1)
        assert await db.run(lambda conn: conn.execute("SELECT 7").fetchone()[0]) == 7
    with pytest.raises(StorageError, match="not open"):
        await Database(":memory:").run(lambda conn: 1)
