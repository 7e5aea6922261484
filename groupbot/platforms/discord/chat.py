"""`DiscordChat`: the ChatPort on discord.py, plus the global pacer for fan-out.

discord.py handles per-route rate limits (and 429s); it has no proactive global limiter, so
bot-initiated calls (posts, DMs, deletions, timeouts) go through `Pacer` (50 requests/s by
default, Discord's global limit). Interaction responses do not count against that limit and
are not paced.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord

from groupbot.core.errors import GroupbotError, ModlogUnavailable, Undeliverable, Unsupported
from groupbot.core.ports import ChatBase, Clock, SystemClock
from groupbot.core.types import (
    Button,
    ButtonStyle,
    Channel,
    Group,
    Member,
    Message,
    PostedMessage,
    Reply,
    Visibility,
)
from groupbot.platforms import PLATFORMS
from groupbot.platforms.discord.render import Chunk, render_reply
from groupbot.scheduling.limiter import (
    DISCORD_RATE_LIMITS,
    TEMPORARY_DEFAULT_DELAY,
    RetryLater,
)

if TYPE_CHECKING:
    from groupbot.platforms.discord.client import GroupbotClient

log = logging.getLogger(__name__)

MAX_TIMEOUT = timedelta(days=28)  # (as its capabilities in groupbot.platforms state)
MODLOG_NAMES = ("mod-log", "modlog", "moderators", "mod-logs")
UNDELIVERED_PREFIX = "gbd:undelivered:"
# A scheduled post carries its idempotency key in a button's custom id: Discord keeps
# components with the message and returns them in the channel's history (it does not keep the
# nonce: that is only echoed in the create response and the gateway event), so a bot
# restarted after a crash finds the post there. The button says what the post is.
POST_MARKER_PREFIX = "gbd:post:"
POST_MARKER_LABEL = "About this post"
ABOUT_SCHEDULED_POST = (
    "This is a scheduled post: the group's moderators set it up with /mod schedule. Reading "
    "along is welcome; share only what you want to.")
HISTORY_PAGES = 5  # pages of 100 messages find_post reads, newest first
THREAD_EXISTS = 160004
DMS_CLOSED = 50007


class DiscordUnavailable(RetryLater, GroupbotError):
    """Discord answered 5xx; safe to show, and a scheduler may retry it later."""

    def __init__(self, message: str) -> None:
        RetryLater.__init__(self, TEMPORARY_DEFAULT_DELAY, reason=message)


class Pacer:
    """A token bucket shared by everything this process sends (default 50 requests/s)."""

    def __init__(self, rate: float = 50.0, burst: int = 50,
                 now: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("the pacer needs a positive rate and a burst of at least 1")
        self.rate = rate
        self.burst = float(burst)
        self._tokens = float(burst)
        self._now = now
        self._sleep = sleep
        self._last = now()
        self._lock = asyncio.Lock()
        self.waited = 0.0  # seconds spent waiting, for logs and tests

    def _refill(self) -> None:
        t = self._now()
        self._tokens = min(self.burst, self._tokens + (t - self._last) * self.rate)
        self._last = t

    async def acquire(self) -> None:
        async with self._lock:
            self._refill()
            if self._tokens < 1:
                delay = (1 - self._tokens) / self.rate
                self.waited += delay
                await self._sleep(delay)
                self._refill()
            self._tokens -= 1


def nonce_for(key: str, part: int = 0) -> str:
    """A Discord nonce (at most 25 characters) derived from an idempotency key."""
    digest = hashlib.sha256(f"{key}\x00{part}".encode()).hexdigest()
    return "gb" + digest[:23]


class _RouteView(discord.ui.View):
    """Buttons whose clicks are routed by custom id in `on_interaction`, never by this object.

    Not dispatchable, so discord.py keeps no per-message state: a click on a message posted
    before a restart is handled exactly like a fresh one.
    """

    def __init__(self, buttons: tuple[Button, ...]) -> None:
        super().__init__(timeout=None)
        styles = {ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
                  ButtonStyle.SECONDARY: discord.ButtonStyle.secondary,
                  ButtonStyle.DANGER: discord.ButtonStyle.danger}
        for i, b in enumerate(buttons[:25]):
            self.add_item(discord.ui.Button(label=b.label[:80], custom_id=b.custom_id[:100],
                                            style=styles[b.style], row=i // 5))

    def is_dispatchable(self) -> bool:
        return False


def with_marker(chunk: Chunk, key: str) -> Chunk:
    """The chunk with the marker button that lets `find_post` find it by its key."""
    marker = Button(POST_MARKER_PREFIX + key, POST_MARKER_LABEL, ButtonStyle.SECONDARY)
    return Chunk(chunk.content, chunk.embed, (*chunk.buttons[:24], marker))


def _custom_ids(msg: dict[str, Any]) -> set[str]:
    """Every component custom id in a message payload (rows of buttons, nested or not)."""
    found: set[str] = set()
    stack = list(msg.get("components") or [])
    while stack:
        comp = stack.pop()
        if isinstance(comp, dict):
            if comp.get("custom_id"):
                found.add(str(comp["custom_id"]))
            stack.extend(comp.get("components") or [])
    return found


def message_kwargs(chunk: Chunk) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if chunk.content is not None:
        kwargs["content"] = chunk.content
    if chunk.embed is not None:
        kwargs["embed"] = discord.Embed.from_dict(chunk.embed)
    if chunk.buttons:
        kwargs["view"] = _RouteView(chunk.buttons)
    return kwargs


class DiscordChat(ChatBase):
    """What features may ask of Discord, through discord.py's REST client."""

    platform = "discord"
    capabilities = PLATFORMS["discord"].capabilities
    rate_limits = DISCORD_RATE_LIMITS  # read by the scheduler's pacing of scheduled posts

    def __init__(self, client: GroupbotClient, pacer: Pacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or Pacer()
        self.settings_of: Callable[[Group], Awaitable[Any]] | None = None
        self.clock: Clock = SystemClock()
        self.last_seen: dict[tuple[str, str], str] = {}  # (group, member) -> channel id
        self.undelivered: dict[str, tuple[str, Reply]] = {}  # token -> (member id, reply)
        self._tokens = itertools.count(1)

    def owns_group(self, group_id: str) -> bool:
        """Whether this process's shards serve the group (schedules run only there)."""
        return self.client.owns_group(group_id)

    # -- ChatPort ----------------------------------------------------------------------
    async def post(self, group: Group, channel: Channel, reply: Reply, *,
                   idempotency_key: str | None = None) -> PostedMessage:
        target = self.client.get_partial_messageable(int(channel.id),
                                                     guild_id=_int(group.id))
        first: discord.Message | None = None
        for i, chunk in enumerate(render_reply(reply)):
            if idempotency_key and i == 0:
                chunk = with_marker(chunk, idempotency_key)
            kwargs = message_kwargs(chunk)
            if idempotency_key:
                # discord.py sends `enforce_nonce: true` with every nonce (checked on 2.7.1,
                # and asserted by the tests): Discord then answers a repeat within a few
                # minutes with the first message instead of creating another
                kwargs["nonce"] = nonce_for(idempotency_key, i)
            await self.pacer.acquire()
            msg = await self._call("post a message", target.send(
                allowed_mentions=discord.AllowedMentions.none(), **kwargs))
            first = first or msg
        assert first is not None
        thread_id = None
        if reply.thread_name:
            thread_id = await self._open_thread(channel.id, str(first.id), reply.thread_name)
        return PostedMessage(str(first.id), channel.id, group.id, thread_id)

    async def find_post(self, group: Group, channel: Channel, key: str, *,
                        reply: Reply | None = None) -> PostedMessage | None:
        """The message carrying `key` in its marker button, among the channel's last 500
        (GET /channels/{c}/messages, newest first; needs Read Message History). With
        `reply`, the discussion thread it asked for is opened if the crash came before.
        Only the bot's own messages count: another bot could copy the button's id, and a
        copy taken for the post would leave the occurrence recorded but never posted."""
        marker = POST_MARKER_PREFIX + key
        if self.client.user is None:  # not logged in: it cannot tell its messages apart
            raise Unsupported("discord", "search a channel's history before logging in")
        me = str(self.client.user.id)
        before: int | None = None
        for _ in range(HISTORY_PAGES):
            await self.pacer.acquire()
            try:
                page = await self._call("read the channel's history",
                                        self.client.http.logs_from(int(channel.id), 100,
                                                                   before=before))
            except discord.Forbidden:
                raise Unsupported("discord", "read this channel's history (the bot needs Read "
                                             "Message History there)") from None
            for msg in page:
                author = str((msg.get("author") or {}).get("id") or "")
                if author == me and marker in _custom_ids(msg):
                    mid = str(msg["id"])
                    thread = msg.get("thread") or {}
                    thread_id = str(thread["id"]) if thread.get("id") else None
                    if thread_id is None and reply is not None and reply.thread_name:
                        thread_id = await self._open_thread(channel.id, mid, reply.thread_name)
                    return PostedMessage(mid, channel.id, group.id, thread_id)
            if len(page) < 100:
                break
            before = int(page[-1]["id"])
        return None

    async def _open_thread(self, channel_id: str, message_id: str, name: str) -> str | None:
        await self.pacer.acquire()
        try:
            data = await self.client.http.start_thread_with_message(
                int(channel_id), int(message_id), name=name[:100] or "discussion",
                auto_archive_duration=1440)
            return str(data["id"])
        except discord.HTTPException as exc:
            if exc.code == THREAD_EXISTS:  # a retried post: Discord names the thread by message
                return message_id
            log.warning("could not open a thread", extra={"channel": channel_id,
                                                           "status": exc.status,
                                                           "code": exc.code})
            return None

    async def send_private(self, group: Group, member: Member, reply: Reply, *,
                           public_fallback: bool = True) -> None:
        """A direct message. If the member's DMs are closed: a short mention where they last
        posted, with a button showing the note only to them; or, with
        `public_fallback=False`, nothing at all (`Undeliverable`). When no channel is known
        for them (nothing seen from them since start-up), `Undeliverable` too: the note did
        not reach them, and the caller must not say it did."""
        await self.pacer.acquire()
        try:
            dm = await self._call("open a direct message",
                                  self.client.create_dm(discord.Object(int(member.id))))
            for chunk in render_reply(reply):
                await self.pacer.acquire()
                await self._call("send a direct message", dm.send(**message_kwargs(chunk)))
        except discord.Forbidden as exc:
            if not public_fallback:
                log.warning("direct messages closed; the note was not delivered (it may leave "
                            "no public trace, so no mention in the channel)",
                            extra={"group": group.id, "member": member.id, "code": exc.code})
                raise Undeliverable("discord", "their direct messages are closed") from None
            log.warning("direct messages closed; falling back to a mention in the channel",
                        extra={"group": group.id, "member": member.id, "code": exc.code})
            await self._dm_fallback(group, member, reply)

    async def _dm_fallback(self, group: Group, member: Member, reply: Reply) -> None:
        """Keep the text for the member and say so briefly where they last posted."""
        channel_id = self.last_seen.get((group.id, member.id))
        if channel_id is None:
            log.warning("could not reach the member privately and know no channel for them; "
                        "the note was not delivered", extra={"group": group.id,
                                                             "member": member.id})
            raise Undeliverable("discord", "their direct messages are closed, and I know no "
                                           "channel where they have posted since I started")
        token = f"{next(self._tokens)}-{int(time.time())}"
        self.undelivered[token] = (member.id, reply)
        target = self.client.get_partial_messageable(int(channel_id), guild_id=_int(group.id))
        view = _RouteView((Button(UNDELIVERED_PREFIX + token, "Show me",
                                  ButtonStyle.PRIMARY),))
        await self.pacer.acquire()
        await self._call("post a mention", target.send(
            f"<@{member.id}>, I have a private note for you, but your direct messages are "
            "closed. Press the button to read it (only you will see it).",
            view=view, allowed_mentions=discord.AllowedMentions(users=True)))

    def take_undelivered(self, token: str, member_id: str) -> Reply | None:
        entry = self.undelivered.get(token)
        if entry is None or entry[0] != member_id:
            return None
        del self.undelivered[token]
        return entry[1]

    async def delete_message(self, group: Group, channel: Channel, message_id: str) -> None:
        await self.pacer.acquire()
        try:
            await self._call("delete a message", self.client.http.delete_message(
                int(channel.id), int(message_id)))
        except discord.NotFound:
            log.info("message already gone", extra={"group": group.id, "channel": channel.id,
                                                     "message": message_id})

    async def message_link(self, group: Group, channel: Channel, message_id: str) -> str | None:
        """Discord's jump link (built, no request; a thread's messages link the same way)."""
        return f"https://discord.com/channels/{group.id}/{channel.id}/{message_id}"

    async def timeout_member(self, group: Group, member: Member, until: datetime,
                             reason: str) -> None:
        until = min(until, self.clock.now() + MAX_TIMEOUT - timedelta(minutes=1))
        await self.pacer.acquire()
        try:
            await self._call("time out a member", self.client.http.edit_member(
                int(group.id), int(member.id), reason=reason[:512] or None,
                communication_disabled_until=until.isoformat()))
        except discord.Forbidden:
            log.warning("Discord refused the timeout (missing Moderate Members permission, or "
                        "the member's role is above the bot's)",
                        extra={"group": group.id, "member": member.id})
            raise GroupbotError(
                "Discord did not let me time out that member: the bot needs the Moderate "
                "Members permission and a role above theirs.") from None
        except discord.NotFound:
            log.warning("timeout target has left the server",
                        extra={"group": group.id, "member": member.id})

    async def remove_timeout(self, group: Group, member: Member, reason: str) -> None:
        """`Member.timeout(None)`: PATCH the member with `communication_disabled_until` null."""
        await self.pacer.acquire()
        try:
            await self._call("lift a timeout", self.client.http.edit_member(
                int(group.id), int(member.id), reason=reason[:512] or None,
                communication_disabled_until=None))
        except discord.Forbidden:
            log.warning("Discord refused to lift a timeout (missing Moderate Members "
                        "permission, or the member's role is above the bot's)",
                        extra={"group": group.id, "member": member.id})
            raise GroupbotError(
                "Discord did not let me lift that member's timeout: the bot needs the Moderate "
                "Members permission and a role above theirs.") from None
        except discord.NotFound:
            log.warning("untimeout target has left the server",
                        extra={"group": group.id, "member": member.id})

    async def timed_out_until(self, group: Group, member: Member) -> datetime | None:
        """Asked of Discord now (the cache learns of a timeout only from a later event)."""
        data = await self._member_data(group, member.id)
        raw = data.get("communication_disabled_until") if data else None
        if not raw:
            return None
        until = datetime.fromisoformat(str(raw))
        return until if until > self.clock.now() else None

    async def _member_data(self, group: Group, user_id: str) -> dict[str, Any] | None:
        """GET /guilds/{g}/members/{u}; None when they are not in the server."""
        await self.pacer.acquire()
        try:
            data = await self._call("look up a member", self.client.http.get_member(
                int(group.id), int(user_id)))
        except discord.NotFound:
            return None
        return dict(data)

    async def fetch_message(self, group: Group, channel: Channel,
                            message_id: str) -> Message | None:
        """GET /channels/{c}/messages/{m} (needs Read Message History there); its author as
        a member of the server (from the cache, else asked of Discord)."""
        try:
            channel_id, wanted = int(channel.id), int(message_id)
        except ValueError:
            return None
        cached = self.client.get_channel(channel_id)
        guild_of = getattr(getattr(cached, "guild", None), "id", None)
        if cached is not None and str(guild_of) != group.id:
            return None  # a channel of another server
        await self.pacer.acquire()
        try:
            data = await self._call("look up the message", self.client.http.get_message(
                channel_id, wanted))
        except discord.NotFound:
            return None
        except discord.Forbidden:
            log.warning("Discord refused to show a message",
                        extra={"group": group.id, "channel": channel.id})
            raise GroupbotError(
                "Discord did not let me read that message: the bot needs View Channel and Read "
                "Message History in that channel.") from None
        author = await self._author(group, dict(data.get("author") or {}))
        where = self.client.channel_of(cached, group.id) if cached is not None else channel
        created = datetime.fromisoformat(str(data.get("timestamp") or self.clock.now()))
        return Message(str(data.get("id") or message_id), group, where, author,
                       str(data.get("content") or ""), created)

    async def _author(self, group: Group, user: dict[str, Any]) -> Member:
        uid = str(user.get("id") or "0")
        name = str(user.get("global_name") or user.get("username") or uid)
        guild = self.client.get_guild(_int(group.id) or 0)
        cached = guild.get_member(int(uid)) if guild is not None and uid.isdigit() else None
        if cached is not None:
            return await self.client.member_of(group, cached)
        data = await self._member_data(group, uid) if guild is not None and uid.isdigit() \
            else None
        if data is not None and guild is not None:
            fetched = discord.Member(data=data,  # type: ignore[arg-type]
                                     guild=guild, state=self.client._connection)
            return await self.client.member_of(group, fetched)
        return Member(uid, name, is_bot=bool(user.get("bot")))  # no longer in the server

    async def alert_moderators(self, group: Group, reply: Reply) -> None:
        """The channel set with /mod setup modlog, else one named like a moderator log;
        `ModlogUnavailable` when there is none, it is gone, or the bot may not post there."""
        channel_id = await self._modlog(group)
        if channel_id is None:
            raise ModlogUnavailable("no moderator log channel is set (and none is named "
                                    "mod-log)")
        try:
            await self.post(group, Channel(channel_id, "mod-log", group.id),
                            Reply(reply.text, Visibility.PUBLIC, reply.title, reply.citation,
                                  reply.buttons))
        except discord.NotFound:
            raise ModlogUnavailable("the moderator log channel no longer exists, or I can't "
                                    "see it") from None
        except discord.Forbidden:
            raise ModlogUnavailable("I'm not allowed to post in the moderator log channel "
                                    "(the bot needs View Channel and Send Messages there)"
                                    ) from None
        except discord.HTTPException as exc:
            raise GroupbotError(f"Discord refused the post in the moderator log (HTTP "
                                f"{exc.status})") from None

    async def moderators(self, group: Group) -> list[Member]:
        """Members with Manage Messages, Administrator or the moderator role, among those
        discord.py has cached (the bot does not page through a large server's members)."""
        guild = self.client.get_guild(_int(group.id) or 0)
        if guild is None:
            return []
        found: list[Member] = []
        for user in guild.members:
            if user.bot:
                continue
            member = await self.client.member_of(group, user)
            if member.is_moderator:
                found.append(member)
        return found

    async def member_info(self, group: Group, member_id: str) -> Member | None:
        """The member now (the moderators' dashboard asks on every page): from discord.py's
        cache, else from Discord; None when they are not in the server. Discord's refusals
        raise (the dashboard then lets no one in until it can check)."""
        guild = self.client.get_guild(_int(group.id) or 0)
        uid = _int(member_id)
        if guild is None or uid is None:
            return None
        user = guild.get_member(uid)
        if user is None:
            try:
                user = await guild.fetch_member(uid)
            except discord.NotFound:
                return None
            except discord.HTTPException as exc:
                raise GroupbotError(f"Discord would not say who that is (HTTP {exc.status})"
                                    ) from None
        return await self.client.member_of(group, user)

    async def _modlog(self, group: Group) -> str | None:
        if self.settings_of is not None:
            settings = await self.settings_of(group)
            if settings is not None and settings.modlog_channel:
                return str(settings.modlog_channel)
        guild = self.client.get_guild(_int(group.id) or 0)
        if guild is not None:
            for ch in guild.text_channels:
                if ch.name in MODLOG_NAMES:
                    return str(ch.id)
        return None

    async def _call(self, what: str, aw: Awaitable[Any]) -> Any:
        try:
            return await aw
        except discord.DiscordServerError as exc:
            log.error("Discord server error; the request was not completed",
                      extra={"action": what, "status": exc.status})
            raise DiscordUnavailable(
                f"Discord is having trouble right now (HTTP {exc.status}), so I could not "
                f"{what}. Please try again in a little while.") from None


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None
