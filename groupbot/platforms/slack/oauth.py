"""Slack installed in many workspaces: Bolt's OAuth flow with its installation and state
stores kept in groupbot's database (SQLite or PostgreSQL, through `Store.slack_installs`).

Each installation is kept as one JSON document sealed with GROUPBOT_TOKEN_KEY
(`groupbot.storage.sealed`); only its ids are in the clear. Each state is kept as its
SHA-256 and consumed once, before it expires, by one UPDATE (so two processes behind one
load balancer cannot both accept it). Nothing here logs a token or a state.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.error import BoltError
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from groupbot.config import Config
from groupbot.core.errors import ConfigError, GroupbotError
from groupbot.storage.sealed import Sealer, TokenKeyError
from groupbot.storage.slack_installs import SlackInstallRepo

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # an install must come back from Slack within ten minutes
# what groupbot's features need of a workspace (slack_manifest.yaml lists the same)
DEFAULT_SCOPES = ("channels:history", "channels:read", "chat:write", "commands",
                  "groups:history", "groups:read", "im:write", "usergroups:read", "users:read")

Now = Callable[[], datetime]


def _wall() -> datetime:
    return datetime.now(UTC)


def _id(value: str | None) -> str:
    return value or ""


class DatabaseInstallationStore(AsyncInstallationStore):
    """Bolt's installation store on `SlackInstallRepo`, sealed with the token key."""

    def __init__(self, repo: SlackInstallRepo, sealer: Sealer, client_id: str) -> None:
        self.repo = repo
        self.sealer = sealer
        self.client_id = client_id
        self.saved = 0
        # called with (team id, team name) once an installation is stored: the workspace
        # becomes a group then, before its first message
        self.on_installed: Callable[[str, str], Awaitable[object]] | None = None
        # called with the team id when its installation is deleted (the app uninstalled)
        self.on_removed: Callable[[str], object] | None = None

    @property
    def logger(self) -> logging.Logger:
        return log

    # -- saving ---------------------------------------------------------------------------
    async def async_save(self, installation: Installation) -> None:
        data = installation.to_dict_for_copying()
        document = json.dumps(data, default=_iso, sort_keys=True)
        team = "" if installation.is_enterprise_install else _id(installation.team_id)
        try:
            await self.repo.save(_id(installation.enterprise_id), team,
                                 _id(installation.user_id),
                                 datetime.fromtimestamp(installation.installed_at, UTC),
                                 self.sealer.seal(document))
        except GroupbotError as exc:  # bolt answers a BoltError with its failure page
            raise BoltError(f"could not store the installation: {exc}") from None
        self.saved += 1
        log.info("slack app installed", extra={"team": installation.team_id,
                                                "enterprise": installation.enterprise_id})
        if self.on_installed is not None and installation.team_id:
            try:
                await self.on_installed(installation.team_id,
                                        installation.team_name or installation.team_id)
            except Exception:  # the install stands; the group is made on its first message
                log.exception("could not set up the group of a new installation")

    async def async_save_bot(self, bot: Bot) -> None:
        raise BoltError("bots are saved with their installation")  # bolt never calls it here

    # -- finding ----------------------------------------------------------------------------
    async def async_find_installation(self, *, enterprise_id: str | None,
                                      team_id: str | None, user_id: str | None = None,
                                      is_enterprise_install: bool | None = False
                                      ) -> Installation | None:
        team = "" if is_enterprise_install else _id(team_id)
        row = await self.repo.find(_id(enterprise_id), team, user_id)
        if row is None:
            return None
        data = json.loads(self.sealer.open(row.sealed, f"the Slack installation of {team_id}"))
        custom = data.pop("custom_values", None) or {}
        for scopes in ("bot_scopes", "user_scopes"):  # stored as None when there were none
            data[scopes] = data.get(scopes) or ""
        return Installation(**data, custom_values=custom)

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        found = await self.async_find_installation(
            enterprise_id=enterprise_id, team_id=team_id,
            is_enterprise_install=is_enterprise_install)
        if found is None or not found.bot_token:
            return None
        return found.to_bot()

    async def bot_token(self, team_id: str) -> tuple[str, str | None] | None:
        """The workspace's bot token and bot id (for `SlackChat`), or None: not installed."""
        bot = await self.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            return None
        return bot.bot_token, bot.bot_id or None

    # -- deleting ---------------------------------------------------------------------------
    async def async_delete_bot(self, *, enterprise_id: str | None,
                               team_id: str | None) -> None:
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(self, *, enterprise_id: str | None,
                                        team_id: str | None, user_id: str | None = None
                                        ) -> None:
        """Forget the installation (the app was uninstalled, or its tokens revoked: bolt's
        token revocation listeners call this); the group's own records stay."""
        removed = await self.repo.delete(_id(enterprise_id), _id(team_id), user_id)
        if removed:
            log.info("slack installation removed", extra={"team": team_id})
        if self.on_removed is not None and team_id:
            self.on_removed(team_id)

    # -- the key --------------------------------------------------------------------------
    async def check_key(self) -> int:
        """Open the latest installation with the key, so a wrong key stops the bot at its
        start (TokenKeyError, naming the variable) and not at a workspace's first message.
        Returns how many workspaces are installed."""
        row = await self.repo.any_sealed()
        if row is not None:
            self.sealer.open(row.sealed, "the Slack installations stored in the database")
        return len(await self.repo.teams())


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store a {type(value).__name__} in an installation")


class DatabaseStateStore(AsyncOAuthStateStore):
    """One-time states: issued random (256 bits), kept hashed, consumed once."""

    def __init__(self, repo: SlackInstallRepo, *, seconds: int = STATE_SECONDS,
                 now: Now = _wall) -> None:
        self.repo = repo
        self.seconds = seconds
        self.now = now

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        now = self.now()
        await self.repo.issue_state(_hash(state), now, now + timedelta(seconds=self.seconds))
        return state

    async def async_consume(self, state: str) -> bool:
        if not state or len(state) > 200:
            return False
        now = self.now()
        ok = await self.repo.consume_state(_hash(state), now)
        if not ok:
            log.warning("refused an install: its state is unknown, expired or used")
        await self.repo.prune_states(now - timedelta(days=1))
        return ok


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def oauth_settings(config: Config, installs: DatabaseInstallationStore,
                   states: DatabaseStateStore) -> AsyncOAuthSettings:
    """Bolt's OAuth settings from [slack] client_id, scopes, redirect_uri and
    SLACK_CLIENT_SECRET; `/slack/install` redirects straight to Slack."""
    secret = config.secret("SLACK_CLIENT_SECRET")
    if not secret:
        raise ConfigError(
            "SLACK_CLIENT_SECRET is not set: installing the app in many workspaces ([slack] "
            "client_id) needs the app's Client Secret (Basic Information -> App Credentials, "
            "https://api.slack.com/apps) in the environment")
    assert config.slack.client_id is not None
    settings = AsyncOAuthSettings(
        client_id=config.slack.client_id, client_secret=secret.reveal(),
        scopes=list(config.slack.scopes or DEFAULT_SCOPES),
        redirect_uri=config.slack.redirect_uri, install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH, install_page_rendering_enabled=False,
        installation_store=installs, state_store=states,
        state_expiration_seconds=states.seconds, logger=log)
    if isinstance(settings.authorize, AsyncInstallationStoreAuthorize):
        # bolt checks each request's token with auth.test: once per token is enough (the
        # installation itself is still read for every request, so an uninstall counts at once)
        settings.authorize.cache_enabled = True
    return settings


__all__ = ["DEFAULT_SCOPES", "INSTALL_PATH", "REDIRECT_PATH", "DatabaseInstallationStore",
           "DatabaseStateStore", "TokenKeyError", "oauth_settings"]
