"""`groupbot db migrate` and `groupbot db backup PATH`."""

from __future__ import annotations

import argparse
from typing import Any

from groupbot.config import Config
from groupbot.storage.backend import open_database
from groupbot.storage.database import latest_version


def register_cli(sub: Any) -> None:
    db = sub.add_parser("db", help="the database: migrate, backup")
    dbsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    mig = dbsub.add_parser("migrate", help="bring the database to the current schema")
    mig.set_defaults(func=migrate)
    bak = dbsub.add_parser("backup", help="copy the live database safely (SQLite online backup)")
    bak.add_argument("path", help="where to write the copy")
    bak.set_defaults(func=backup)


async def migrate(args: argparse.Namespace, config: Config) -> int:
    async with open_database(config.database, migrate=False, check=True) as db:
        start, end = await db.migrate()
    if start == end:
        print(f"{config.database}: already at schema version {end} (latest {latest_version()}).")
    else:
        print(f"{config.database}: migrated from schema version {start} to {end}.")
    return 0


async def backup(args: argparse.Namespace, config: Config) -> int:
    async with open_database(config.database) as db:
        await db.backup(args.path)
    print(f"Backed up {config.database} to {args.path}.")
    return 0
