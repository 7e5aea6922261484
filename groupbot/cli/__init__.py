"""The `groupbot` command line.

Each module of this package adds its subcommands with ``register_cli(subparsers)``: it adds
its parsers and sets ``func`` (an async callable taking the parsed args and the config and
returning an exit code: `groupbot.core.errors.EXIT_*`, the README's table). `COMMANDS`
lists them, in the order `groupbot --help` shows them. The platforms `groupbot run` serves
come from one table, `groupbot.platforms.PLATFORMS`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from groupbot import __version__
from groupbot.cli import cases, commands, dashboard, db, health, library, moderate, prompts, run
from groupbot.config import Config, load_config, redact
from groupbot.core.errors import (
    EXIT_CONFIG,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    ConfigError,
    GroupbotError,
)
from groupbot.logging_setup import setup_logging
from groupbot.storage.backend import password_of
from groupbot.storage.backend import redact as redact_url
from groupbot.storage.database import describe_sqlite_error

log = logging.getLogger("groupbot")

# The modules that add subcommands (each has register_cli(subparsers)).
COMMANDS = (run, commands, db, library, prompts, moderate, cases, dashboard, health)

AsyncCommand = Callable[[argparse.Namespace, Config], Coroutine[Any, Any, int]]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="groupbot",
        description="A kind, careful bot for peer support groups (Discord, Slack, console).",
    )
    parser.add_argument("--version", action="version", version=f"groupbot {__version__}")
    parser.add_argument("--config", help="TOML config file (or set GROUPBOT_CONFIG)")
    parser.add_argument("--database", help="SQLite database path, or a postgresql:// URL "
                        "(or set GROUPBOT_DATABASE)")
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING or ERROR")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register_cli(sub)
    return parser


# A reader that stopped reading (`groupbot commands | head -5`): as a shell reports a program
# ended by SIGPIPE (128 + 13), without a traceback.
EXIT_BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        _stdout_to_devnull()
        return EXIT_BROKEN_PIPE


def _stdout_to_devnull() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush at exit does not fail
    again on the closed pipe (the recipe of Python's `signal` documentation)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file behind stdout (a test's capture)
        pass


def _main(argv: Sequence[str] | None) -> int:
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
            config.log_level_asked = True
        # a command that prints its own result logs only warnings unless asked; the
        # serving ones (run, console) log at the configured level
        quiet = not config.log_level_asked and not getattr(args, "serving", False)
        setup_logging("WARNING" if quiet else config.log_level, config.log_format,
                      secrets=[s.reveal() for s in config.secrets.values()]
                      + password_of(str(config.database)))
        return asyncio.run(func(args, config))
    except ConfigError as exc:
        _say(str(exc), config)
        return EXIT_CONFIG
    except GroupbotError as exc:
        _say(str(exc), config)
        return EXIT_ERROR
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:  # likewise, PostgreSQL's
        where = redact_url(str(config.database)) if config else "?"
        _say(f"cannot use the database at {where}: {redact_url(str(exc))}", config)
        return EXIT_ERROR
    except sqlite3.Error as exc:  # one our storage layer did not word: still one line
        _say(describe_sqlite_error(exc, redact_url(str(config.database)) if config else "?"),
             config)
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
