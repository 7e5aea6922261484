"""`groupbot prompts check [DIR]`: validate a prompt library before the bot loads it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from groupbot.config import Config
from groupbot.prompts_library.loader import check_library


def register_cli(sub: Any) -> None:
    prompts = sub.add_parser("prompts", help="the discussion-prompt library")
    psub = prompts.add_subparsers(dest="prompts_command", metavar="ACTION", required=True)
    chk = psub.add_parser("check", help="validate a prompt library (default: bot.prompts_dir)")
    chk.add_argument("dir", nargs="?", help="the library folder")
    chk.set_defaults(func=check)


async def check(args: argparse.Namespace, config: Config) -> int:
    folder = Path(args.dir) if args.dir else Path(config.prompts_dir)
    library, problems = check_library(folder)
    if library is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        n = len(problems)
        print(f"{folder}: {n} problem{'s' if n != 1 else ''} found; nothing was loaded.",
              file=sys.stderr)
        return 1
    print(f"{folder}: {len(library)} prompts in {len(library.themes())} themes")
    for theme in library.themes():
        prompts = library.by_theme(theme)
        notes = sum(1 for p in prompts if p.content_note)
        links = sum(1 for p in prompts if p.excerpt)
        print(f"  {theme:<32} {len(prompts):>3} prompts  ({notes} with a content note, "
              f"{links} with an excerpt)")
    print(f"{len(library.curricula)} curricula")
    for cur in library.curricula.values():
        print(f"  {cur.id:<32} {len(cur.weeks):>3} weeks, {len(cur)} prompts  {cur.title}")
    print("OK")
    return 0
