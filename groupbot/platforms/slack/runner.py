"""`groupbot run --platform slack`: tokens, Socket Mode or HTTP mode, and clear stops.

Socket Mode (the default) needs `SLACK_APP_TOKEN` and no public URL; HTTP mode
(`--http --port N`) serves `POST /slack/events` and verifies `SLACK_SIGNING_SECRET`.
`GROUPBOT_SLACK_API_BASE` points the Web API (and Socket Mode's connection request)
elsewhere; the test suite points it at a local fake.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.core.errors import ConfigError, GroupbotError
from groupbot.core.ports import Clock
from groupbot.logging_setup import quiet_dependencies
from groupbot.platforms.slack.adapter import SlackAdapter
from groupbot.platforms.slack.chat import RateLimitRetry, SlackChat, make_client
from groupbot.platforms.slack.http_mode import HttpGate
from groupbot.platforms.slack.workspaces import workspaces_session
from groupbot.runtime import open_bot, settle_heap

log = logging.getLogger(__name__)

APPS = "https://api.slack.com/apps"
EVENTS_PATH = "/slack/events"


class MissingToken(ConfigError):
    """A Slack token or secret is not in the environment; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Tokens:
    bot: str
    app: str | None
    signing_secret: str | None


def tokens(config: Config, http: bool) -> Tokens:
    """The tokens the chosen mode needs, or `MissingToken` naming the first one missing."""
    bot = config.secret("SLACK_BOT_TOKEN")
    if not bot:
        raise MissingToken(
            "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from your "
            f"app's OAuth & Permissions page ({APPS}) into the environment")
    if http:
        secret = config.secret("SLACK_SIGNING_SECRET")
        if not secret:
            raise MissingToken(
                "SLACK_SIGNING_SECRET is not set: HTTP mode (--http) verifies every request "
                f"with it; copy it from your app's Basic Information page ({APPS})")
        return Tokens(bot.reveal(), None, secret.reveal())
    app = config.secret("SLACK_APP_TOKEN")
    if not app:
        raise MissingToken(
            "SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-...) with "
            f"the connections:write scope (Basic Information -> App-Level Tokens, {APPS}); or "
            "run with --http --port N and SLACK_SIGNING_SECRET")
    return Tokens(bot.reveal(), app.reveal(), None)


@dataclass(slots=True)
class SlackSession:
    """A running Slack bot: for tests and for `run_slack`, which waits on it."""

    bot: Bot
    chat: SlackChat
    adapter: SlackAdapter
    app: AsyncApp
    team_id: str
    socket: AsyncSocketModeHandler | None = None
    port: int | None = None
    gate: HttpGate | None = None  # HTTP mode: the checks every request passes before bolt
    installs: Any = None  # many workspaces: the installation store (oauth.py)


@asynccontextmanager
async def slack_session(config: Config, *, http: bool = False, port: int = 3000,
                        host: str = "0.0.0.0", clock: Clock | None = None,
                        retry: RateLimitRetry | None = None) -> AsyncIterator[SlackSession]:
    """Check the token, open the bot, connect (Socket Mode) or listen (HTTP); undo on exit.

    With `[slack] client_id`, the app is installed in many workspaces (`workspaces.py`)."""
    if config.slack.client_id:
        async with workspaces_session(config, http=http, port=port, host=host,
                                      events_path=EVENTS_PATH, clock=clock, retry=retry) as w:
            yield SlackSession(w.bot, w.chat, w.adapter, w.app, "", port=w.port, gate=w.gate,
                               installs=w.installs)
        return
    found = tokens(config, http)
    quiet_dependencies(logging.getLogger().getEffectiveLevel())
    client = make_client(found.bot, config.slack.api_base, retry=retry)
    chat = SlackChat(client, config)
    try:
        me = await chat.call("check the bot token", "auth_test")
    except GroupbotError as exc:
        raise ConfigError(f"Slack did not accept SLACK_BOT_TOKEN ({exc}). Copy the Bot User "
                          f"OAuth Token again from your app's OAuth & Permissions page ({APPS})."
                          ) from None
    team_id = str(me.get("team_id") or "")
    chat.bot_id = str(me.get("bot_id") or "") or None
    async with open_bot(config, chat, clock) as bot:
        adapter = SlackAdapter(config, bot, chat)
        group = adapter.group(team_id, str(me.get("team") or team_id))
        await bot.services.settings(group)  # the group's row exists before its first message
        app = adapter.build_app(client, found.signing_secret)
        if http:
            assert found.signing_secret is not None
            gate = HttpGate(app, found.signing_secret, max_body=config.slack.max_body_bytes)
            runner = gate.runner(EVENTS_PATH)
            await runner.setup()
            site = web.TCPSite(runner, host, port)
            await site.start()
            server: Any = site._server
            bound = int(server.sockets[0].getsockname()[1]) if server and server.sockets \
                else port
            log.info("slack HTTP mode listening", extra={"port": bound, "path": EVENTS_PATH,
                                                         "max_body_bytes": gate.max_body})
            try:
                yield SlackSession(bot, chat, adapter, app, team_id, port=bound, gate=gate)
            finally:
                await runner.cleanup()
        else:
            assert found.app is not None
            handler = AsyncSocketModeHandler(app, found.app)
            await handler.connect_async()  # type: ignore[no-untyped-call]
            log.info("slack Socket Mode connected", extra={"team": team_id})
            try:
                yield SlackSession(bot, chat, adapter, app, team_id, socket=handler)
            finally:
                await handler.close_async()  # type: ignore[no-untyped-call]


async def run_slack(config: Config, args: argparse.Namespace, *, clock: Clock | None = None,
                    stop: asyncio.Event | None = None) -> int:
    """Serve Slack until stopped. Returns the process exit code (2: a token problem)."""
    http = bool(getattr(args, "http", False))
    try:
        async with slack_session(config, http=http, port=int(getattr(args, "port", 3000)),
                                 clock=clock):
            settle_heap()
            await (stop or asyncio.Event()).wait()
    except ConfigError as exc:
        log.error("slack could not start", extra={"reason": type(exc).__name__})
        print(f"groupbot: {exc}", file=sys.stderr)
        return 2
    return 0
