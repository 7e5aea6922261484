"""The `groupbot` command line.

Subcommands from other modules plug in through `CLI_EXTENSIONS`: each names a module with a
``register_cli(subparsers)`` function that adds its parsers and sets ``func`` (an async
callable taking the parsed args and returning an exit code (`groupbot.core.errors.EXIT_*`,
the README's table).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sqlite3
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from groupbot import __version__
from groupbot.config import Config, load_config, redact
from groupbot.core.errors import (
    EXIT_CONFIG,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    ConfigError,
    GroupbotError,
)
from groupbot.logging_setup import setup_logging
from groupbot.storage.database import describe_sqlite_error

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
        return EXIT_CONFIG
    config: Config | None = None
    try:
        config = load_config(args.config)
        if args.database:
            config.database = args.database
        if args.log_level:
            config.log_level = args.log_level.upper()
        setup_logging(config.log_level, config.log_format,
                      secrets=[s.reveal() for s in config.secrets.values()])
        return asyncio.run(func(args, config))
    except ConfigError as exc:
        _say(str(exc), config)
        return EXIT_CONFIG
    except GroupbotError as exc:
        _say(str(exc), config)
        return EXIT_ERROR
    except sqlite3.Error as exc:  # one our storage layer did not word: still one line
        _say(describe_sqlite_error(exc, str(config.database) if config else "?"), config)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("groupbot: interrupted; any write in progress was rolled back.", file=sys.stderr)
        return EXIT_INTERRUPTED


def _say(message: str, config: Config | None) -> None:
    """One error on stderr, with tokens (the configured ones, and any token-shaped text)
    masked: an error message is the last place a token should leak."""
    if config is not None:
        for secret in config.secrets.values():
            if len(secret.reveal()) >= 6:
                message = message.replace(secret.reveal(), "****")
    print(f"groupbot: {redact(message)}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
