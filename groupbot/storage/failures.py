"""Whether an error says the database cannot be written now (full, locked, read-only, I/O)
or that one record is wrong, and why, in words for the moderator log. The moderation outbox
retries the first kind and gives up on the second."""

from __future__ import annotations

import sqlite3

from groupbot.core.errors import StorageError


def storage_failure(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be written now (full, locked, read-only, I/O)
    rather than that this entry is wrong (a constraint, a bug)."""
    if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError |
                  sqlite3.InterfaceError):
        return False
    return isinstance(exc, sqlite3.DatabaseError | StorageError | OSError | TimeoutError)


def why_storage_failed(exc: BaseException) -> str:
    """Why storage failed, in words fit for the moderator log (never a member's words)."""
    if isinstance(exc, sqlite3.Error | StorageError | OSError):
        return str(exc)[:200] or type(exc).__name__
    return type(exc).__name__
