"""The `groupbot` command line.

Subcommands from other modules plug in through `CLI_EXTENSIONS`: each names a module with a
``register_cli(subparsers)`` function that adds its parsers and sets ``func`` (an async
callable taking the parsed args and returning an exit code).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from groupbot import __version__
from groupbot.config import Config, load_config
from groupbot.core.errors import GroupbotError
from groupbot.logging_setup import setup_logging

log = logging.getLogger("groupbot")

# Modules that add subcommands (each has register_cli(subparsers)).
CLI_EXTENSIONS: tuple[str, ...] = (
    "groupbot.cli_commands",
    "groupbot.cli_db",
    "groupbot.cli_library",
    "groupbot.cli_prompts",
    "groupbot.cli_run",
    "groupbot.cli_moderate",
    "groupbot.cli_cases",
    "groupbot.cli_dashboard",
)

AsyncCommand = Callable[[argparse.Namespace, Config], Coroutine[Any, Any, int]]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="groupbot",
        description="A kind, careful bot for peer support groups (Discord, Slack, console).",
    )
    parser.add_argument("--version", action="version", version=f"groupbot {__version__}")
    parser.add_argument("--config", help="TOML config file (or set GROUPBOT_CONFIG)")
    parser.add_argument("--database", help="SQLite database path (or set GROUPBOT_DATABASE)")
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING or ERROR")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in CLI_EXTENSIONS:
        importlib.import_module(name).register_cli(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: AsyncCommand | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        config = load_config(args.config)
        if args.database:
            config.database = args.database
        if args.log_level:
            config.log_level = args.log_level.upper()
        setup_logging(config.log_level, config.log_format,
                      secrets=[s.reveal() for s in config.secrets.values()])
        return asyncio.run(func(args, config))
    except GroupbotError as exc:
        print(f"groupbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("groupbot: interrupted; any write in progress was rolled back.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
