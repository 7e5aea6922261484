"""`groupbot db copy`: every table of an SQLite database into a PostgreSQL one, ids and case
numbers as they were.

The target is brought to the current schema first; the source too (as any groupbot command
would). Tables are copied in the order the migrations create them, so each row's parents are
there before it; identity sequences then continue after the highest id copied. One
transaction: a failure part-way leaves the target as it was. A target that already holds
data is refused unless `replace` is given (its rows in those tables are then deleted first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from groupbot.core.errors import StorageError
from groupbot.storage.backend import is_postgres, redact
from groupbot.storage.database import Database
from groupbot.storage.postgres import PostgresDatabase, load_pg_migrations

_CREATE = re.compile(r"CREATE TABLE (\w+)", re.IGNORECASE)
_SEEDED = {"library_meta"}  # rows a fresh database already has: replaced, never "data"
_NOT_COPIED = {"schema_version"}


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int


def table_order() -> list[str]:
    order: list[str] = []
    for mig in load_pg_migrations():
        for name in _CREATE.findall(mig.sql):
            if name not in order and name not in _NOT_COPIED:
                order.append(name)
    return order


def sqlite_path(source: str) -> str:
    if source.startswith("sqlite:///"):
        return source[len("sqlite://"):]
    if source.startswith("sqlite://"):
        raise StorageError("an SQLite source is sqlite:///path/to/groupbot.db (three slashes)")
    if is_postgres(source):
        raise StorageError("the source must be an SQLite database (sqlite:///path)")
    return source


async def copy_database(source: str, target: str, *, replace: bool = False) -> list[Copied]:
    if not is_postgres(target):
        raise StorageError("the target must be a PostgreSQL database (postgresql://...)")
    async with Database(sqlite_path(source)) as src, PostgresDatabase(target) as dst:
        tables = table_order()
        async with dst.pool.acquire() as raw, raw.transaction():
            columns = await _columns(raw)
            missing = [t for t in tables if t not in columns]
            if missing:
                raise StorageError(f"the target lacks tables {', '.join(missing)}")
            full = [t for t in tables if t not in _SEEDED
                    and await raw.fetchval(f"SELECT EXISTS (SELECT 1 FROM {t})")]
            if full and not replace:
                raise StorageError(
                    f"the target {redact(target)} already holds data (in {', '.join(full)}); "
                    "nothing was copied. Give --replace to delete those rows and copy anyway.")
            for table in reversed(tables):  # children first
                if replace or table in _SEEDED:
                    await raw.execute(f"DELETE FROM {table}")
            done = [Copied(t, await _copy(src, raw, t, columns[t])) for t in tables]
            for table, cols in columns.items():
                for col in cols:
                    seq = await raw.fetchval("SELECT pg_get_serial_sequence($1, $2)", table, col)
                    if seq is not None:
                        await raw.execute(
                            f"SELECT setval($1, COALESCE(MAX({col}), 0) + 1, false) "
                            f"FROM {table}", seq)
        return done


async def _columns(raw: asyncpg.Connection) -> dict[str, dict[str, str]]:
    rows = await raw.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_generated = 'NEVER' "
        "AND table_name IN (SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE') "
        "ORDER BY table_name, ordinal_position")
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        out.setdefault(r["table_name"], {})[r["column_name"]] = r["data_type"]
    return out


async def _copy(src: Database, raw: asyncpg.Connection, table: str,
                target_columns: dict[str, str]) -> int:
    source_columns = [r[1] for r in await src.fetchall(f"PRAGMA table_info({table})")]
    cols = [c for c in source_columns if c in target_columns]
    rows = await src.fetchall(f"SELECT {', '.join(cols)} FROM {table}")
    if not rows:
        return 0
    kinds = [target_columns[c] for c in cols]
    records = [tuple(_value(v, k) for v, k in zip(row, kinds, strict=True)) for row in rows]
    await raw.copy_records_to_table(table, records=records, columns=cols)
    return len(records)


def _value(value: Any, kind: str) -> Any:
    """SQLite keeps what it is given; PostgreSQL's column decides."""
    if value is None:
        return None
    if kind == "text":
        return value if isinstance(value, str) else str(value)
    if kind in ("bigint", "integer", "smallint"):
        return int(value)
    if kind == "double precision":
        return float(value)
    return value
