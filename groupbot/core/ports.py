"""The small ports features depend on: a chat port (with `ChatBase`, its defaults), a clock.

The store is a port too (see `groupbot.storage.store.Store`); it lives with the SQL so that
all SQL stays in one layer.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from groupbot.core.errors import Unsupported
from groupbot.core.types import Channel, Group, Member, Message, PostedMessage, Reply


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a platform can do, declared by its adapter. Features read it where they must know
    before acting (a hold removes the message only where it can; buttons or typed answers);
    the port test (tests/platforms/test_chat_port.py) checks each flag against what the
    adapter really does: a capability declared False answers `Unsupported`."""

    threads: bool = False  # a post's `thread_name` opens a discussion thread under it
    buttons: bool = False  # replies may carry buttons
    delete_member_messages: bool = False  # `delete_message` on members' messages
    timeout_members: bool = False  # `timeout_member`, `remove_timeout`, `timed_out_until`
    idempotent_posts: bool = False  # `post` with a repeated idempotency key posts nothing new
    # how long after a post a repeat under its idempotency key is still deduplicated
    # (Discord's nonce: a few minutes); None: as long as the platform remembers the key
    idempotency_window: timedelta | None = None
    # `find_post` can search a channel's recent history for a post's idempotency key
    find_posts: bool = False
    member_lookup: bool = False  # `member_info`: who someone is now (the dashboard asks)
    # the longest timeout the platform allows (None: it sets no limit of its own)
    max_timeout: timedelta | None = None


@dataclass(frozen=True, slots=True)
class RateLimits:
    """`global_per_second` across the whole bot; `channel_count` posts per `channel_period`
    seconds in any one channel. `global_burst` slots may be used back to back to catch up after
    a late wake-up; even then no one-second window holds more than `global_per_second` posts."""

    global_per_second: float = 10.0
    channel_count: int = 1
    channel_period: float = 1.0
    global_burst: int = 3

    def __post_init__(self) -> None:
        if self.global_per_second <= 0 or self.channel_count < 1 or self.channel_period <= 0:
            raise ValueError("rate limits must be positive")
        if self.global_burst < 1:
            raise ValueError("global_burst must be at least 1")


DEFAULT_RATE_LIMITS = RateLimits()  # for a platform that publishes none: stay modest

SettingsReader = Callable[[Group], Awaitable[Any]]


@runtime_checkable
class ChatPort(Protocol):
    """What features may ask a platform to do. Adapters subclass `ChatBase`, which answers
    for every capability they leave out."""

    platform: str
    capabilities: Capabilities
    rate_limits: RateLimits  # paces scheduled posts (`groupbot.scheduling.limiter`)
    # the group's settings (its moderator log), set by whoever assembles the bot
    settings_of: SettingsReader | None

    def owns_group(self, group_id: str) -> bool:
        """Whether this process serves the group (a sharded platform splits groups across
        processes; each runs its own groups' schedules and queue timers only)."""
        ...

    async def can_post(self, group: Group, channel: Channel) -> bool | None:
        """Whether the bot may post in the channel, asked before a schedule is added there
        (None: the platform cannot tell beforehand; the first post will say)."""
        ...

    async def post(
        self, group: Group, channel: Channel, reply: Reply, *, idempotency_key: str | None = None
    ) -> PostedMessage:
        """Post publicly in a channel. `idempotency_key` lets a retry not double-post."""
        ...

    async def find_post(self, group: Group, channel: Channel, key: str, *,
                        reply: Reply | None = None) -> PostedMessage | None:
        """After a crash: the post made with `idempotency_key=key`, if it is in the channel's
        recent history, else None. With `reply` (what was posted), anything `post` does after
        creating the message that did not happen (opening its discussion thread) is done now.

        - Discord: the marker button whose id carries the key, in the last 500 messages;
        - Slack: the message metadata carrying the key (conversations.history);
        - where the platform cannot search (`capabilities.find_posts` is false; the
          console): `Unsupported`. Also `Unsupported` when the bot may not read that
          channel's history. The caller then relies on `idempotent_posts`, or tells the
          moderators rather than post twice."""
        ...

    async def send_private(self, group: Group, member: Member, reply: Reply, *,
                           public_fallback: bool = True) -> None:
        """Say something only `member` sees (a DM, an ephemeral message, a console label).

        When the member cannot be reached privately (closed DMs), an adapter may, while
        `public_fallback` is true, reach them through something others can see (Discord: a
        mention in the channel with a button that shows the note). With
        `public_fallback=False` nothing may appear where anyone else can see it: the adapter
        raises instead (`Undeliverable`, or another `GroupbotError`; `Unsupported` if it cannot
        promise that at all). For a note whose very existence is private (the care note)."""
        ...

    async def delete_message(self, group: Group, channel: Channel, message_id: str) -> None:
        """Remove a member's message."""
        ...

    async def timeout_member(
        self, group: Group, member: Member, until: datetime, reason: str
    ) -> None:
        """Stop a member from posting until `until`."""
        ...

    async def remove_timeout(self, group: Group, member: Member, reason: str) -> None:
        """Let a timed-out member post again (a no-op when they are not timed out)."""
        ...

    async def timed_out_until(self, group: Group, member: Member) -> datetime | None:
        """When the member's running timeout ends, as the platform says now (None: they are
        not timed out). `Unsupported` where the platform has no timeouts."""
        ...

    async def fetch_message(self, group: Group, channel: Channel,
                            message_id: str) -> Message | None:
        """A message in a channel of the group, with its author as a `Member` (moderator or
        not) and its channel as the platform names it; None when there is no such message.
        `Unsupported` where the platform cannot tell."""
        ...

    async def alert_moderators(self, group: Group, reply: Reply) -> None:
        """Post to the group's moderator log, or raise: never return without delivering.

        `ModlogUnavailable` when there is no log the bot can post in (none set, the channel
        deleted, no permission); another error when the platform refused for now. Callers
        go through the moderation queue (`groupbot.features.queue`), which keeps what could
        not be delivered, retries it, and reaches moderators by direct message meanwhile.

        - console: #mod-log, or the channel set with /mod setup modlog;
        - Discord: the channel set with /mod setup modlog, else one named mod-log, modlog,
          moderators or mod-logs;
        - Slack: only the channel set with /mod setup modlog (a bot cannot create one)."""
        ...

    async def moderators(self, group: Group) -> list[Member]:
        """The group's moderators the bot can find, to reach by direct message when the
        moderator log cannot take an alert. May be empty; never raises for an empty group.

        - console: the local members marked as moderators;
        - Discord: members with Manage Messages, Administrator or the moderator role, among
          the members discord.py holds in its cache (a small server's members arrive at
          start-up; in a large server, only members seen since). Discord cannot list a large
          server's members cheaply, so some moderators may be missed there;
        - Slack: the configured `[slack] moderators` and user groups (and one set with
          /mod setup role), and the workspace's owners and admins (users.list, cached for a
          few minutes). Slack lists them all."""
        ...

    async def message_link(self, group: Group, channel: Channel, message_id: str) -> str | None:
        """A link a moderator can open to see a member's message in place (None: the
        platform has none)."""
        ...

    async def member_info(self, group: Group, member_id: str) -> Member | None:
        """The member as the platform sees them now (`is_moderator` decided as for their
        messages); None when they are not in the group. Raises when the platform cannot
        say (it is unreachable); `Unsupported` where it has no way to."""
        ...


class ChatBase(ABC):
    """The one place a missing capability is answered: every adapter (and test fake)
    subclasses this, declares `platform` and `capabilities`, and overrides what its platform
    can do. What it leaves out raises `Unsupported` naming the platform, or says plainly that
    it cannot tell (None), so features never probe an adapter with `getattr`."""

    platform: str
    capabilities: Capabilities = Capabilities()
    rate_limits: RateLimits = DEFAULT_RATE_LIMITS
    settings_of: SettingsReader | None = None

    def owns_group(self, group_id: str) -> bool:
        return True  # one process serves every group

    async def can_post(self, group: Group, channel: Channel) -> bool | None:
        return None  # cannot tell beforehand

    @abstractmethod
    async def post(
        self, group: Group, channel: Channel, reply: Reply, *, idempotency_key: str | None = None
    ) -> PostedMessage: ...

    async def find_post(self, group: Group, channel: Channel, key: str, *,
                        reply: Reply | None = None) -> PostedMessage | None:
        raise Unsupported(self.platform, "look up a post by its idempotency key")

    @abstractmethod
    async def send_private(self, group: Group, member: Member, reply: Reply, *,
                           public_fallback: bool = True) -> None: ...

    async def delete_message(self, group: Group, channel: Channel, message_id: str) -> None:
        raise Unsupported(self.platform, "delete members' messages")

    async def timeout_member(
        self, group: Group, member: Member, until: datetime, reason: str
    ) -> None:
        raise Unsupported(self.platform, "time out members")

    async def remove_timeout(self, group: Group, member: Member, reason: str) -> None:
        raise Unsupported(self.platform, "time out members, so there is no timeout to lift")

    async def timed_out_until(self, group: Group, member: Member) -> datetime | None:
        raise Unsupported(self.platform, "time out members")

    async def fetch_message(self, group: Group, channel: Channel,
                            message_id: str) -> Message | None:
        raise Unsupported(self.platform, "look up a message")

    @abstractmethod
    async def alert_moderators(self, group: Group, reply: Reply) -> None: ...

    async def moderators(self, group: Group) -> list[Member]:
        return []  # none it can name: alerts wait in the moderator log and the queue

    async def member_info(self, group: Group, member_id: str) -> Member | None:
        raise Unsupported(self.platform, "say who a member is now")

    async def message_link(self, group: Group, channel: Channel, message_id: str) -> str | None:
        return None  # no links on this platform


@runtime_checkable
class MemberLookup(Protocol):
    """Who someone is now, moderator or not: the part of the chat port the moderators'
    dashboard needs (it asks on every page, so a demoted moderator is shut out). A chat port
    offers it when its `capabilities.member_lookup` says so."""

    async def member_info(self, group: Group, member_id: str) -> Member | None:
        """The member as the platform sees them now (`is_moderator` decided as for their
        messages); None when they are not in the group. Raises when the platform cannot
        say (it is unreachable)."""
        ...


class Clock(Protocol):
    """Time, injectable so schedules are tested with a fake clock and no sleeping."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    async def sleep_until(self, when: datetime) -> None:
        """Return once `now() >= when`."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, when: datetime) -> None:
        while True:
            delay = (when - self.now()).total_seconds()
            if delay <= 0:
                return
            await asyncio.sleep(min(delay, 60.0))


class FakeClock:
    """A clock that only moves when told to. Sleepers wake in time order as it advances.

    Used by tests and by `groupbot demo`, which simulates a week in a few seconds.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> datetime:
        return self._now

    async def sleep_until(self, when: datetime) -> None:
        if when <= self._now:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (when, next(self._seq), fut))
        await fut

    async def advance(self, delta: timedelta) -> None:
        """Move time forward, waking each sleeper at its own time and letting it run."""
        await self.advance_to(self._now + delta)

    async def advance_to(self, target: datetime) -> None:
        while self._sleepers and self._sleepers[0][0] <= target:
            when, _, fut = heapq.heappop(self._sleepers)
            self._now = max(self._now, when)
            if not fut.done():
                fut.set_result(None)
            await _settle()
        self._now = max(self._now, target)
        await _settle()


async def _settle(rounds: int = 20) -> None:
    """Give woken tasks a few loop turns to run to their next await."""
    for _ in range(rounds):
        await asyncio.sleep(0)


def utc(dt: datetime) -> datetime:
    """Normalise an aware datetime to UTC; refuse naive ones (they are always a bug)."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime: always use timezone-aware times")
    return dt.astimezone(UTC)


__all__ = [
    "DEFAULT_RATE_LIMITS",
    "Capabilities",
    "ChatBase",
    "ChatPort",
    "Clock",
    "FakeClock",
    "MemberLookup",
    "RateLimits",
    "SystemClock",
    "timedelta",
    "utc",
]
