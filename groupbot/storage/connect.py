"""Opening the database a config names: SQLite (a path, the default) or PostgreSQL (a
`postgresql://` URL). Kept apart from `backend`, which both backends import."""

from __future__ import annotations

import os

from groupbot.storage.backend import Db, is_postgres
from groupbot.storage.database import Database
from groupbot.storage.postgres import PostgresDatabase


def open_database(target: str | os.PathLike[str], *, migrate: bool = True,
                  check: bool = False, busy_timeout_ms: int | None = None) -> Db:
    """The database at `target` (not yet open: `async with open_database(...) as db`)."""
    if is_postgres(target):
        return PostgresDatabase(str(target), migrate=migrate)
    return Database(target, migrate=migrate, check=check, busy_timeout_ms=busy_timeout_ms)
