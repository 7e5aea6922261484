"""Whether an error says the database cannot be written now (full, locked, read-only, I/O)
or that one record is wrong, and why, in words for the moderator log. The moderation outbox
retries the first kind and gives up on the second."""

from __future__ import annotations

import sqlite3

import asyncpg  # type: ignore[import-untyped]

from groupbot.core.errors import StorageError
from groupbot.storage.backend import redact

# PostgreSQL: what says this entry is wrong (a constraint, a bad value, bad SQL), not the server
_PG_ENTRY_WRONG = (asyncpg.IntegrityConstraintViolationError, asyncpg.DataError,
                   asyncpg.SyntaxOrAccessError)


def storage_failure(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be written now (full, locked, read-only, I/O)
    rather than that this entry is wrong (a constraint, a bug)."""
    if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError,
                        sqlite3.InterfaceError, *_PG_ENTRY_WRONG)):
        return False
    # PostgreSQL: the server gone, restarting, full, a deadlock or serialization failure
    return isinstance(exc, sqlite3.DatabaseError | StorageError | OSError | TimeoutError |
                      asyncpg.PostgresError | asyncpg.InterfaceError)


def why_storage_failed(exc: BaseException) -> str:
    """Why storage failed, in words fit for the moderator log (never a member's words)."""
    if isinstance(exc, sqlite3.Error | StorageError | OSError | asyncpg.PostgresError |
                  asyncpg.InterfaceError):
        return redact(str(exc))[:200] or type(exc).__name__
    return type(exc).__name__
