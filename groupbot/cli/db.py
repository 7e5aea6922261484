"""`groupbot db migrate`, `groupbot db backup PATH` and `groupbot db copy --from --to`."""

from __future__ import annotations

import argparse
from typing import Any

from groupbot.config import Config
from groupbot.storage.backend import redact
from groupbot.storage.connect import open_database
from groupbot.storage.database import latest_version


def register_cli(sub: Any) -> None:
    db = sub.add_parser("db", help="the database: migrate, backup")
    dbsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    mig = dbsub.add_parser("migrate", help="bring the database to the current schema")
    mig.set_defaults(func=migrate)
    bak = dbsub.add_parser("backup", help="copy the live database safely (SQLite online backup)")
    bak.add_argument("path", help="where to write the copy")
    bak.set_defaults(func=backup)
    cp = dbsub.add_parser("copy", help="copy an SQLite database's data into PostgreSQL")
    cp.add_argument("--from", dest="source", required=True, metavar="sqlite:///PATH",
                    help="the SQLite database to copy (left as it is)")
    cp.add_argument("--to", dest="target", required=True, metavar="postgresql://...",
                    help="the PostgreSQL database to fill (brought to the current schema)")
    cp.add_argument("--replace", action="store_true",
                    help="copy even into a target that holds data (its rows are deleted)")
    cp.set_defaults(func=copy)


async def migrate(args: argparse.Namespace, config: Config) -> int:
    async with open_database(config.database, migrate=False, check=True) as db:
        start, end = await db.migrate()
    where = redact(str(config.database))
    if start == end:
        print(f"{where}: already at schema version {end} (latest {latest_version()}).")
    else:
        print(f"{where}: migrated from schema version {start} to {end}.")
    return 0


async def backup(args: argparse.Namespace, config: Config) -> int:
    async with open_database(config.database) as db:
        await db.backup(args.path)
    print(f"Backed up {redact(str(config.database))} to {args.path}.")
    return 0


async def copy(args: argparse.Namespace, config: Config) -> int:
    from groupbot.storage.copy import copy_database

    copied = await copy_database(args.source, args.target, replace=args.replace)
    width = max(len(c.table) for c in copied)
    for c in copied:
        print(f"  {c.table:<{width}}  {c.rows} rows")
    total = sum(c.rows for c in copied)
    print(f"Copied {total} rows in {len(copied)} tables from {redact(args.source)} "
          f"to {redact(args.target)}.")
    return 0
