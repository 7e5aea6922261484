"""`SlackChat`: the ChatPort on slack_sdk's AsyncWebClient.

Honest about what a bot token can do on Slack: it can post, reply in threads, send
ephemeral messages and DMs, and show buttons; it cannot delete members' messages or time
members out (both raise `Unsupported`, and moderation falls back to a private warning and a
moderator alert). Slack has no idempotency key, so scheduled posts carry message metadata
and `find_post` looks for it after a crash instead of re-posting.

Installed in many workspaces (`tokens` set: Bolt's OAuth flow), each call uses the bot token
of the workspace it is for (`teams`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from groupbot.config import Config
from groupbot.core.errors import GroupbotError, ModlogUnavailable, Unsupported
from groupbot.core.ports import ChatBase
from groupbot.core.types import Channel, Group, Member, Message, PostedMessage, Reply, Visibility
from groupbot.platforms import PLATFORMS
from groupbot.platforms.slack.render import SlackMessage, render_reply, to_mrkdwn
from groupbot.platforms.slack.teams import STALE_TOKEN, TeamTokens, current_team, per_team
from groupbot.scheduling.limiter import SLACK_RATE_LIMITS, TEMPORARY_DEFAULT_DELAY, RetryLater

log = logging.getLogger(__name__)

METADATA_EVENT = "groupbot_occurrence"
USERGROUP = re.compile(r"^(?:<!subteam\^)?(S[A-Z0-9]+)(?:\|[^>]*)?>?$")
HISTORY_PAGES = 5  # conversations.history pages (200 messages each) searched by find_post
CACHE_SECONDS = 300.0
MAX_INLINE_RETRY = 10.0  # a longer Retry-After goes back to the caller (the scheduler waits)

# Slack error codes that a person can act on, and what to tell them
_FRIENDLY = {
    "not_in_channel": "I'm not a member of that channel: invite me with `/invite @groupbot` "
                      "there first.",
    "channel_not_found": "I can't see that channel: it may be private (invite me with "
                         "`/invite @groupbot`) or it no longer exists.",
    "is_archived": "That channel is archived, so I can't post in it.",
    "restricted_action": "This workspace does not let me post in that channel.",
    "missing_scope": "This Slack app lacks a permission (scope) it needs; a workspace admin "
                     "should reinstall it with the scopes listed in groupbot's README.",
    "msg_too_long": "That message was too long for Slack.",
    "cannot_dm_bot": "I can't send a direct message to a bot.",
    "user_not_found": "I can't find that member.",
}


class SlackRefused(GroupbotError):
    """Slack answered `ok: false`; `error` is its code (the message is fit to show)."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error


class SlackUnavailable(RetryLater, GroupbotError):
    """Slack refused for now (429 over the inline wait, or a 5xx): a scheduler retries it."""

    def __init__(self, message: str, retry_after: float = TEMPORARY_DEFAULT_DELAY) -> None:
        RetryLater.__init__(self, retry_after, reason=message)


class RateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 retry, waiting exactly Retry-After, and only when it is short.

    A long wait is not slept through inside a request: the 429 reaches `SlackChat`, which
    raises `RetryLater` so the scheduler holds the channel and tries again later.
    """

    def __init__(self, max_retry_count: int = 2, max_wait: float = MAX_INLINE_RETRY,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait
        self._sleep = sleep
        self.waited: list[float] = []

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None,
                               error: Exception | None = None) -> bool:
        if response is None or response.status_code != 429:
            return False
        return retry_after_of(response.headers) <= self.max_wait

    async def prepare_for_next_attempt_async(self, *, state: RetryState, request: HttpRequest,
                                             response: HttpResponse | None = None,
                                             error: Exception | None = None) -> None:
        if response is None:
            raise error or RuntimeError("no response to retry")
        delay = retry_after_of(response.headers)
        self.waited.append(delay)
        state.next_attempt_requested = True
        await self._sleep(delay)
        state.increment_current_attempt()


def retry_after_of(headers: Any) -> float:
    """Seconds from a Retry-After header (slack_sdk gives lists of values); 1 if absent."""
    for key, value in dict(headers or {}).items():
        if str(key).lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return 1.0
    return 1.0


def make_client(token: str | None, base_url: str | None = None, *,
                retry: AsyncRetryHandler | None = None) -> AsyncWebClient:
    """An AsyncWebClient with 429s retried (slack_sdk retries only connection errors)."""
    kwargs: dict[str, Any] = {"token": token}
    if base_url:
        kwargs["base_url"] = base_url if base_url.endswith("/") else base_url + "/"
    client = AsyncWebClient(**kwargs)
    client.retry_handlers.append(retry or RateLimitRetry())
    return client


class _Cache:
    """A small time-limited cache (users, user groups, channel names)."""

    def __init__(self, ttl: float = CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._data: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> Any:
        hit = self._data.get(key)
        if hit is None or time.monotonic() - hit[0] > self.ttl:
            return None
        return hit[1]

    def drop(self, key: str) -> None:
        self._data.pop(key, None)

    def put(self, key: str, value: Any) -> Any:
        if len(self._data) > 10_000:
            self._data.clear()
        self._data[key] = (time.monotonic(), value)
        return value


class SlackChat(ChatBase):
    """What features may ask of Slack, through the Web API."""

    platform = "slack"
    capabilities = PLATFORMS["slack"].capabilities
    rate_limits = SLACK_RATE_LIMITS  # read by the scheduler's pacing of scheduled posts

    def __init__(self, client: AsyncWebClient, config: Config,
                 tokens: TeamTokens | None = None) -> None:
        self.client = client
        self.config = config
        self.tokens = tokens  # many workspaces: each one's token (None: `client`'s only)
        self._teams = _Cache()  # team id -> (its client, its bot id)
        self.settings_of: Callable[[Group], Awaitable[Any]] | None = None
        self._users = _Cache()
        self._channels = _Cache()
        self._groups = _Cache()
        self._dms: dict[str, str] = {}
        self.bot_id: str | None = None  # this app's bot (auth.test), set at start or on demand

    # -- workspaces --------------------------------------------------------------------
    def _k(self, key: str) -> str:
        """A cache key for the current workspace (ids are the workspace's own)."""
        team = current_team() if self.tokens is not None else None
        return f"{team}/{key}" if team else key

    async def _team(self) -> tuple[AsyncWebClient, str | None]:
        """The client (with the workspace's token) and bot id for the current workspace."""
        if self.tokens is None:
            return self.client, self.bot_id
        team = current_team()
        if not team:
            raise SlackRefused("no_team", "I could not tell which Slack workspace this is for.")
        hit = self._teams.get(team)
        if hit is None:
            found = await self.tokens.bot_token(team)
            if found is None:
                raise SlackRefused("not_installed", "groupbot is not installed in that Slack "
                                   "workspace any more (install it again from /slack/install).")
            retry = next((h for h in self.client.retry_handlers
                          if isinstance(h, RateLimitRetry)), None)
            hit = self._teams.put(team, (make_client(found[0], self.client.base_url,
                                                     retry=retry), found[1]))
        client, bot_id = hit
        return client, bot_id

    def forget_team(self, team_id: str) -> None:
        """Read the workspace's token again on its next call (after a re-install)."""
        self._teams.drop(team_id)

    # -- ChatPort ----------------------------------------------------------------------
    @per_team
    async def post(self, group: Group, channel: Channel, reply: Reply, *,
                   idempotency_key: str | None = None) -> PostedMessage:
        first: str | None = None
        for i, msg in enumerate(render_reply(reply)):
            kwargs = _message_kwargs(msg)
            if idempotency_key and i == 0:
                kwargs["metadata"] = {"event_type": METADATA_EVENT,
                                      "event_payload": {"key": idempotency_key}}
            data = await self.call("post a message", "chat_postMessage", channel=channel.id,
                                   unfurl_links=False, unfurl_media=False, **kwargs)
            first = first or str(data.get("ts"))
        assert first is not None
        thread_id = None
        if reply.thread_name:
            thread_id = await self._open_thread(channel.id, first, reply.thread_name)
        return PostedMessage(first, channel.id, group.id, thread_id)

    async def _open_thread(self, channel_id: str, ts: str, name: str) -> str | None:
        """Slack threads hang off a message: a first reply names the discussion."""
        try:
            await self.call("start a thread", "chat_postMessage", channel=channel_id,
                            thread_ts=ts, text=f"*{to_mrkdwn(name[:200])}*: share your "
                            "thoughts here, in this thread.")
            return ts
        except GroupbotError as exc:
            log.warning("could not open a thread", extra={"channel": channel_id,
                                                           "error": str(exc)})
            return None

    @per_team
    async def send_private(self, group: Group, member: Member, reply: Reply, *,
                           public_fallback: bool = True) -> None:
        """A direct message (the app's Messages tab), opened with conversations.open.

        There is no public fallback on Slack, whatever `public_fallback` says: a DM that
        cannot be delivered raises (a `GroupbotError` naming Slack's refusal)."""
        dm = self._dms.get(self._k(member.id))
        if dm is None:
            data = await self.call("open a direct message", "conversations_open",
                                   users=member.id)
            dm = str((data.get("channel") or {}).get("id"))
            self._dms[self._k(member.id)] = dm
        for msg in render_reply(reply):
            await self.call("send a direct message", "chat_postMessage", channel=dm,
                            unfurl_links=False, **_message_kwargs(msg))

    async def post_ephemeral(self, channel_id: str, member_id: str, reply: Reply,
                             thread_ts: str | None = None) -> None:
        """A reply only `member_id` sees, in the channel (lost on reload, as Slack does)."""
        for msg in render_reply(reply):
            extra = {"thread_ts": thread_ts} if thread_ts else {}
            await self.call("send a private reply", "chat_postEphemeral", channel=channel_id,
                            user=member_id, **extra, **_message_kwargs(msg))

    async def delete_message(self, group: Group, channel: Channel, message_id: str) -> None:
        raise Unsupported("slack", "delete members' messages (a bot token may delete only its "
                                   "own; moderators can remove it in Slack)")

    async def timeout_member(self, group: Group, member: Member, until: datetime,
                             reason: str) -> None:
        raise Unsupported("slack", "time out members (Slack has no timeouts for bots)")

    async def remove_timeout(self, group: Group, member: Member, reason: str) -> None:
        raise Unsupported("slack", "time out members, so there is no timeout of mine to lift "
                                   "(Slack has no timeouts for bots)")

    async def timed_out_until(self, group: Group, member: Member) -> datetime | None:
        raise Unsupported("slack", "time out members (Slack has no timeouts for bots)")

    @per_team
    async def fetch_message(self, group: Group, channel: Channel,
                            message_id: str) -> Message | None:
        """conversations.history at exactly that ts (channels:history, groups:history);
        a reply inside a thread is not in the channel's history, so conversations.replies
        (same scopes) is asked next. Its author with the same moderator rule as commands."""
        found = await self._find_message(channel.id, message_id)
        if found is None:
            return None
        user = str(found.get("user") or "")
        if user:
            author = await self.member(group, user)
        else:  # an app or integration posted it
            bot = str(found.get("bot_id") or "bot")
            author = Member(bot, str((found.get("bot_profile") or {}).get("name") or bot),
                            is_bot=True)
        info = await self.channel_info(channel.id)
        where = Channel(channel.id, str(info.get("name") or channel.name), group.id,
                        is_thread=str(found.get("thread_ts") or message_id) != message_id)
        try:
            created = datetime.fromtimestamp(float(message_id), UTC)
        except ValueError:
            created = datetime.now(UTC)
        return Message(message_id, group, where, author, str(found.get("text") or ""),
                       created)

    async def _find_message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        if not re.fullmatch(r"\d{1,12}\.\d{1,8}", ts):
            return None
        data = await self.call("look up the message", "conversations_history",
                               channel=channel_id, latest=ts, oldest=ts, inclusive=True,
                               limit=1)
        for msg in data.get("messages") or []:
            if str(msg.get("ts")) == ts:
                return dict(msg)
        try:
            data = await self.call("look up the message", "conversations_replies",
                                   channel=channel_id, ts=ts, limit=200)
        except SlackRefused as exc:
            if exc.error in ("thread_not_found", "message_not_found"):
                return None
            raise
        for msg in data.get("messages") or []:
            if str(msg.get("ts")) == ts:
                return dict(msg)
        return None

    @per_team
    async def message_link(self, group: Group, channel: Channel, message_id: str) -> str | None:
        """Slack's permalink (chat.getPermalink: it also links replies inside a thread). A
        moderator needs it most here, where the bot cannot remove the message itself.
        A failure raises, like every call; the moderation feature sends its alert without
        the link then."""
        data = await self.call("link to the message", "chat_getPermalink",
                               channel=channel.id, message_ts=message_id)
        link = data.get("permalink")
        return str(link) if link else None

    @per_team
    async def alert_moderators(self, group: Group, reply: Reply) -> None:
        """The channel set with /groupbot mod setup modlog (a bot cannot create one), or
        `ModlogUnavailable`; Slack's refusals (not in the channel, archived) raise too. The
        moderation queue then keeps the alert and sends it to `moderators()` directly."""
        channel_id = await self._modlog(group)
        if channel_id is None:
            raise ModlogUnavailable("no moderator log channel is set")
        public = Reply(reply.text, Visibility.PUBLIC, reply.title, reply.citation, reply.buttons)
        await self.post(group, Channel(channel_id, "mod-log", group.id), public)

    @per_team
    async def moderators(self, group: Group) -> list[Member]:
        """The configured moderators and user groups (and one set with /groupbot mod setup
        role), and the workspace's owners and admins; bots and deactivated accounts left
        out. If Slack will not list the admins, the configured ones still count."""
        extra = None
        if self.settings_of is not None:
            settings = await self.settings_of(group)
            extra = usergroup_of(getattr(settings, "moderator_role", None))
        ids = set(await self.moderator_ids(extra))
        names: dict[str, str] = {}
        try:
            for user in await self.list_all("users_list", "members"):
                uid = str(user.get("id", ""))
                if user.get("deleted") or user.get("is_bot") or not uid:
                    continue
                profile = user.get("profile") or {}
                names[uid] = str(profile.get("display_name") or profile.get("real_name")
                                 or user.get("name") or uid)
                if is_workspace_admin(user):
                    ids.add(uid)
        except GroupbotError as exc:
            log.warning("could not list the workspace's admins", extra={"error": str(exc)})
        return [Member(uid, names.get(uid, uid), is_moderator=True) for uid in sorted(ids)]

    async def _modlog(self, group: Group) -> str | None:
        if self.settings_of is not None:
            settings = await self.settings_of(group)
            if settings is not None and settings.modlog_channel:
                return str(settings.modlog_channel)
        return None

    # -- reconciling scheduled posts -----------------------------------------------------
    @per_team
    async def find_post(self, group: Group, channel: Channel, key: str, *,
                        reply: Reply | None = None) -> PostedMessage | None:
        """A post carrying `key` in its metadata, from the channel's recent history (newest
        first, up to 1,000 messages). With `reply`, a discussion thread it asked for and
        never got (the crash came between the post and the thread's first reply) is opened.
        Only this bot's messages count: another app could post the same metadata."""
        bot_id = (await self._team())[1]
        if bot_id is None and self.tokens is None:
            me = await self.call("check who I am", "auth_test")
            bot_id = self.bot_id = str(me.get("bot_id") or "") or None
        if bot_id is None:  # not a bot token: it cannot tell its own messages apart
            raise Unsupported("slack", "search a channel's history without a bot token")
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            extra = {"cursor": cursor} if cursor else {}
            data = await self.call("read the channel's history", "conversations_history",
                                   channel=channel.id, include_all_metadata=True, limit=200,
                                   **extra)
            for msg in data.get("messages") or []:
                meta = msg.get("metadata") or {}
                if (msg.get("bot_id") == bot_id and meta.get("event_type") == METADATA_EVENT
                        and (meta.get("event_payload") or {}).get("key") == key):
                    ts = str(msg["ts"])
                    thread = ts if msg.get("reply_count") or msg.get("thread_ts") else None
                    if thread is None and reply is not None and reply.thread_name:
                        thread = await self._open_thread(channel.id, ts, reply.thread_name)
                    return PostedMessage(ts, channel.id, group.id, thread)
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor or not data.get("has_more"):
                break
        return None

    # -- people ---------------------------------------------------------------------------
    @per_team
    async def member(self, group: Group, user_id: str,
                     fallback_name: str | None = None) -> Member:
        """A member of the workspace, named as their profile shows, a moderator or not."""
        info = await self.user(user_id)
        profile = info.get("profile") or {}
        name = (profile.get("display_name") or profile.get("real_name") or info.get("name")
                or fallback_name or user_id)
        return Member(user_id, str(name), is_moderator=await self.is_moderator(group, user_id),
                      is_bot=bool(info.get("is_bot")))

    @per_team
    async def member_info(self, group: Group, member_id: str) -> Member | None:
        """The member now (the moderators' dashboard asks on every page); None for a
        deactivated account. When Slack will not say (users.info failed), it raises: the
        dashboard then lets no one in until it can check."""
        info = await self.user(member_id)
        if not info:
            raise GroupbotError("Slack would not say who that is (users.info failed)")
        if info.get("deleted"):
            return None
        return await self.member(group, member_id)

    @per_team
    async def is_moderator(self, group: Group, user_id: str) -> bool:
        """The workspace's owners and admins (as Discord counts Manage Messages), the
        configured user list or user group, or a user group set with /mod setup role."""
        if await self.is_admin(user_id):
            return True
        extra = None
        if self.settings_of is not None:
            settings = await self.settings_of(group)
            extra = usergroup_of(getattr(settings, "moderator_role", None))
        return user_id in await self.moderator_ids(extra)

    async def user(self, user_id: str) -> dict[str, Any]:
        """users.info, cached; an empty dict when Slack will not say."""
        hit = self._users.get(self._k(user_id))
        if hit is not None:
            return dict(hit)
        try:
            data = await self.call("look up a member", "users_info", user=user_id)
        except GroupbotError:
            return {}
        return dict(self._users.put(self._k(user_id), dict(data.get("user") or {})))

    async def usergroup_members(self, usergroup: str) -> frozenset[str]:
        hit = self._groups.get(self._k(usergroup))
        if hit is not None:
            return frozenset(hit)
        try:
            data = await self.call("read the moderator user group", "usergroups_users_list",
                                   usergroup=usergroup)
        except GroupbotError as exc:
            log.warning("could not read the moderator user group",
                        extra={"usergroup": usergroup, "error": str(exc)})
            return frozenset()
        return frozenset(self._groups.put(self._k(usergroup), frozenset(
            str(u) for u in data.get("users") or [])))

    async def is_admin(self, user_id: str) -> bool:
        """Whether the member owns or administers the workspace (users.info, cached for a
        few minutes, so a change in Slack counts within that time). Unknown: no."""
        return is_workspace_admin(await self.user(user_id))

    async def moderator_ids(self, extra_usergroup: str | None = None) -> frozenset[str]:
        ids = set(self.config.slack.moderators)
        for usergroup in {self.config.slack.moderator_usergroup, extra_usergroup} - {None}:
            assert usergroup is not None
            ids |= await self.usergroup_members(usergroup)
        return frozenset(ids)

    async def channel_info(self, channel_id: str) -> dict[str, Any]:
        hit = self._channels.get(self._k(channel_id))
        if hit is not None:
            return dict(hit)
        try:
            data = await self.call("look up a channel", "conversations_info", channel=channel_id)
        except GroupbotError:
            return {}
        return dict(self._channels.put(self._k(channel_id), dict(data.get("channel") or {})))

    async def list_all(self, method: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
        """A paginated list (conversations.list, users.list), cached for a few minutes."""
        cache_key = self._k(f"{method}:{sorted(kwargs.items())}")
        hit = self._channels.get(cache_key)
        if hit is not None:
            return list(hit)
        out: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(20):
            extra = {"cursor": cursor} if cursor else {}
            data = await self.call("list the workspace", method, limit=200, **kwargs, **extra)
            out += list(data.get(key) or [])
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        return list(self._channels.put(cache_key, out))

    # -- calls ------------------------------------------------------------------------------
    async def call(self, what: str, method: str, **kwargs: Any) -> dict[str, Any]:
        """One Web API call; Slack's refusals become errors fit to show a person."""
        client, _bot = await self._team()
        try:
            response = await getattr(client, method)(**kwargs)
        except SlackApiError as exc:
            status = getattr(exc.response, "status_code", 0)
            error = str(exc.response.get("error", "")) if exc.response is not None else ""
            if status == 429:
                retry = retry_after_of(getattr(exc.response, "headers", {}))
                log.warning("Slack rate limit", extra={"action": what, "retry_after": retry})
                raise SlackUnavailable(f"Slack asked me to slow down, so I could not {what} "
                                       "just now. I'll try again shortly.", retry) from None
            if status >= 500:
                log.error("Slack server error", extra={"action": what, "status": status})
                raise SlackUnavailable(f"Slack is having trouble right now (HTTP {status}), so "
                                       f"I could not {what}. Please try again in a little "
                                       "while.") from None
            log.warning("Slack refused a call", extra={"action": what, "error": error})
            team = current_team()
            if error in STALE_TOKEN and self.tokens is not None and team:
                self.forget_team(team)
            friendly = _FRIENDLY.get(error, f"Slack said '{error or status}'.")
            raise SlackRefused(error, f"I could not {what}: {friendly}") from None
        data = response.data if hasattr(response, "data") else response
        return dict(data) if isinstance(data, dict) else {}


def is_workspace_admin(user: dict[str, Any]) -> bool:
    """An owner or admin of the workspace, as users.info and users.list say (users:read)."""
    if user.get("deleted") or user.get("is_bot"):
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def usergroup_of(role: str | None) -> str | None:
    """The user group id in a moderator role set with /groupbot mod setup role."""
    m = USERGROUP.match((role or "").strip())
    return m.group(1) if m else None


def _message_kwargs(msg: SlackMessage) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"text": msg.text}
    if msg.blocks:
        kwargs["blocks"] = msg.blocks
    return kwargs
