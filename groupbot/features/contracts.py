"""What features ask of each other, as typed Protocols.

Features never import each other. One that needs another names it in its `requires` (checked
when the bot is assembled, so a bot built without it fails at once, naming both) and reaches
it with `services.need(name, Contract)`, typed by a Protocol here: a call that does not exist
is a type error, not a silent `getattr` fallback found in production.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from groupbot.core.types import Channel, Group, Member, Reply
from groupbot.prompts_library.rotation import PromptPick
from groupbot.storage.cases import Case
from groupbot.storage.queue import QueueItem

if TYPE_CHECKING:  # the ladder's settings: data the moderation feature owns
    from groupbot.features.moderation.strikes import StrikePolicy


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one moderator alert."""

    posted: bool  # the moderator log took it
    reached: int = 0  # moderators reached by direct message instead
    item: int | None = None  # the queue item it waits in, if any
    why: str | None = None  # why the moderator log could not take it

    @property
    def reached_anyone(self) -> bool:
        return self.posted or self.reached > 0


@runtime_checkable
class Prompts(Protocol):
    """The prompt library and its rotation (feature "prompts"), for scheduled prompts."""

    async def next_pick(self, group_id: str, channel_id: str,
                        theme: str | None = None) -> PromptPick:
        """Take the channel's next prompt (a curriculum's step, or one from the pool)."""
        ...

    async def release(self, pick: PromptPick, group_id: str, channel_id: str) -> None:
        """Give a pick back when its post failed, so the rotation does not skip it."""
        ...

    def resolve_theme(self, theme: str) -> str:
        """A theme as typed, as the library's slug (UsageError naming the known ones)."""
        ...

    def theme_title(self, slug: str) -> str:
        """A theme's title, for the post's heading."""
        ...


@runtime_checkable
class ScheduledCheckins(Protocol):
    """Check-in posts (feature "checkins"), for scheduled check-ins."""

    async def scheduled_reply(self, group: Group, channel: Channel, schedule_id: int,
                              occurrence: str, when: str | None = None) -> Reply:
        """The post for one occurrence (the same check-in row on every retry), worded for
        how often its schedule (`when`) posts it."""
        ...


@runtime_checkable
class Care(Protocol):
    """The crisis-care path (feature "moderation"), for other features' care."""

    async def care_for(self, group: Group, member: Member, text: str, source: str) -> None:
        """The same reply, cooldown and moderator alert as for a message in crisis."""
        ...


@runtime_checkable
class ModeratorAlerts(Protocol):
    """The one outlet for moderator alerts (feature "moderation", through its queue)."""

    async def alert(self, group: Group, reply: Reply, *, member_id: str | None = None,
                    item: int | None = None, crisis: bool = False,
                    reason: str | None = None) -> Delivery:
        """Tell the moderators; what the log cannot take is kept and retried. Never raises."""
        ...

    async def deliver_waiting(self, group: Group) -> tuple[int, int]:
        """Post the alerts that waited for the moderator log: (posted, still waiting)."""
        ...


@runtime_checkable
class AutomodRecorder(Protocol):
    """The case log's record of what a platform's own automod did (feature "moderation")."""

    async def record_automod(self, group: Group, member_id: str, *, rule: str, action: str,
                             trigger: str, channel_id: str | None = None,
                             message_id: str | None = None,
                             content: str | None = None) -> Case:
        ...


@runtime_checkable
class ModerationDesk(ModeratorAlerts, Protocol):
    """What moderators' own actions share with the ladder (feature "moderation"): the strike
    settings, one lock per member, and the queue."""

    strikes: StrikePolicy

    def member_lock(self, group_id: str, member_id: str) -> asyncio.Lock:
        """One member's strikes are read and written by one action at a time."""
        ...

    async def open_item(self, group: Group, kind: str, *, member_id: str | None = None,
                        asked_by: str | None = None, case_number: int | None = None,
                        reason: str = "", text: str | None = None) -> QueueItem:
        """Put something in the moderators' queue."""
        ...


__all__ = ["AutomodRecorder", "Care", "Delivery", "ModerationDesk", "ModeratorAlerts",
           "Prompts", "ScheduledCheckins"]
