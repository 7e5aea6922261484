"""The database's files are private, and a damaged or locked database stops the start with one
line and exit code 1, not a traceback (issue 15, parts 6 and 7). Real files, real os.stat,
and a real second process holding the lock."""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from groupbot.cli import main
from groupbot.core.errors import StorageError
from groupbot.storage import database as dbmod
from groupbot.storage.database import Database, describe_sqlite_error
from groupbot.storage.private_files import current_umask


def _mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask() -> Iterator[object]:
    """Set the process umask for one test, and put the old one back."""
    old = os.umask(0o022)

    def set_to(value: int) -> None:
        os.umask(value)

    yield set_to
    os.umask(old)


async def _write_something(db: Database) -> None:
    await db.execute("INSERT INTO groups (id, platform, name, created_at) "
                     "VALUES ('g', 'console', 'G', '2026-01-01')")


# -- files are private -------------------------------------------------------------------------
@pytest.mark.parametrize("mask", [0o022, 0o002, 0o000, 0o077, 0o027])
async def test_a_new_database_and_its_wal_and_shm_are_0600(tmp_path: Path, umask: object,
                                                           mask: int) -> None:
    umask(mask)  # type: ignore[operator]
    path = tmp_path / "g.db"
    async with Database(path) as db:
        await _write_something(db)
        for name in ("g.db", "g.db-wal", "g.db-shm"):
            assert (tmp_path / name).exists(), name
            assert _mode(tmp_path / name) == 0o600, (name, oct(_mode(tmp_path / name)))
    assert _mode(path) == 0o600


@pytest.mark.parametrize("mask", [0o022, 0o077])
async def test_a_backup_is_0600(tmp_path: Path, umask: object, mask: int) -> None:
    umask(mask)  # type: ignore[operator]
    async with Database(tmp_path / "g.db") as db:
        await _write_something(db)
        await db.backup(tmp_path / "copy.db")
    assert _mode(tmp_path / "copy.db") == 0o600
    assert not (tmp_path / "copy.db.partial").exists()
    with sqlite3.connect(tmp_path / "copy.db") as raw:
        assert raw.execute("SELECT id FROM groups").fetchall() == [("g",)]


async def test_a_stricter_umask_takes_more_away_from_a_backup(tmp_path: Path,
                                                              umask: object) -> None:
    """0600 is the most a backup gets: a umask that also takes the owner's write bit gives
    a read-only copy (and the copy is still written whole)."""
    async with Database(tmp_path / "g.db") as db:
        await _write_something(db)
        umask(0o277)  # type: ignore[operator]
        assert current_umask() == 0o277
        await db.backup(tmp_path / "copy.db")
        umask(0o022)  # type: ignore[operator]
    assert _mode(tmp_path / "copy.db") == 0o400
    with sqlite3.connect(f"file:{tmp_path / 'copy.db'}?mode=ro", uri=True) as raw:
        assert raw.execute("SELECT id FROM groups").fetchall() == [("g",)]


async def test_an_existing_database_keeps_its_mode_with_one_warning(
        tmp_path: Path, umask: object, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "g.db"
    with sqlite3.connect(path) as raw:  # made by an older groupbot, or by hand: 0644
        raw.execute("CREATE TABLE old (x)")
    os.chmod(path, 0o644)
    with caplog.at_level(logging.WARNING, logger="groupbot.storage.database"):
        async with Database(path) as db:
            await _write_something(db)
    assert _mode(path) == 0o644  # left as it is
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings  # not once more for its WAL and SHM
    assert str(path) in warnings[0] and "0644" in warnings[0] and "\n" not in warnings[0]


async def test_a_private_existing_database_gets_no_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with Database(tmp_path / "g.db") as db:
        await _write_something(db)
    with caplog.at_level(logging.WARNING, logger="groupbot.storage.database"):
        async with Database(tmp_path / "g.db"):
            pass
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_a_wal_file_left_open_beside_a_private_database_is_named(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    live = tmp_path / "live.db"
    async with Database(live) as db:
        await _write_something(db)
        # as a crash leaves them: the database and a WAL holding the last commit
        path = tmp_path / "g.db"
        path.write_bytes(live.read_bytes())
        wal = tmp_path / "g.db-wal"
        wal.write_bytes((tmp_path / "live.db-wal").read_bytes())
    assert wal.stat().st_size > 0  # (SQLite itself gives an empty one the database's mode)
    os.chmod(path, 0o600)
    os.chmod(wal, 0o666)
    with caplog.at_level(logging.WARNING, logger="groupbot.storage.database"):
        async with Database(path):
            pass
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and f"{path}-wal has mode 0666" in warnings[0]
    with sqlite3.connect(path) as raw:  # (the WAL was read: the copy had the last commit)
        assert raw.execute("SELECT id FROM groups").fetchall() == [("g",)]


async def test_a_backup_over_an_existing_file_keeps_that_files_mode(
        tmp_path: Path, umask: object, caplog: pytest.LogCaptureFixture) -> None:
    target = tmp_path / "copy.db"
    target.write_bytes(b"an older backup")
    os.chmod(target, 0o640)
    async with Database(tmp_path / "g.db") as db:
        await _write_something(db)
        with caplog.at_level(logging.WARNING, logger="groupbot.storage.database"):
            await db.backup(target)
    assert _mode(target) == 0o640
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and str(target) in warnings[0] and "0640" in warnings[0]
    with sqlite3.connect(target) as raw:  # and it is the new copy
        assert raw.execute("SELECT id FROM groups").fetchall() == [("g",)]


def test_groupbot_db_backup_writes_a_private_file(tmp_path: Path, umask: object,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database", str(tmp_path / "g.db"), "db", "migrate"]) == 0
    assert main(["--database", str(tmp_path / "g.db"), "db", "backup",
                 str(tmp_path / "b.db")]) == 0
    assert _mode(tmp_path / "g.db") == 0o600 and _mode(tmp_path / "b.db") == 0o600


# -- a database locked by another process --------------------------------------------------------
_HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "exclusive-mode":
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE")
conn.execute("CREATE TABLE IF NOT EXISTS held (x)")
print("holding", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[object]:
    procs: list[subprocess.Popen[str]] = []

    def hold(path: Path, how: str) -> None:
        proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path), how],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"

    yield hold
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)


@pytest.mark.parametrize("how", ["begin-exclusive", "exclusive-mode"])
async def test_a_database_locked_by_another_process_is_named_after_a_bounded_wait(
        tmp_path: Path, holder: object, how: str) -> None:
    path = tmp_path / "g.db"
    async with Database(path) as db:
        await _write_something(db)
    holder(path, how)  # type: ignore[operator]
    with pytest.raises(StorageError) as info:
        await Database(path, busy_timeout_ms=200).open()
    message = str(info.value)
    assert f"the file {path} is locked by another process (waited 0.2 s)" in message
    assert "\n" not in message


@pytest.mark.parametrize("command", [["console"], ["run", "--platform", "console"],
                                     ["db", "migrate"]])
def test_the_command_line_says_which_file_is_locked_in_one_line(
        tmp_path: Path, holder: object, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    path = tmp_path / "g.db"
    assert main(["--database", str(path), "db", "migrate"]) == 0
    capsys.readouterr()
    holder(path, "begin-exclusive")  # type: ignore[operator]
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--database", str(path), *command]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert f"the file {path} is locked by another process" in err


# -- a damaged database --------------------------------------------------------------------------
def _damage_a_table(path: Path, table: str) -> None:
    """Overwrite the root page of `table` with junk, as a torn write or a bad disk would."""
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
        root = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                           (table,)).fetchone()[0]
    raw.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xde\xad\xbe\xef" * (page_size // 4))


async def _a_used_database(path: Path) -> None:
    async with Database(path) as db:
        await _write_something(db)
        for i in range(200):
            await db.execute("INSERT INTO settings_log (group_id, key, value, changed_by, "
                             "changed_at) "
                             "VALUES ('g', 'timezone', ?, 'm', '2026-01-01')", (f"Zone/{i}",))


async def test_a_damaged_page_stops_the_bot_at_its_start(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    await _a_used_database(path)
    _damage_a_table(path, "settings_log")
    async with Database(path):  # opening alone does not read that table
        pass
    with pytest.raises(StorageError) as info:
        await Database(path, check=True).open()  # as the bot opens it: every page is read
    message = str(info.value)
    assert message.startswith(f"cannot use the database at {path}: it is damaged")
    assert "Restore a backup" in message and "\n" not in message


@pytest.mark.parametrize("command", [["console"], ["run", "--platform", "console"],
                                     ["db", "migrate"]])
def test_the_command_line_reports_a_damaged_database_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        command: list[str]) -> None:
    path = tmp_path / "g.db"
    assert main(["--database", str(path), "db", "migrate"]) == 0
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO groups (id, platform, name, created_at) "
                    "VALUES ('g', 'console', 'G', '2026-01-01')")
        raw.executemany("INSERT INTO settings_log (group_id, key, value, changed_by, changed_at)"
                        " VALUES ('g', 'timezone', ?, 'm', '2026-01-01')",
                        [(f"Zone/{i}",) for i in range(200)])
    raw.close()
    capsys.readouterr()
    _damage_a_table(path, "settings_log")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--database", str(path), *command]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert f"cannot use the database at {path}: it is damaged" in err


def test_an_sqlite_error_escaping_a_command_is_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The last net: whatever command meets a raw sqlite3 error, the operator sees one line."""
    from groupbot.cli import db as cli_db

    async def broken(args: object, config: object) -> int:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(cli_db, "migrate", broken)
    assert main(["--database", str(tmp_path / "g.db"), "db", "migrate"]) == 1
    err = capsys.readouterr().err
    assert err == (f"groupbot: cannot use the database at {tmp_path / 'g.db'}: it is damaged "
                   "(database disk image is malformed). Restore a backup (groupbot db backup "
                   "makes them), or move the file aside to start afresh.\n")


@pytest.mark.parametrize(("error", "expected"), [
    (sqlite3.OperationalError("database is locked"), "is locked by another process"),
    (sqlite3.DatabaseError("file is not a database"), "it is damaged"),
    (sqlite3.OperationalError("database or disk is full"), "the disk is full"),
    (sqlite3.OperationalError("attempt to write a readonly database"), "cannot be written"),
    (sqlite3.OperationalError("no such table: x"), "no such table: x"),
])
def test_describe_sqlite_error(error: sqlite3.Error, expected: str) -> None:
    text = describe_sqlite_error(error, "/data/g.db", 5000)
    assert text.startswith("cannot use the database at /data/g.db: ") and expected in text
