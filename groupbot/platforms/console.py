"""The console platform: a local group in a terminal, needing no account.

It is the embedded default for a first run, the demo, and tests. `ConsoleChat` is a full
`ChatPort`: it records every public post, private reply, deletion, timeout, thread and
moderator alert as a labelled event, so a person (or a test) can see exactly what the bot did.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from groupbot.core.errors import ModlogUnavailable, Unsupported
from groupbot.core.ports import ChatBase, Clock, SystemClock
from groupbot.core.types import (
    Button,
    Channel,
    Group,
    Member,
    Message,
    PostedMessage,
    Reply,
    Visibility,
)
from groupbot.platforms import PLATFORMS

MODLOG = "mod-log"


@dataclass(slots=True)
class ConsoleEvent:
    """One thing the bot did, as the console shows it."""

    kind: str  # post | private | modlog | delete | timeout | untimeout | thread | member
    group_id: str
    text: str
    channel_id: str | None = None
    member_id: str | None = None
    reply: Reply | None = None
    message_id: str | None = None
    at: datetime | None = None
    buttons: tuple[Button, ...] = field(default_factory=tuple)


class ConsoleChat(ChatBase):
    """A ChatPort for one local group, printing labelled lines through `out`."""

    platform = "console"
    capabilities = PLATFORMS["console"].capabilities

    def __init__(self, group_name: str = "Local group", *, out: Callable[[str], None] | None = None,
                 clock: Clock | None = None) -> None:
        self.group = Group(id="console:local", name=group_name, platform="console")
        self.out = out
        self.clock = clock or SystemClock()
        self.events: list[ConsoleEvent] = []
        self.channels: dict[str, Channel] = {}
        self.members: dict[str, Member] = {}
        self.messages: dict[str, tuple[str, str, str]] = {}  # id -> (channel, author, text)
        self.deleted: set[str] = set()
        self.timeouts: dict[str, datetime] = {}
        self._by_key: dict[str, PostedMessage] = {}
        self._ids = itertools.count(1)
        self.last_buttons: list[Button] = []
        # the group's set-up (a moderator log set with /mod setup modlog), wired by open_bot
        self.settings_of: Callable[[Group], Awaitable[Any]] | None = None
        # the moderator log when none is set; None: like a new Discord or Slack group
        self.default_modlog: str | None = f"c-{MODLOG}"
        self.add_channel("general")
        self.add_channel(MODLOG)

    # -- the local world -------------------------------------------------------------------
    def add_channel(self, name: str) -> Channel:
        name = name.lstrip("#").lower()
        channel = Channel(id=f"c-{name}", name=name, group_id=self.group.id)
        self.channels.setdefault(channel.id, channel)
        return self.channels[channel.id]

    def add_member(self, name: str, moderator: bool = False) -> Member:
        name = name.lstrip("@")
        member = Member(id=f"u-{name.lower()}", display_name=name,
                        roles=frozenset({"moderator"}) if moderator else frozenset(),
                        is_moderator=moderator)
        self.members[member.id] = member
        return member

    def channel(self, name: str) -> Channel | None:
        return self.channels.get(f"c-{name.lstrip('#').lower()}")

    def new_message(self, channel: Channel, author: Member, text: str) -> Message:
        """A member's message entering the group (recorded so a removal can be shown)."""
        mid = f"m{next(self._ids)}"
        self.messages[mid] = (channel.id, author.id, text)
        return Message(id=mid, group=self.group, channel=channel, author=author, text=text,
                       created_at=self.clock.now())

    def is_timed_out(self, member: Member) -> datetime | None:
        until = self.timeouts.get(member.id)
        if until is not None and until > self.clock.now():
            return until
        return None

    # -- Resolver --------------------------------------------------------------------------
    async def resolve_channel(self, group: Group, token: str) -> Channel | None:
        m = re.fullmatch(r"<#([^>]+)>", token)
        if m:
            return self.channels.get(m.group(1))
        return self.channel(token)

    async def resolve_member(self, group: Group, token: str) -> Member | None:
        m = re.fullmatch(r"<@([^>]+)>", token)
        if m:
            return self.members.get(m.group(1))
        return self.members.get(f"u-{token.lstrip('@').lower()}")

    # -- ChatPort ----------------------------------------------------------------------------
    def _emit(self, event: ConsoleEvent) -> None:
        event.at = self.clock.now()
        self.events.append(event)
        if event.buttons:
            self.last_buttons = list(event.buttons)
        if self.out is not None:
            self.out(render_event(event, self))

    async def post(self, group: Group, channel: Channel, reply: Reply, *,
                   idempotency_key: str | None = None) -> PostedMessage:
        if idempotency_key is not None and idempotency_key in self._by_key:
            return self._by_key[idempotency_key]
        if channel.id not in self.channels:
            raise Unsupported("console", f"post in unknown channel {channel.name}")
        mid = f"m{next(self._ids)}"
        thread_id = None
        self._emit(ConsoleEvent("post", group.id, reply.text, channel.id, None, reply, mid,
                                buttons=reply.buttons))
        if reply.thread_name:
            thread_id = f"t-{mid}"
            self._emit(ConsoleEvent("thread", group.id, reply.thread_name, channel.id,
                                    message_id=mid))
        posted = PostedMessage(id=mid, channel_id=channel.id, group_id=group.id,
                               thread_id=thread_id)
        if idempotency_key is not None:
            self._by_key[idempotency_key] = posted
        return posted

    async def find_post(self, group: Group, channel: Channel, key: str, *,
                        reply: Reply | None = None) -> PostedMessage | None:
        """The console keeps no history that outlives the process: it cannot search. (While
        it runs, `post` with the same key returns the first post.)"""
        raise Unsupported("console", "search a channel's history for a post")

    async def send_private(self, group: Group, member: Member, reply: Reply, *,
                           public_fallback: bool = True) -> None:
        """Always private (labelled for the member only), so never a public fallback."""
        self._emit(ConsoleEvent("private", group.id, reply.text, None, member.id, reply,
                                buttons=reply.buttons))

    async def delete_message(self, group: Group, channel: Channel, message_id: str) -> None:
        if message_id not in self.messages:
            raise Unsupported("console", f"delete unknown message {message_id}")
        self.deleted.add(message_id)
        author = self.messages[message_id][1]
        self._emit(ConsoleEvent("delete", group.id, "", channel.id, author, None, message_id))

    async def timeout_member(self, group: Group, member: Member, until: datetime,
                             reason: str) -> None:
        self.timeouts[member.id] = until
        self._emit(ConsoleEvent("timeout", group.id, reason, None, member.id,
                                message_id=until.isoformat()))

    async def remove_timeout(self, group: Group, member: Member, reason: str) -> None:
        if self.timeouts.pop(member.id, None) is not None:
            self._emit(ConsoleEvent("untimeout", group.id, reason, None, member.id))

    async def timed_out_until(self, group: Group, member: Member) -> datetime | None:
        return self.is_timed_out(member)

    async def fetch_message(self, group: Group, channel: Channel,
                            message_id: str) -> Message | None:
        """A member's message still in the group (typed in the console or by a test)."""
        found = self.messages.get(message_id)
        if found is None or message_id in self.deleted or found[0] != channel.id:
            return None
        channel_id, author_id, text = found
        author = self.members.get(author_id) or Member(author_id, author_id)
        return Message(id=message_id, group=group, channel=self.channels.get(channel_id, channel),
                       author=author, text=text, created_at=self.clock.now())

    async def message_link(self, group: Group, channel: Channel, message_id: str) -> str | None:
        return None  # the console has no addresses for messages: the log shows them

    async def alert_moderators(self, group: Group, reply: Reply) -> None:
        """The channel set with /mod setup modlog, else #mod-log (`default_modlog`)."""
        channel_id = self.default_modlog
        if self.settings_of is not None:
            settings = await self.settings_of(group)
            if settings is not None and settings.modlog_channel:
                channel_id = str(settings.modlog_channel)
        if channel_id is None:
            raise ModlogUnavailable("no moderator log channel is set")
        if channel_id not in self.channels:
            raise ModlogUnavailable("the moderator log channel no longer exists")
        self._emit(ConsoleEvent("modlog", group.id, reply.text, channel_id, None, reply,
                                buttons=reply.buttons))

    async def moderators(self, group: Group) -> list[Member]:
        """The local members marked as moderators."""
        return [m for m in self.members.values() if m.is_moderator and not m.is_bot]

    async def member_info(self, group: Group, member_id: str) -> Member | None:
        """A local member as they are now (a `/as NAME mod` switch counts at once)."""
        return self.members.get(member_id)

    # -- helpers for tests -----------------------------------------------------------------
    def of_kind(self, kind: str) -> list[ConsoleEvent]:
        return [e for e in self.events if e.kind == kind]

    def private_to(self, member: Member) -> list[ConsoleEvent]:
        return [e for e in self.events if e.kind == "private" and e.member_id == member.id]


async def deliver(chat: ConsoleChat, group: Group, channel: Channel, member: Member,
                  replies: Sequence[Reply]) -> None:
    """Show command replies: public ones posted in the channel, private ones to the invoker."""
    for reply in replies:
        if reply.visibility is Visibility.PRIVATE:
            await chat.send_private(group, member, reply)
        else:
            await chat.post(group, channel, reply)


def render_event(event: ConsoleEvent, chat: ConsoleChat) -> str:
    """A readable, labelled line (or block) for one event."""

    def who(member_id: str | None) -> str:
        member = chat.members.get(member_id or "")
        return member.display_name if member else (member_id or "?")

    def chan(channel_id: str | None) -> str:
        channel = chat.channels.get(channel_id or "")
        return "#" + (channel.name if channel else (channel_id or "?"))

    body = _render_reply(event.reply) if event.reply else event.text
    body = re.sub(r"<#([^>]+)>", lambda m: chan(m.group(1)), body)
    body = re.sub(r"<@([^>]+)>", lambda m: "@" + who(m.group(1)), body)
    if event.kind == "post":
        label = f"[{chan(event.channel_id)}] groupbot:"
    elif event.kind == "private":
        label = f"[private → {who(event.member_id)}]"
    elif event.kind == "modlog":
        label = "[mod-log]"
    elif event.kind == "delete":
        return f"[removed] {who(event.member_id)}'s message in {chan(event.channel_id)}"
    elif event.kind == "timeout":
        until = (event.message_id or "")[:16].replace("T", " ")
        return f"[timeout] {who(event.member_id)} until {until} UTC: {event.text}"
    elif event.kind == "untimeout":
        return f"[timeout lifted] {who(event.member_id)}: {event.text}"
    elif event.kind == "thread":
        return f"[thread] \"{event.text}\" opened in {chan(event.channel_id)}"
    else:
        label = f"[{event.kind}]"
    lines = body.splitlines() or [""]
    if len(lines) == 1:
        return f"{label} {lines[0]}"
    return "\n".join([label, *("    " + line for line in lines)])


def _render_reply(reply: Reply) -> str:
    parts: list[str] = []
    if reply.title:
        parts.append(f"── {reply.title} ──")
    parts.append(reply.text)
    if reply.citation:
        parts.append(f"— {reply.citation}")
    if reply.buttons:
        parts.append("buttons: " + "  ".join(f"[{i}] {b.label}"
                                             for i, b in enumerate(reply.buttons, 1))
                     + "   (type /press N)")
    return "\n".join(parts)
