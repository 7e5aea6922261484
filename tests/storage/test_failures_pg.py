"""Which PostgreSQL errors the moderation outbox retries (the server gone, full, a deadlock)
and which it gives up on (a bad entry), as it does for SQLite's; never the URL's password."""

from __future__ import annotations

import sqlite3

import asyncpg  # type: ignore[import-untyped]

from groupbot.storage.failures import storage_failure, why_storage_failed


def test_postgres_errors_are_classified_as_sqlite_ones_are() -> None:
    assert not storage_failure(asyncpg.UniqueViolationError("duplicate key"))
    assert not storage_failure(asyncpg.DataError("invalid input"))
    assert not storage_failure(sqlite3.IntegrityError("UNIQUE constraint failed"))
    assert storage_failure(asyncpg.DiskFullError("no space left on device"))
    assert storage_failure(asyncpg.DeadlockDetectedError("deadlock detected"))
    assert storage_failure(asyncpg.ConnectionDoesNotExistError("connection was closed"))
    assert storage_failure(sqlite3.OperationalError("database or disk is full"))
    assert not storage_failure(ValueError("a bug"))
    why = why_storage_failed(asyncpg.CannotConnectNowError(
        "postgresql://bot:s3cret@db:5432/g is starting up"))
    assert "s3cret" not in why and "starting up" in why
