"""/mod dashboard: a private, one-time sign-in link to the moderators' dashboard.

The dashboard itself (`groupbot.dashboard`) is a web server; this feature is its foot in the
chat: it hands out links (the platform has just vouched that the asker is a moderator), and it
keeps the record of who is a moderator current from what the bot sees (a signed-in moderator
whose messages now arrive without moderator rights is signed out), which is what a dashboard
running without the bot relies on.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import quote

from groupbot.core.commands import Access, CommandContext, CommandRegistry
from groupbot.core.ports import MemberLookup
from groupbot.core.types import Message, Reply
from groupbot.dashboard.auth import LINK_LIFETIME, Moderators, SignIn
from groupbot.features.base import Feature, Services
from groupbot.storage.dashboard import DashboardRepo

log = logging.getLogger(__name__)


def signin_url(base: str, group_id: str, token: str) -> str:
    """The link a moderator opens: the group's sign-in page, with the one-time token."""
    return f"{base.rstrip('/')}/g/{quote(group_id, safe='')}/signin?t={token}"


def sign_in_for(services: Services, repo: DashboardRepo | None = None) -> SignIn:
    """The sign-in rules with this deployment's settings: the platform decides who is a
    moderator when the chat can say (`capabilities.member_lookup`), else the database's
    record does."""
    repo = repo or services.store.dashboard
    chat = services.chat
    platform: MemberLookup | None = chat if chat.capabilities.member_lookup else None
    cfg = services.config.dashboard
    return SignIn(repo, services.clock, Moderators(repo, services.clock, platform),
                  idle=timedelta(minutes=cfg.idle_minutes),
                  lifetime=timedelta(hours=cfg.session_hours))


class DashboardFeature(Feature):
    name = "dashboard"

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.repo = services.store.dashboard
        self.signin = sign_in_for(services, self.repo)
        # where a dashboard served with the bot listens, when no public_url is configured
        self.served_at: str | None = None
        # (group, member) -> moderator or not, as last written, for members the dashboard knows
        self._known: dict[tuple[str, str], bool] = {}

    def register(self, registry: CommandRegistry) -> None:
        registry.command("mod dashboard",
                         "A private one-time link to the moderators' dashboard (10 minutes)",
                         access=Access.MODERATOR, private=True)(self.cmd_dashboard)

    async def start(self) -> None:
        self._known = {(g, m): is_mod for g, m, is_mod in await self.repo.known_members()}

    def base_url(self) -> str | None:
        cfg = self.services.config.dashboard
        if cfg.public_url:
            return cfg.public_url
        if self.served_at:
            return self.served_at
        if cfg.port:
            host = "127.0.0.1" if cfg.host in ("0.0.0.0", "::", "") else cfg.host
            return f"http://{host}:{cfg.port}"
        return None

    async def cmd_dashboard(self, ctx: CommandContext) -> Reply:
        base = self.base_url()
        if base is None:
            return Reply.private(
                "The moderators' dashboard is not set up for this bot. An operator starts it "
                "with `groupbot run ... --dashboard-port 8080` (or `[dashboard] port` in the "
                "config), and sets `[dashboard] public_url` to where moderators reach it.")
        token = await self.signin.issue_link(ctx.group.id, ctx.invoker.id,
                                             ctx.invoker.display_name, issued_by="chat")
        self._known[(ctx.group.id, ctx.invoker.id)] = True
        minutes = int(LINK_LIFETIME.total_seconds() // 60)
        return Reply.private(
            f"Your sign-in link to the moderators' dashboard for {ctx.group.name}: "
            f"{signin_url(base, ctx.group.id, token)}\n"
            f"It works once, for the next {minutes} minutes, and only for you: please don't "
            "share it. Sessions end after a while without use; type /mod dashboard again for "
            "a new link.", title="Moderators' dashboard")

    async def on_message(self, message: Message) -> bool:
        """A member the dashboard knows, seen with different moderator rights than recorded:
        write it down (and sign them out if they are no longer a moderator)."""
        key = (message.group.id, message.author.id)
        known = self._known.get(key)
        if known is None or known == message.author.is_moderator:
            return False
        self._known[key] = message.author.is_moderator
        try:
            await self.signin.moderators.record(
                message.group.id, message.author.id, message.author.display_name,
                message.author.is_moderator, "platform")
            if not message.author.is_moderator:
                ended = await self.repo.end_member_sessions(
                    message.group.id, message.author.id, "no longer a moderator",
                    self.services.clock.now())
                log.info("dashboard: a moderator is no longer one", extra={
                    "group": message.group.id, "member": message.author.id,
                    "sessions_ended": ended})
        except Exception:
            log.exception("dashboard: could not record a change of moderator rights")
        return False
