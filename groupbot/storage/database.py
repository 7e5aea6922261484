"""One SQLite database through aiosqlite: WAL, busy_timeout, numbered migrations, short
transactions, and a connection that is always closed.

aiosqlite runs each connection on a non-daemon thread, so a connection left open keeps the
process from exiting: `Database` is an async context manager and `close()` is idempotent.
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

log = logging.getLogger(__name__)

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

    def __init__(self, path: str | os.PathLike[str], *, migrate: bool = True,
                 busy_timeout_ms: int = 5000) -> None:
        self.path = str(path)
        self._auto_migrate = migrate
        self._busy_timeout_ms = busy_timeout_ms
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
        try:
            conn = await aiosqlite.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open the database at {self.path}: {exc}") from exc
        self._conn = conn
        try:
            conn.row_factory = aiosqlite.Row
            if self.path != ":memory:":
                await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_ms)}")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA synchronous=NORMAL")
            version = await self.schema_version()
            known = latest_version()
            if version > known:
                raise StorageError(
                    f"the database at {self.path} has schema version {version}, but this "
                    f"groupbot knows only up to {known}: it was written by a newer groupbot. "
                    "Upgrade groupbot, or restore a backup made by this version. "
                    "Nothing was changed."
                )
            if self._auto_migrate:
                await self.migrate()
        except sqlite3.DatabaseError as exc:
            await self.close()
            raise StorageError(f"cannot use the database at {self.path}: {exc}") from exc
        except BaseException:
            await self.close()
            raise

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
        return start, current

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
        """Copy the live database with SQLite's online backup API (safe while in use)."""
        dest_path = _check_backup_target(Path(dest), self.path)
        tmp = dest_path.with_name(dest_path.name + ".partial")
        try:
            target = await aiosqlite.connect(str(tmp))
            try:
                await self.conn.backup(target)
            finally:
                await target.close()
            os.replace(tmp, dest_path)
        except (sqlite3.Error, OSError) as exc:
            tmp.unlink(missing_ok=True)
            raise StorageError(f"cannot write the backup to {dest}: {exc}") from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


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
