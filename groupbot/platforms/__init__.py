"""Platform adapters. Only modules under this package may import discord or slack_bolt.

`PLATFORMS` is the one table of them. The configuration checks `[bot] platform` against it,
and `groupbot run` takes its `--platform` choices, its platform options and the runner from
it. A runner is imported only when its platform runs, so the console never loads discord.py.
To add a platform: an adapter package with a runner ``async def run_x(config, args) -> int``,
and one entry here naming it.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from groupbot.core.ports import Capabilities

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
    # Where its runner is, as an entry point ("module:function"): imported only when the
    # platform runs (the console never loads discord.py), and by name, so that this table,
    # which the configuration reads, imports no adapter (the adapters import the config).
    runner: str
    options: tuple[Option, ...] = ()
    # What its adapter can do: declared here, once, so that the dashboard running without
    # the bot (and any tool) reads the same flags the adapter states, without importing it.
    capabilities: Capabilities = field(default_factory=Capabilities)

    def load(self) -> Runner:
        """The runner, its adapter imported now."""
        module, _, function = self.runner.partition(":")
        runner: Runner = getattr(importlib.import_module(module), function)
        return runner


PLATFORMS: dict[str, Platform] = {p.name: p for p in (
    Platform("console", "a local group in this terminal, no account needed",
             "groupbot.platforms.console_session:run_console", (
        Option(("--as-moderator",), "start as a moderator", (("action", "store_true"),)),
    ), Capabilities(threads=True, buttons=True, delete_member_messages=True,
                    timeout_members=True, idempotent_posts=True, member_lookup=True,
                    # timeouts capped as Discord caps them: the console rehearses Discord
                    max_timeout=timedelta(days=28))),
    Platform("discord", "a Discord bot (DISCORD_TOKEN)",
             "groupbot.platforms.discord.runner:run_discord", (
        Option(("--shard-ids",), "comma-separated shard ids for this process"),
        Option(("--shard-count",), "total number of shards", (("type", int),)),
        Option(("--sync-global",), "also sync app commands globally",
               (("action", "store_true"),)),
    ), Capabilities(threads=True, buttons=True, delete_member_messages=True,
                    timeout_members=True, idempotent_posts=True,
                    # Discord deduplicates a nonce for "a few minutes": the short side of that
                    idempotency_window=timedelta(minutes=2), find_posts=True,
                    member_lookup=True, max_timeout=timedelta(days=28))),
    Platform("slack", "a Slack app (SLACK_BOT_TOKEN, and SLACK_APP_TOKEN or --http)",
             "groupbot.platforms.slack.runner:run_slack", (
        Option(("--http",), "HTTP mode instead of Socket Mode", (("action", "store_true"),)),
        Option(("--port",), "HTTP mode's port (default 3000)",
               (("type", int), ("default", 3000))),
    ), Capabilities(threads=True, buttons=True, delete_member_messages=False,
                    timeout_members=False, idempotent_posts=False, find_posts=True,
                    member_lookup=True)),
)}
PLATFORM_NAMES: tuple[str, ...] = tuple(PLATFORMS)
