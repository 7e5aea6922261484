"""The PostgreSQL backend (asyncpg): the repositories' SQL on a server shared by many processes.

The repositories write SQLite's dialect; `translate` turns it into PostgreSQL's: `?` becomes
`$1, $2, ...`, `x IS ?` becomes `x IS NOT DISTINCT FROM $n`, a `/*FOR UPDATE*/` marker (a
comment SQLite ignores) locks the rows read, and an INSERT into a table with an integer id
returns that id (SQLite's lastrowid). SQLite's `instr` is defined by the first migration.

Migrations live in `migrations/postgres/`, numbered as SQLite's are; each is applied in its
own transaction under an advisory lock, so processes starting together apply it once. The
schema version is kept in `schema_version`; a newer one is refused, changing nothing.

The URL's password is never logged or shown (`redact`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any, cast

import asyncpg  # type: ignore[import-untyped]

from groupbot.core.errors import StorageError
from groupbot.storage.backend import Conn, Row, redact
from groupbot.storage.database import Migration, latest_version

log = logging.getLogger(__name__)

MIGRATION_LOCK = 7_719_001  # pg_advisory_xact_lock key held while migrating
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# tables whose rows have an integer id, and its column: what an INSERT returns as lastrowid
ID_COLUMNS = {
    "settings_log": "id", "library_articles": "id", "library_sections": "id",
    "library_references": "id", "library_passages": "id", "library_recent": "id",
    "library_queries": "id", "prompt_rotation": "seq", "schedules": "id", "checkins": "id",
    "checkin_answers": "id", "mod_amendments": "id", "mod_strikes": "id", "mod_alerts": "id",
}
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|/\*FOR UPDATE\*/|\bIS\s+NOT\s+\?|\bIS\s+\?|\?",
                     re.IGNORECASE)


def translate(sql: str) -> tuple[str, str | None]:
    """(PostgreSQL's SQL, the id column an INSERT returns or None)."""
    n = 0

    def swap(m: re.Match[str]) -> str:
        nonlocal n
        tok = m.group(0)
        if tok[0] in "'\"":
            return tok
        if tok == "/*FOR UPDATE*/":
            return "FOR UPDATE"
        n += 1
        up = tok.upper()
        if up.startswith("IS") and "NOT" in up:
            return f"IS DISTINCT FROM ${n}"
        if up.startswith("IS"):
            return f"IS NOT DISTINCT FROM ${n}"
        return f"${n}"

    out = _TOKENS.sub(swap, sql)
    returning = None
    m = _INSERT.match(out)
    if m and "RETURNING" not in out.upper():
        returning = ID_COLUMNS.get(m.group(1).lower())
        if returning is not None:
            out = f"{out.rstrip().rstrip(';')} RETURNING {returning}"
    return out, returning


def load_pg_migrations() -> list[Migration]:
    folder = resources.files("groupbot.storage") / "migrations" / "postgres"
    found = []
    for entry in folder.iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda mig: mig.version)
    return found


class PgCursor:
    def __init__(self, rows: list[asyncpg.Record], rowcount: int, lastrowid: int | None) -> None:
        self.rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchone(self) -> asyncpg.Record | None:
        return self.rows[0] if self.rows else None

    async def fetchall(self) -> list[asyncpg.Record]:
        return list(self.rows)

    async def __aenter__(self) -> PgCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


class _Call:
    """`conn.execute(...)`: awaited, or used as `async with ... as cur` (as aiosqlite's)."""

    def __init__(self, conn: PgConn, sql: str, params: Sequence[Any]) -> None:
        self._conn, self._sql, self._params = conn, sql, params

    def __await__(self) -> Any:
        return self._conn.run(self._sql, self._params).__await__()

    async def __aenter__(self) -> PgCursor:
        return await self._conn.run(self._sql, self._params)

    async def __aexit__(self, *exc: object) -> None:
        return None


class PgConn:
    """One asyncpg connection with aiosqlite's surface, as the repositories use it."""

    dialect = "postgresql"

    def __init__(self, raw: asyncpg.Connection) -> None:
        self.raw = raw
        self.total_changes = 0

    def execute(self, sql: str, params: Iterable[Any] = ()) -> _Call:
        return _Call(self, sql, tuple(params))

    async def executemany(self, sql: str, seq: Iterable[Iterable[Any]]) -> None:
        for params in seq:
            await self.run(sql, tuple(params))

    async def run(self, sql: str, params: Sequence[Any]) -> PgCursor:
        text, returning = translate(sql)
        args = [_arg(p) for p in params]
        head = text.lstrip()[:6].upper()
        if returning is not None or head.startswith(("SELECT", "WITH", "VALUES")) \
                or " RETURNING " in text.upper():
            rows = await self.raw.fetch(text, *args)
            count = len(rows) if not head.startswith(("SELECT", "WITH", "VALUES")) else 0
            lastrowid = int(rows[0][0]) if returning is not None and rows else None
        else:
            status = await self.raw.execute(text, *args)
            rows, lastrowid = [], None
            tail = status.rsplit(" ", 1)[-1]
            count = int(tail) if tail.isdigit() else 0
        if head in ("INSERT", "UPDATE", "DELETE"):
            self.total_changes += count
        return PgCursor(rows, count, lastrowid)

    async def advisory_lock(self, key: str) -> None:
        await self.raw.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)


def _arg(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


class PostgresDatabase:
    """The bot's PostgreSQL database: ``async with PostgresDatabase(url) as db``."""

    dialect = "postgresql"

    def __init__(self, url: str, *, migrate: bool = True, min_size: int = 1,
                 max_size: int = 5) -> None:
        self.url = url
        self.path = redact(url)
        self._auto_migrate = migrate
        self._sizes = (min_size, max_size)
        self._pool: asyncpg.Pool | None = None

    async def __aenter__(self) -> PostgresDatabase:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self) -> None:
        if self._pool is not None:
            return
        try:
            self._pool = await asyncpg.create_pool(
                self.url, min_size=self._sizes[0], max_size=self._sizes[1])
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StorageError(f"cannot open the database at {self.path}: "
                               f"{redact(str(exc))}") from None
        try:
            version = await self.schema_version()
            known = latest_version()
            if version > known:
                raise StorageError(
                    f"the database at {self.path} has schema version {version}, but this "
                    f"groupbot knows only up to {known}: it was written by a newer groupbot. "
                    "Upgrade groupbot, or restore a backup made by this version. "
                    "Nothing was changed.")
            if self._auto_migrate:
                await self.migrate()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise StorageError("the database is not open")
        return self._pool

    # -- schema --------------------------------------------------------------------------
    async def schema_version(self) -> int:
        async with self.pool.acquire() as raw:
            return await _version(raw)

    async def migrate(self) -> tuple[int, int]:
        """Apply pending migrations, each in its own transaction, under an advisory lock:
        a process that waited for another's finds them applied and does nothing."""
        known = {m.version for m in load_pg_migrations()}
        if known != set(range(1, latest_version() + 1)):
            raise StorageError("the PostgreSQL migrations do not match SQLite's numbers")
        start = await self.schema_version()
        current = start
        async with self.pool.acquire() as raw:
            for mig in load_pg_migrations():
                if mig.version <= current:
                    continue
                try:
                    async with raw.transaction():
                        await raw.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
                        now = await _version(raw)
                        if now >= mig.version:  # another process applied it meanwhile
                            current = now
                            continue
                        log.info("applying migration",
                                 extra={"migration": f"{mig.version:04d}_{mig.name}"})
                        await raw.execute(mig.sql)
                        await raw.execute(
                            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                        await raw.execute("DELETE FROM schema_version")
                        await raw.execute("INSERT INTO schema_version VALUES ($1)", mig.version)
                except asyncpg.PostgresError as exc:
                    raise StorageError(
                        f"migration {mig.version:04d}_{mig.name} failed: {exc}; the database "
                        f"is unchanged at schema version {current}") from exc
                current = mig.version
        return start, current

    # -- queries -------------------------------------------------------------------------
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        """A write transaction (READ COMMITTED, with row and advisory locks where the
        repositories ask for them). Rolled back on any error or interrupt."""
        async with self.pool.acquire() as raw, raw.transaction():
            yield cast(Conn, PgConn(raw))

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        async with self.pool.acquire() as raw, raw.transaction():
            cur = await PgConn(raw).run(sql, tuple(params))
            return cur.lastrowid or cur.rowcount

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        text, _ = translate(sql)
        async with self.pool.acquire() as raw:
            return cast(list[Row], await raw.fetch(text, *[_arg(p) for p in params]))

    async def integrity_ok(self) -> bool:
        row = await self.fetchone("SELECT 1")
        return row is not None

    async def backup(self, dest: object) -> None:
        raise StorageError("a PostgreSQL database is backed up with pg_dump (see the README), "
                           "not with groupbot db backup")


async def _version(raw: asyncpg.Connection) -> int:
    # a scan of the catalog (not to_regclass, whose cache may still miss a table another
    # process created while this one waited for the migration lock)
    exists = await raw.fetchval(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
        "AND c.relname = 'schema_version')")
    if not exists:
        return 0
    value = await raw.fetchval("SELECT max(version) FROM schema_version")
    return int(value or 0)
