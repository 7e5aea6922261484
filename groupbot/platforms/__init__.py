"""Platform adapters. Only modules under this package may import discord or slack_bolt.

`PLATFORMS` is the one table of them. The configuration checks `[bot] platform` against it,
and `groupbot run` takes its `--platform` choices, its platform options and the runner from
it. A runner is imported only when its platform runs, so the console never loads discord.py.
To add a platform: an adapter package with a runner ``async def run_x(config, args) -> int``,
and one entry here.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from groupbot.config import Config

Runner = Callable[["Config", argparse.Namespace], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Option:
    """A `groupbot run` option that only this platform reads."""

    flags: tuple[str, ...]
    help: str
    kwargs: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Platform:
    name: str
    summary: str
    load: Callable[[], Runner]  # imports the adapter and returns its runner
    options: tuple[Option, ...] = ()


def _console() -> Runner:
    from groupbot.platforms.console_session import run_console

    return run_console


def _discord() -> Runner:
    from groupbot.platforms.discord.runner import run_discord

    return run_discord


def _slack() -> Runner:
    from groupbot.platforms.slack.runner import run_slack

    return run_slack


PLATFORMS: dict[str, Platform] = {p.name: p for p in (
    Platform("console", "a local group in this terminal, no account needed", _console, (
        Option(("--as-moderator",), "start as a moderator", (("action", "store_true"),)),
    )),
    Platform("discord", "a Discord bot (DISCORD_TOKEN)", _discord, (
        Option(("--shard-ids",), "comma-separated shard ids for this process"),
        Option(("--shard-count",), "total number of shards", (("type", int),)),
        Option(("--sync-global",), "also sync app commands globally",
               (("action", "store_true"),)),
    )),
    Platform("slack", "a Slack app (SLACK_BOT_TOKEN, and SLACK_APP_TOKEN or --http)", _slack, (
        Option(("--http",), "HTTP mode instead of Socket Mode", (("action", "store_true"),)),
        Option(("--port",), "HTTP mode's port (default 3000)",
               (("type", int), ("default", 3000))),
    )),
)}
PLATFORM_NAMES: tuple[str, ...] = tuple(PLATFORMS)
