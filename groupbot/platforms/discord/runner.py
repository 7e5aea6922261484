"""`groupbot run --platform discord`: endpoints, token, shards, and clear stops.

The REST base (`GROUPBOT_DISCORD_API_BASE`, e.g. a rate-limit proxy) and the gateway
(`GROUPBOT_DISCORD_GATEWAY`) can point elsewhere; the test suite points both at a local fake.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket

from groupbot.config import Config
from groupbot.core.errors import EXIT_CONFIG, EXIT_UNREACHABLE, ConfigError
from groupbot.core.ports import Clock
from groupbot.platforms.discord.chat import DiscordChat, Pacer
from groupbot.platforms.discord.client import GroupbotClient
from groupbot.platforms.discord.startup import (
    START_BACKOFF,
    Backoff,
    DiscordUnreachable,
    Sleep,
    reach,
)
from groupbot.runtime import open_bot, settle_heap

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY = "wss://gateway.discord.gg/"
PORTAL = "https://discord.com/developers/applications"
# application flags: *_LIMITED is what an unverified bot (< 100 servers) gets for each switch
FLAG_MEMBERS = (1 << 14) | (1 << 15)
FLAG_MESSAGE_CONTENT = (1 << 18) | (1 << 19)


def configure_endpoints(config: Config) -> None:
    """Point discord.py's REST client and gateway at the configured URLs (or Discord's)."""
    discord.http.Route.BASE = (config.discord.api_base or DEFAULT_API_BASE).rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.discord.gateway or DEFAULT_GATEWAY)


def parse_shards(shard_ids: str | None, shard_count: int | None) -> tuple[list[int] | None,
                                                                         int | None]:
    if shard_ids is None:
        if shard_count is not None and shard_count < 1:
            raise ConfigError("--shard-count must be at least 1")
        return None, shard_count
    if shard_count is None:
        raise ConfigError("--shard-ids needs --shard-count (the total across all processes)")
    try:
        ids = sorted({int(x) for x in shard_ids.split(",") if x.strip()})
    except ValueError:
        raise ConfigError(f"--shard-ids must be comma-separated numbers, not {shard_ids!r}") \
            from None
    if not ids or any(i < 0 or i >= shard_count for i in ids):
        raise ConfigError(f"--shard-ids must be between 0 and {shard_count - 1}")
    return ids, shard_count


def missing_intents_message(client: discord.Client) -> str:
    """Name the developer-portal switches to turn on (asks Discord which are off)."""
    wanted = {"Message Content Intent": FLAG_MESSAGE_CONTENT,
              "Server Members Intent": FLAG_MEMBERS}
    missing = list(wanted)
    flags = getattr(client, "portal_flags", None)
    if flags is not None:
        missing = [name for name, bits in wanted.items() if not flags & bits] or missing
    return ("Discord refused to connect: the bot needs privileged gateway intents that are "
            f"not enabled. In the developer portal ({PORTAL}) open your application, then "
            f"Bot -> Privileged Gateway Intents, and turn on: {' and '.join(missing)}. "
            "Then start groupbot again.")


async def run_discord(config: Config, args: argparse.Namespace, *, clock: Clock | None = None,
                      client_options: dict[str, Any] | None = None,
                      pacer: Pacer | None = None, backoff: Backoff | None = None,
                      sleep: Sleep | None = None) -> int:
    """Serve Discord until stopped. Returns the process exit code.

    Discord out of reach at start (no network, DNS, a refused connection, a 5xx) is retried
    with `backoff`, one log line a try, for the login and for each shard's gateway; after the
    last try it stops with one message and `EXIT_UNREACHABLE` (75)."""
    token = config.secret("DISCORD_TOKEN")
    if not token:
        raise ConfigError("DISCORD_TOKEN is not set: copy the bot token from the developer "
                          f"portal ({PORTAL}, Bot -> Reset Token) into the environment")
    shard_ids, shard_count = parse_shards(getattr(args, "shard_ids", None),
                                          getattr(args, "shard_count", None))
    configure_endpoints(config)
    client = GroupbotClient(config, shard_ids=shard_ids, shard_count=shard_count,
                            sync_global=bool(getattr(args, "sync_global", False)),
                            **(client_options or {}))
    backoff = backoff or START_BACKOFF
    sleep = sleep or asyncio.sleep
    client.start_backoff, client.start_sleep = backoff, sleep
    chat = DiscordChat(client, pacer)
    # The features start once discord.py is logged in: before that its REST client has no
    # session, and the scheduler posts at start what fell due while the bot was down (and
    # searches the channels for posts a crash interrupted); the shard count is known then too.
    async with open_bot(config, chat, clock, start=False) as bot:
        client.attach(bot, chat)
        settle_heap()
        try:
            await reach(f"Discord ({discord.http.Route.BASE})",
                        lambda: client.login(token.reveal()), backoff, sleep=sleep,
                        after_failure=lambda: _forget_http_session(client))
            await bot.start()
            await client.connect()
        except DiscordUnreachable as exc:
            log.error(str(exc))
            print(f"groupbot: {exc}", file=sys.stderr)
            return EXIT_UNREACHABLE
        except discord.LoginFailure:
            msg = ("Discord rejected DISCORD_TOKEN (401 Unauthorized). Copy the bot token again "
                   f"from the developer portal ({PORTAL}, Bot -> Reset Token).")
            log.error(msg)
            print(f"groupbot: {msg}", file=sys.stderr)
            return EXIT_CONFIG
        except discord.PrivilegedIntentsRequired:
            msg = missing_intents_message(client)
            log.error(msg)
            print(f"groupbot: {msg}", file=sys.stderr)
            return EXIT_CONFIG
        finally:
            if not client.is_closed():
                await client.close()
    return 0


async def _forget_http_session(client: discord.Client) -> None:
    """A failed login leaves discord.py's HTTP session open: close it, connector and all, and
    let the next login make a new one (reusing the closed connector would fail)."""
    await client.http.close()
    client.http.connector = discord.utils.MISSING
