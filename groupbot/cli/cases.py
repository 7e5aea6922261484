"""`groupbot cases export --group G [--since DATE] [--format jsonl|csv] [--output FILE]`.

Writes every case of the group (and only that group), oldest first, to stdout or FILE:
reasons, actions, categories, rules, who opened it, amendments with who and when, and the
message text only where the group chose to keep it and it has not expired. Reads only.

FILE is private like the database (created 0600, written whole; an existing file keeps its
mode, with a warning when others may open it). Standard output redirected to a file that
others may open gets the same warning: the shell made that file, with its umask.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from groupbot.config import Config
from groupbot.core.errors import GroupbotError, StorageError
from groupbot.features.case_log import FORMATS, SINCE_HELP, parse_since, write_case_log
from groupbot.storage.backend import is_postgres, redact
from groupbot.storage.cases import CaseRepo
from groupbot.storage.connect import open_database
from groupbot.storage.groups import GroupRepo
from groupbot.storage.private_files import warn_if_stream_open_to_others, written_privately


def register_cli(sub: Any) -> None:
    cases = sub.add_parser("cases", help="the moderation case log")
    csub = cases.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    exp = csub.add_parser(
        "export", help="write a group's case log to stdout (JSON lines or CSV)",
        description="Every case of one group, oldest first: reasons, actions, categories, "
                    "rules, moderators, amendments with who and when. Message text appears "
                    "only where the group keeps it (/mod policy keep-text) and until it "
                    "expires.")
    exp.add_argument("--group", required=True,
                     help="the group's id as the bot stores it (an unknown id lists the known "
                          "ones)")
    exp.add_argument("--since", help=f"only cases from then on: {SINCE_HELP}")
    exp.add_argument("--format", choices=FORMATS, default="jsonl",
                     help="jsonl (one JSON object per case, the default) or csv")
    exp.add_argument("--output", "-o", metavar="FILE",
                     help="write to FILE instead of stdout (created 0600, like the database)")
    exp.set_defaults(func=export)


async def export(args: argparse.Namespace, config: Config) -> int:
    now = datetime.now(UTC)
    since = None
    if args.since:
        try:
            since = parse_since(args.since, now)
        except ValueError as exc:
            print(f"groupbot cases export: --since: {exc}", file=sys.stderr)
            return 2
    path = str(config.database)
    if (path != ":memory:" and not path.startswith("file:") and not is_postgres(path)
            and not await asyncio.to_thread(Path(path).is_file)):
        raise StorageError(f"there is no database at {path} (give --database or set "
                           "GROUPBOT_DATABASE)")
    async with open_database(path) as db:
        if await GroupRepo(db).settings(args.group) is None:
            known = await GroupRepo(db).all_ids()
            listed = ", ".join(known[:20]) + (f" and {len(known) - 20} more"
                                              if len(known) > 20 else "")
            raise GroupbotError(f"there is no group {args.group!r} in {redact(path)}"
                                + (f"; the groups are: {listed}" if known else
                                   "; it has no groups yet"))
        repo = CaseRepo(db)
        if args.output:
            count = await _to_file(repo, args, now, since)
        else:
            warn_if_stream_open_to_others(sys.stdout, hint=" (or give --output FILE)")
            count = await write_case_log(repo, args.group, now, sys.stdout, since=since,
                                         fmt=args.format)
    where = f" to {args.output}" if args.output else ""
    print(f"{count} case{'s' if count != 1 else ''} of {args.group} written{where}.",
          file=sys.stderr)
    return 0


async def _to_file(repo: CaseRepo, args: argparse.Namespace, now: datetime,
                   since: datetime | None) -> int:
    dest = Path(args.output)
    try:
        with written_privately(dest) as tmp:
            out = await asyncio.to_thread(tmp.open, "w", encoding="utf-8", newline="")
            with out:
                return await write_case_log(repo, args.group, now, out, since=since,
                                            fmt=args.format)
    except OSError as exc:
        raise GroupbotError(f"cannot write the export to {dest}: "
                            f"{exc.strerror or exc}") from None
