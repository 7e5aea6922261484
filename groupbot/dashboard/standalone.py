"""The dashboard without the bot: `groupbot dashboard --port N` against the database alone.

Why it exists: an operator may want the dashboard on another machine or process than the bot,
or to look at the cases while the bot is stopped. Actions still run the same feature code as
the chat commands (a `Bot` is built over the database, never started: no schedules run, no
alerts are retried here). What needs the platform cannot happen from here, and the feature
code says so as it would for a platform that refused: `DetachedChat` raises `Unsupported` for
every delivery, and moderator alerts are kept in the queue for the bot to post when it runs.
Who is still a moderator is what the bot last wrote down (`groupbot.dashboard.auth`).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from groupbot.core.errors import ModlogUnavailable, Unsupported
from groupbot.core.ports import Capabilities, ChatBase
from groupbot.core.types import Channel, Group, Member, Message, PostedMessage, Reply
from groupbot.platforms import PLATFORMS

# What each platform can do, as its adapter declares it (one table: groupbot.platforms), so a
# policy dry run here says what the live bot would do there.
PLATFORM_CAPABILITIES = {name: p.capabilities for name, p in PLATFORMS.items()}
WHY = "be reached by a dashboard running without the bot"


class DetachedChat(ChatBase):
    """A ChatPort that reaches no one: each delivery says why (see the module's docstring).
    Its capabilities are the platform's, but for asking who someone is now or searching a
    channel (it cannot)."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.capabilities = dataclasses.replace(
            PLATFORM_CAPABILITIES.get(platform, Capabilities()), member_lookup=False,
            find_posts=False)

    async def post(self, group: Group, channel: Channel, reply: Reply, *,
                   idempotency_key: str | None = None) -> PostedMessage:
        raise Unsupported(self.platform, WHY)

    async def send_private(self, group: Group, member: Member, reply: Reply, *,
                           public_fallback: bool = True) -> None:
        raise Unsupported(self.platform, WHY)

    async def find_post(self, group: Group, channel: Channel, key: str, *,
                        reply: Reply | None = None) -> PostedMessage | None:
        raise Unsupported(self.platform, WHY)

    async def delete_message(self, group: Group, channel: Channel, message_id: str) -> None:
        raise Unsupported(self.platform, WHY)

    async def timeout_member(self, group: Group, member: Member, until: datetime,
                             reason: str) -> None:
        raise Unsupported(self.platform, WHY)

    async def remove_timeout(self, group: Group, member: Member, reason: str) -> None:
        raise Unsupported(self.platform, WHY)

    async def timed_out_until(self, group: Group, member: Member) -> datetime | None:
        raise Unsupported(self.platform, WHY)

    async def fetch_message(self, group: Group, channel: Channel,
                            message_id: str) -> Message | None:
        raise Unsupported(self.platform, WHY)

    async def alert_moderators(self, group: Group, reply: Reply) -> None:
        raise ModlogUnavailable("the dashboard is running without the bot, so it cannot post in "
                                "the moderator log")

    async def moderators(self, group: Group) -> list[Member]:
        return []

    async def message_link(self, group: Group, channel: Channel, message_id: str) -> str | None:
        return None
