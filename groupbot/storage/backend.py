"""What every database backend offers the repositories (`connect.open_database` opens one).

`database` in the config (or GROUPBOT_DATABASE) is a path (SQLite, the default) or a
`postgresql://` URL. Both backends speak the repositories' SQL: `?` placeholders, and a
`transaction()` whose connection has `execute` (awaitable, or an async context manager giving
a cursor with fetchone/fetchall/rowcount/lastrowid), `executemany` and `total_changes`.
PostgreSQL translates the few differences (see `groupbot.storage.postgres`).
"""

from __future__ import annotations

import os
import re
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import aiosqlite

# The connection inside `transaction()` and a row, as the repositories see them: aiosqlite's
# types. PostgreSQL's `PgConn` offers the same surface (execute, executemany, total_changes,
# cursors with fetchone/fetchall/rowcount/lastrowid) and asyncpg's Record indexes by position
# and by name as sqlite3.Row does; they are handed over as these types.
Conn = aiosqlite.Connection
Row = aiosqlite.Row

_URL = re.compile(r"^(postgres(?:ql)?)://", re.IGNORECASE)
_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@\s]*):[^@\s]*@", re.IGNORECASE)


class Db(Protocol):
    """A database the repositories run SQL through."""

    path: str  # what people are shown: a file path, or a URL without its password
    dialect: str  # "sqlite" or "postgresql"

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def __aenter__(self) -> Db: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def schema_version(self) -> int: ...
    async def migrate(self) -> tuple[int, int]: ...
    def transaction(self) -> AbstractAsyncContextManager[Conn]: ...
    async def execute(self, sql: str, params: Any = ()) -> int: ...
    async def fetchone(self, sql: str, params: Any = ()) -> Row | None: ...
    async def fetchall(self, sql: str, params: Any = ()) -> list[Row]: ...
    async def integrity_ok(self) -> bool: ...
    async def backup(self, dest: str | os.PathLike[str]) -> None: ...


def is_postgres(target: str | os.PathLike[str]) -> bool:
    return bool(_URL.match(str(target)))


def redact(target: str | os.PathLike[str]) -> str:
    """A database target fit for logs and messages: a URL's password becomes ***."""
    return _PASSWORD.sub(r"\1:***@", str(target))


def password_of(target: str) -> list[str]:
    """The password in a database URL (for the log's redaction), if any."""
    m = re.match(r"^postgres(?:ql)?://[^:/@]*:([^@]+)@", target, re.IGNORECASE)
    return [m.group(1)] if m else []


async def lock_numbers(conn: Conn, *key: str) -> None:
    """Inside a write transaction: hold the lock that numbers `key`'s rows (a group's cases,
    its queue items) until it ends, so concurrent transactions number without gaps or clashes.
    SQLite's BEGIN IMMEDIATE already lets one writer in at a time; PostgreSQL takes an
    advisory transaction lock."""
    take = getattr(conn, "advisory_lock", None)
    if take is not None:
        await take("/".join(key))
