"""One SQLite database through aiosqlite: WAL, busy_timeout, numbered migrations, short
transactions, and a connection that is always closed.

aiosqlite runs each connection on a non-daemon thread, so a connection left open keeps the
process from exiting: `Database` is an async context manager and `close()` is idempotent.

Files are private: the database is created 0600 (a stricter umask still applies), and SQLite
gives its WAL and shared-memory files the database file's mode; a backup is written 0600 too.
A file that already exists keeps its mode, with a one-line warning when others may open it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from groupbot.core.errors import StorageError
from groupbot.storage.private_files import create_private, warn_if_open_to_others, written_privately

log = logging.getLogger(__name__)
# A migration -> (table, column) that exists once it has run (see Database._repair_skipped).
_PROOF: dict[int, tuple[str, str]] = {11: ("schedule_occurrences", "content")}

BUSY_TIMEOUT_MS = 5000  # how long a statement waits for another connection's lock
_SIDE_FILES = ("-wal", "-shm")
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """The numbered migrations shipped in `groupbot/storage/migrations`, in order, no gaps."""
    found: list[Migration] = []
    folder = resources.files("groupbot.storage") / "migrations"
    for entry in folder.iterdir():
        m = _MIGRATION_NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda mig: mig.version)
    for expected, mig in enumerate(found, start=1):
        if mig.version != expected:
            raise StorageError(f"migration {mig.version:04d}_{mig.name} is out of sequence "
                               f"(expected {expected:04d})")
    return found


def latest_version() -> int:
    migrations = load_migrations()
    return migrations[-1].version if migrations else 0


class Database:
    """The bot's SQLite database. Open it with ``async with Database(path) as db``."""

    dialect = "sqlite"

    def __init__(self, path: str | os.PathLike[str], *, migrate: bool = True,
                 busy_timeout_ms: int | None = None, check: bool = False) -> None:
        self.path = str(path)
        self._auto_migrate = migrate
        self._busy_timeout_ms = BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
        # `check`: read every page at open (PRAGMA quick_check), so a damaged file stops the
        # bot at its start with one line instead of failing on some later message.
        self._check = check
        self._conn: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    # -- lifecycle -----------------------------------------------------------------------
    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self) -> None:
        if self._conn is not None:
            return
        self._check_path()
        self._create_private()
        try:
            conn = await aiosqlite.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open the database at {self.path}: {exc}") from exc
        self._conn = conn
        try:
            conn.row_factory = aiosqlite.Row
            # First, so that every step below waits (a bounded time) for another process's
            # lock instead of failing at once.
            await conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_ms)}")
            if self.path != ":memory:":
                await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA synchronous=NORMAL")
            if self._check:
                await self._quick_check()
            version = await self.schema_version()
            known = latest_version()
            if version > known:
                raise StorageError(
                    f"the database at {self.path} has schema version {version}, but this "
                    f"groupbot knows only up to {known}: it was written by a newer groupbot. "
                    "Upgrade groupbot, or restore a backup made by this version. "
                    "Nothing was changed."
                )
            if self.path != ":memory:":
                # Can we write? Another process holding the database (an exclusive lock)
                # is found here, at start, after the busy timeout, not on a member's message.
                await conn.execute("BEGIN IMMEDIATE")
                await conn.execute("ROLLBACK")
            if self._auto_migrate:
                await self.migrate()
        except sqlite3.Error as exc:
            await self.close()
            raise StorageError(describe_sqlite_error(exc, self.path, self._busy_timeout_ms)
                               ) from exc
        except BaseException:
            await self.close()
            raise
        self._warn_if_open_to_others()

    async def _quick_check(self) -> None:
        rows = await self.fetchall("PRAGMA quick_check(3)")
        problems = [" ".join(str(r[0]).split()) for r in rows if str(r[0]) != "ok"]
        if problems:
            raise StorageError(
                f"cannot use the database at {self.path}: it is damaged "
                f"({_clip('; '.join(problems), 160)}). Restore a backup (groupbot db backup "
                "makes them), or move the file aside to start afresh.")

    def _is_file(self) -> bool:
        return self.path != ":memory:" and not self.path.startswith("file:")

    def _create_private(self) -> None:
        """Create the database file 0600 (the umask may take more away) before SQLite
        would create it 0644; SQLite then gives its WAL and SHM files the same mode. An
        existing file keeps its mode (`_warn_if_open_to_others` says so)."""
        if not self._is_file():
            return
        try:
            create_private(self.path)
        except OSError as exc:
            raise StorageError(f"cannot create the database at {self.path}: "
                               f"{exc.strerror}") from None

    def _warn_if_open_to_others(self) -> None:
        """One line when the database file is open to others (its WAL and SHM files share
        its mode); one for a WAL or SHM file left open to others beside a private one."""
        if self._is_file() and not warn_if_open_to_others(self.path):
            for suffix in _SIDE_FILES:
                warn_if_open_to_others(self.path + suffix)

    def _check_path(self) -> None:
        if self.path == ":memory:" or self.path.startswith("file:"):
            return
        target = Path(self.path)
        parent = target.parent if str(target.parent) else Path(".")
        if not parent.exists():
            raise StorageError(f"cannot open the database at {self.path}: the folder {parent} "
                               "does not exist")
        if target.is_dir():
            raise StorageError(f"cannot open the database at {self.path}: that is a folder, "
                               "not a database file")
        if target.exists() and not os.access(target, os.R_OK | os.W_OK):
            raise StorageError(f"cannot open the database at {self.path}: the file is not "
                               "readable and writable by this user")
        if not target.exists() and not os.access(parent, os.W_OK):
            raise StorageError(f"cannot create the database at {self.path}: the folder {parent} "
                               "is not writable by this user")

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise StorageError("the database is not open")
        return self._conn

    # -- schema --------------------------------------------------------------------------
    async def schema_version(self) -> int:
        async with self.conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> tuple[int, int]:
        """Apply pending migrations, each in its own transaction. Returns (from, to)."""
        start = await self.schema_version()
        current = start
        for mig in load_migrations():
            if mig.version <= current:
                continue
            log.info("applying migration", extra={"migration": f"{mig.version:04d}_{mig.name}"})
            async with self._write_lock:
                try:
                    # executescript commits any open transaction first; ours is explicit, so a
                    # failure or an interrupt part-way leaves the previous version intact.
                    await self.conn.executescript(
                        f"BEGIN IMMEDIATE;\n{mig.sql}\n;PRAGMA user_version={mig.version};\nCOMMIT;"
                    )
                except BaseException as exc:
                    await self._rollback_quietly()
                    if isinstance(exc, sqlite3.Error):
                        raise StorageError(
                            f"migration {mig.version:04d}_{mig.name} failed: {exc}; the database "
                            f"is unchanged at schema version {current}"
                        ) from exc
                    raise
            current = mig.version
        await self._repair_skipped(current)
        return start, current

    async def _repair_skipped(self, current: int) -> None:
        """Re-apply a migration a database skipped. Builds of main between the outbox (0012)
        and the crash-safe schedules held 0011 as an empty placeholder, so a database they
        migrated is at 12 without 0011's columns; each entry here names a column that proves
        its migration ran."""
        for mig in load_migrations():
            proof = _PROOF.get(mig.version)
            if proof is None or mig.version > current:
                continue
            table, column = proof
            async with self.conn.execute(f"PRAGMA table_info({table})") as cur:
                columns = {row[1] for row in await cur.fetchall()}
            if column in columns:
                continue
            log.warning("re-applying a migration this database skipped",
                        extra={"migration": f"{mig.version:04d}_{mig.name}"})
            async with self._write_lock:
                try:
                    await self.conn.executescript(f"BEGIN IMMEDIATE;\n{mig.sql}\n;COMMIT;")
                except BaseException as exc:
                    await self._rollback_quietly()
                    if isinstance(exc, sqlite3.Error):
                        raise StorageError(f"migration {mig.version:04d}_{mig.name} could not "
                                           f"be re-applied: {exc}") from exc
                    raise

    async def _rollback_quietly(self) -> None:
        try:
            if self._conn is not None and self._conn.in_transaction:
                await self._conn.rollback()
        except sqlite3.Error:  # pragma: no cover - nothing more we can do
            log.exception("rollback failed")

    # -- queries -------------------------------------------------------------------------
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A short write transaction (BEGIN IMMEDIATE). Rolled back on any error or interrupt."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self._rollback_quietly()
                raise
            else:
                await self.conn.commit()

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One write statement in its own transaction; returns the row id (or rowcount)."""
        async with self.transaction() as conn, conn.execute(sql, tuple(params)) as cur:
            return cur.lastrowid or cur.rowcount

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return await cur.fetchone()

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`fn(connection)` with the underlying sqlite3 connection, on the database thread:
        a read made of several statements (a search) then waits for one thread wake-up
        instead of one per statement, and each costs ~0.1-0.5 ms when the thread sat idle.

        `fn` must be short and only read: writes go through `transaction()`."""
        return await _on_thread(self.conn, fn)

    async def integrity_ok(self) -> bool:
        row = await self.fetchone("PRAGMA integrity_check")
        return row is not None and row[0] == "ok"

    async def backup(self, dest: str | os.PathLike[str]) -> None:
        """Copy the live database with SQLite's online backup API (safe while in use).

        The copy is written to a private temporary file (0600) and renamed over `dest`; it
        ends 0600 with the umask's bits taken away, or, when `dest` existed, with that file's
        mode (left as it was, with a warning when others may open it)."""
        dest_path = _check_backup_target(Path(dest), self.path)
        try:
            with written_privately(dest_path) as tmp:
                target = await aiosqlite.connect(str(tmp))
                try:
                    await self.conn.backup(target)
                finally:
                    await target.close()
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"cannot write the backup to {dest}: {exc}") from exc


def describe_sqlite_error(exc: BaseException, path: str, busy_timeout_ms: int | None = None
                          ) -> str:
    """One line for an SQLite error met while opening or using the database at `path`."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    text = str(exc)
    low = text.lower()
    where = f"cannot use the database at {path}"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in low:
        waited = (f" (waited {busy_timeout_ms / 1000:g} s)" if busy_timeout_ms is not None
                  else "")
        return (f"{where}: the file {path} is locked by another process{waited}. Is another "
                "groupbot, or an sqlite3 shell, using it? Stop it, or give another --database.")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in low \
            or "not a database" in low:
        return (f"{where}: it is damaged ({text}). Restore a backup (groupbot db backup "
                "makes them), or move the file aside to start afresh.")
    if name.startswith("SQLITE_FULL") or "disk is full" in low:
        return f"{where}: the disk is full ({text})."
    if name.startswith("SQLITE_READONLY") or "readonly" in low:
        return f"{where}: it cannot be written ({text}). Check the file's owner and mode."
    return f"{where}: {text}"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


async def _on_thread(conn: aiosqlite.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    """aiosqlite (0.22) has no public call for this: its private `_execute` queues a function
    for its thread and `_conn` is the sqlite3 connection there. Both are checked here, the only
    place that uses them, so an aiosqlite that lacks them fails clearly."""
    execute = getattr(conn, "_execute", None)
    if not callable(execute) or not hasattr(type(conn), "_conn"):
        raise StorageError(
            f"aiosqlite {getattr(aiosqlite, '__version__', '?')} cannot run a function on its "
            "database thread (Connection._execute/_conn are missing): install an aiosqlite "
            "version that pyproject.toml allows")

    def call() -> T:
        raw = conn._conn
        if not isinstance(raw, sqlite3.Connection):
            raise StorageError("aiosqlite's Connection._conn is not a sqlite3 connection")
        return fn(raw)

    result: T = await execute(call)
    return result


def _check_backup_target(dest: Path, source: str) -> Path:
    if os.path.realpath(dest) == os.path.realpath(source):
        raise StorageError("the backup path is the database itself")
    if not os.path.isdir(dest.parent):
        raise StorageError(f"cannot write the backup to {dest}: the folder {dest.parent} "
                           "does not exist")
    return dest
