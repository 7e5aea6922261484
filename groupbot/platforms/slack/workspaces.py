"""`groupbot run --platform slack --http` with `[slack] client_id`: one bot process serving
every workspace that installed the app through Bolt's OAuth flow.

Served beside `/slack/events`: `GET /slack/install` (redirects to Slack's consent page with a
one-time state, also set as a cookie) and `GET /slack/oauth_redirect` (Slack sends the
installer back here; the state is checked and consumed, the code exchanged for the
workspace's bot token, and the installation stored sealed). Needs SLACK_SIGNING_SECRET,
SLACK_CLIENT_SECRET and GROUPBOT_TOKEN_KEY; SLACK_BOT_TOKEN is not used.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.core.errors import ConfigError
from groupbot.core.ports import Clock
from groupbot.logging_setup import quiet_dependencies
from groupbot.platforms.slack.adapter import SlackAdapter
from groupbot.platforms.slack.chat import RateLimitRetry, SlackChat, make_client
from groupbot.platforms.slack.http_mode import HttpGate
from groupbot.platforms.slack.oauth import (
    INSTALL_PATH,
    REDIRECT_PATH,
    DatabaseInstallationStore,
    DatabaseStateStore,
    oauth_settings,
)
from groupbot.runtime import open_bot
from groupbot.storage.sealed import KEY_ENV, Sealer

log = logging.getLogger(__name__)

APPS = "https://api.slack.com/apps"


@dataclass(slots=True)
class Workspaces:
    """What `workspaces_session` runs (the runner's SlackSession is made of it)."""

    bot: Bot
    chat: SlackChat
    adapter: SlackAdapter
    app: AsyncApp
    port: int
    gate: HttpGate
    installs: DatabaseInstallationStore


def sealer_of(config: Config) -> Sealer:
    """The token key from the environment, or `TokenKeyError` naming the variable."""
    key = config.secret(KEY_ENV)
    return Sealer.from_env({KEY_ENV: key.reveal()} if key else {})


def pages(app: AsyncApp) -> dict[str, Callable[[web.Request], Any]]:
    """The install and redirect pages, answered by bolt's OAuth flow."""
    flow = app.oauth_flow
    assert flow is not None

    async def install(request: web.Request) -> web.StreamResponse:
        return await to_aiohttp_response(await flow.handle_installation(
            await to_bolt_request(request)))

    async def callback(request: web.Request) -> web.StreamResponse:
        return await to_aiohttp_response(await flow.handle_callback(
            await to_bolt_request(request)))

    return {INSTALL_PATH: install, REDIRECT_PATH: callback}


@asynccontextmanager
async def workspaces_session(config: Config, *, http: bool, port: int, host: str,
                             events_path: str, clock: Clock | None = None,
                             retry: RateLimitRetry | None = None,
                             now: Callable[[], datetime] | None = None
                             ) -> AsyncIterator[Workspaces]:
    if not http:
        raise ConfigError(
            "[slack] client_id installs the app in many workspaces, which needs HTTP mode "
            "(Slack sends installers back to /slack/oauth_redirect): start with --http "
            "--port N; or remove client_id and use SLACK_BOT_TOKEN for one workspace")
    secret = config.secret("SLACK_SIGNING_SECRET")
    if not secret:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set: HTTP mode (--http) verifies every request "
            f"with it; copy it from your app's Basic Information page ({APPS})")
    sealer = sealer_of(config)
    quiet_dependencies(logging.getLogger().getEffectiveLevel())
    client = make_client(None, config.slack.api_base, retry=retry)
    chat = SlackChat(client, config)
    async with open_bot(config, chat, clock, start=False) as bot:
        repo = bot.services.store.slack_installs
        assert config.slack.client_id is not None
        installs = DatabaseInstallationStore(repo, sealer, config.slack.client_id)
        count = await installs.check_key()  # a wrong key stops here, naming the variable
        states = DatabaseStateStore(repo, now=now or bot.services.clock.now)
        settings = oauth_settings(config, installs, states)
        chat.tokens = installs
        await bot.start()
        adapter = SlackAdapter(config, bot, chat)
        installs.on_installed = lambda team, name: bot.services.settings(
            adapter.group(team, name))
        installs.on_removed = chat.forget_team
        app = adapter.build_app(client, secret.reveal(), settings)
        # app_uninstalled and tokens_revoked (subscribe to both): the installation is deleted
        app.enable_token_revocation_listeners()
        gate = HttpGate(app, secret.reveal(), max_body=config.slack.max_body_bytes)
        gate.pages.update(pages(app))
        runner = gate.runner(events_path)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        server: Any = site._server
        bound = int(server.sockets[0].getsockname()[1]) if server and server.sockets else port
        log.info("slack HTTP mode listening for many workspaces", extra={
            "port": bound, "path": events_path, "install": INSTALL_PATH,
            "workspaces": count})
        try:
            yield Workspaces(bot, chat, adapter, app, bound, gate, installs)
        finally:
            await runner.cleanup()
