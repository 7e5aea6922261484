"""Slack payloads in, neutral types to the Bot, replies rendered back (through slack-bolt).

One `/groupbot` slash command carries the whole command registry as text subcommands
(`/groupbot mod queue`), parsed by the same parser as the console. Button clicks (block
actions) are routed by their persistent action ids. Message events (new and edited) reach the
features; each event is handled once, by `event_id` (Socket Mode drops Slack's retry fields;
in HTTP mode `http_mode.HttpGate` answers a retry before it gets here, too).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from groupbot.config import Config
from groupbot.core.errors import GroupbotError
from groupbot.core.types import Channel, Group, Interaction, Member, Message, Reply, Visibility
from groupbot.logging_setup import BOLT_LOGGERS, DependencyFilter
from groupbot.platforms.slack.chat import SlackChat
from groupbot.platforms.slack.dedupe import Seen
from groupbot.platforms.slack.render import render_reply
from groupbot.platforms.slack.teams import acting_for

if TYPE_CHECKING:
    from groupbot.app import Bot

log = logging.getLogger(__name__)

COMMAND = "/groupbot"
# message subtypes that carry a member's own words; every other subtype is ignored
USER_TEXT_SUBTYPES = (None, "thread_broadcast", "file_share", "me_message")
_CHANNEL = re.compile(r"^<#([A-Z0-9]+)(?:\|([^>]*))?>$")
_USER = re.compile(r"^<@([A-Z0-9]+)(?:\|([^>]*))?>$")
_MENTIONS = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")

Respond = Callable[..., Awaitable[Any]]


def group_id(team_id: str) -> str:
    return f"slack:{team_id}"


def team_of(group: Group) -> str:
    return group.id.removeprefix("slack:")


class SlackAdapter:
    """The listeners of the bolt app, and the neutral objects they build."""

    def __init__(self, config: Config, bot: Bot, chat: SlackChat) -> None:
        self.config = config
        self.bot = bot
        self.chat = chat
        self.team_names: dict[str, str] = {}
        self.seen_events = Seen()  # event ids handled in the last eleven minutes
        self.duplicates = 0
        chat.settings_of = bot.services.settings

    def build_app(self, client: AsyncWebClient, signing_secret: str | None,
                  oauth: AsyncOAuthSettings | None = None) -> AsyncApp:
        """The bolt app: HTTP mode verifies signatures; Socket Mode needs no secret. With
        `oauth` (many workspaces), bolt finds each request's workspace token (authorize)."""
        app = AsyncApp(client=client, signing_secret=signing_secret or "",
                       request_verification_enabled=bool(signing_secret),
                       logger=bolt_logger(), oauth_settings=oauth)
        app.command(COMMAND)(self.on_command)
        app.action(re.compile(r".+"))(self.on_action)
        app.event("message")(self.on_message)
        return app

    # -- neutral types -------------------------------------------------------------------
    def group(self, team_id: str, name: str | None = None) -> Group:
        if name:
            self.team_names[team_id] = name
        return Group(group_id(team_id), self.team_names.get(team_id, team_id), "slack")

    async def channel(self, group: Group, channel_id: str, name: str | None = None, *,
                      thread: bool = False) -> Channel:
        is_dm = channel_id.startswith("D") or name in ("directmessage", "mpdm")
        if not name or name in ("privategroup",):
            info = await self.chat.channel_info(channel_id) if not is_dm else {}
            name = str(info.get("name") or channel_id)
        return Channel(channel_id, name, group.id, is_thread=thread,
                       is_private=is_dm)

    async def member(self, group: Group, user_id: str, fallback_name: str | None = None) -> Member:
        return await self.chat.member(group, user_id, fallback_name)

    async def is_moderator(self, group: Group, user_id: str) -> bool:
        """The workspace's owners and admins, the configured user list or user group, or a
        user group set with /mod setup role (`SlackChat.is_moderator`)."""
        return await self.chat.is_moderator(group, user_id)

    # -- the slash command -------------------------------------------------------------
    async def on_command(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any],
                         respond: Respond) -> None:
        await ack()  # within Slack's 3 seconds; the answer follows through response_url
        with acting_for(str(body.get("team_id", ""))):
            await self._command(body, respond)

    async def _command(self, body: dict[str, Any], respond: Respond) -> None:
        try:
            group = self.group(str(body.get("team_id", "")), body.get("team_domain"))
            channel = await self.channel(group, str(body.get("channel_id", "")),
                                         body.get("channel_name"))
            member = await self.member(group, str(body.get("user_id", "")),
                                       body.get("user_name"))
            replies = await self.bot.handle_text_command(
                group, channel, member, str(body.get("text") or "help"), SlackResolver(self))
            await self.deliver(group, channel, member, replies, respond,
                               bool(body.get("response_url")))
        except Exception:
            log.exception("slash command failed")

    async def deliver(self, group: Group, channel: Channel, member: Member,
                      replies: list[Reply], respond: Respond, can_respond: bool, *,
                      done_note: bool = True) -> None:
        """Private replies only the member sees; public ones posted in the channel."""
        for reply in replies:
            if reply.visibility is Visibility.PUBLIC:
                try:
                    await self.chat.post(group, channel, reply)
                    continue
                except GroupbotError as exc:  # e.g. not in the channel: tell the member
                    reply = Reply.private(str(exc))
            await self.say_privately(channel, member, reply, respond, can_respond)
        if not replies and done_note:
            await self.say_privately(channel, member, Reply.private("Done."), respond,
                                     can_respond)

    async def say_privately(self, channel: Channel, member: Member, reply: Reply,
                            respond: Respond, can_respond: bool) -> None:
        for msg in render_reply(reply):
            ok = False
            if can_respond:
                kwargs: dict[str, Any] = {"text": msg.text, "response_type": "ephemeral",
                                          "replace_original": False}
                if msg.blocks:
                    kwargs["blocks"] = msg.blocks
                try:
                    result = await respond(**kwargs)
                    ok = getattr(result, "status_code", 200) == 200
                except Exception as exc:
                    log.warning("response_url failed", extra={"error": type(exc).__name__})
            if not ok:
                try:
                    await self.chat.post_ephemeral(channel.id, member.id, reply)
                except GroupbotError as exc:
                    log.warning("could not answer privately", extra={"error": str(exc)})
                return

    # -- buttons -----------------------------------------------------------------------
    async def on_action(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any],
                        action: dict[str, Any], respond: Respond) -> None:
        await ack()
        team = body.get("team") or {}
        user = body.get("user") or {}
        team_id = str(team.get("id") or user.get("team_id") or "")
        with acting_for(team_id):
            await self._action(body, action, respond, team, user, team_id)

    async def _action(self, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                      team: dict[str, Any], user: dict[str, Any], team_id: str) -> None:
        try:
            group = self.group(team_id, team.get("domain"))
            ch = body.get("channel") or {}
            channel_id = str(ch.get("id") or (body.get("container") or {}).get("channel_id")
                             or "")
            channel = await self.channel(group, channel_id, ch.get("name"))
            member = await self.member(group, str(user.get("id", "")),
                                       user.get("username") or user.get("name"))
            custom_id = str(action.get("value") or action.get("action_id") or "")
            message_ts = (body.get("message") or {}).get("ts") or \
                (body.get("container") or {}).get("message_ts")
            replies = await self.bot.handle_interaction(Interaction(
                custom_id, group, channel, member, str(message_ts) if message_ts else None))
            await self.deliver(group, channel, member, replies, respond,
                               bool(body.get("response_url")), done_note=False)
        except Exception:
            log.exception("button click failed")

    # -- messages ----------------------------------------------------------------------
    def first_time(self, event_id: str | None) -> bool:
        """False for an event already handled (a retry, or a Socket Mode redelivery)."""
        if not event_id:
            return True
        if not self.seen_events.first(event_id):
            self.duplicates += 1
            return False
        return True

    async def first_anywhere(self, event_id: str | None) -> bool:
        """False for an event this process or another on the database has handled (several
        processes behind one load balancer each see some of Slack's retries). When the
        shared ledger cannot be written, the event runs: a rare second run is better than
        a member's message never read."""
        if not self.first_time(event_id):
            return False
        if not event_id:
            return True
        try:
            first = await self.bot.services.store.slack_events.first(
                event_id, self.bot.services.clock.now())
        except Exception as exc:
            log.warning("the shared event ledger could not be written",
                        extra={"error": type(exc).__name__})
            return True
        if not first:
            self.duplicates += 1
        return first

    async def on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if not await self.first_anywhere(body.get("event_id")):
            log.debug("duplicate event ignored", extra={"event_id": body.get("event_id")})
            return
        try:
            with acting_for(str(body.get("team_id") or event.get("team") or "")):
                await self._message(body, event)
        except Exception:
            log.exception("could not handle a message", extra={"event_id": body.get("event_id")})

    async def _message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        subtype = event.get("subtype")
        edited = subtype == "message_changed"
        msg = dict(event.get("message") or {}) if edited else event
        if edited:
            before = (event.get("previous_message") or {}).get("text")
            if msg.get("subtype") not in USER_TEXT_SUBTYPES or before == msg.get("text"):
                return  # an unfurl, a reaction count or a thread summary: not an edit
        elif subtype not in USER_TEXT_SUBTYPES:
            return
        if msg.get("bot_id") or msg.get("bot_profile") or not msg.get("user"):
            return
        if event.get("channel_type") in ("im", "mpim"):
            return
        team_id = str(body.get("team_id") or msg.get("team") or event.get("team") or "")
        group = self.group(team_id)
        ts = str(msg.get("ts") or event.get("ts") or "")
        thread_ts = msg.get("thread_ts")
        channel = await self.channel(group, str(event.get("channel", "")),
                                     thread=bool(thread_ts and thread_ts != ts))
        author = await self.member(group, str(msg["user"]))
        if author.is_bot:
            return
        text = str(msg.get("text") or "")
        neutral = Message(ts, group, channel, author, text, _time_of(ts), edited,
                          tuple(dict.fromkeys(_MENTIONS.findall(text))))
        await self.bot.handle_message(neutral)


def bolt_logger() -> logging.Logger:
    """The logger handed to slack_bolt as its app's: at WARNING or above, with the filter that
    keeps request bodies out. Bolt copies both into each logger of its own it sets up for the
    app (verification, listeners, middleware), which is what keeps its INFO line quoting a
    refused request's whole body out of the log even where `setup_logging` never ran."""
    logger = logging.getLogger(BOLT_LOGGERS[0])
    logger.setLevel(max(logging.WARNING, logging.getLogger().getEffectiveLevel()))
    if not any(isinstance(f, DependencyFilter) for f in logger.filters):
        logger.addFilter(DependencyFilter(BOLT_LOGGERS))
    return logger


def _time_of(ts: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except ValueError:
        return datetime.now(UTC)


class SlackResolver:
    """`<#C123|name>`, `<@U123>` (what Slack sends with escaping on), `#name`, `@name`."""

    def __init__(self, adapter: SlackAdapter) -> None:
        self.adapter = adapter

    async def resolve_channel(self, group: Group, token: str) -> Channel | None:
        token = token.strip()
        m = _CHANNEL.match(token)
        if m:
            return await self.adapter.channel(group, m.group(1), m.group(2) or None)
        if _ID.match(token):
            info = await self.adapter.chat.channel_info(token)
            return Channel(token, str(info.get("name") or token), group.id) if info else None
        name = token.lstrip("#").lower()
        try:
            channels = await self.adapter.chat.list_all(
                "conversations_list", "channels", types="public_channel,private_channel",
                exclude_archived=True)
        except GroupbotError:
            return None
        for ch in channels:
            if str(ch.get("name", "")).lower() == name:
                return Channel(str(ch["id"]), str(ch["name"]), group.id)
        return None

    async def resolve_member(self, group: Group, token: str) -> Member | None:
        token = token.strip()
        m = _USER.match(token)
        if m:
            return await self.adapter.member(group, m.group(1), m.group(2) or None)
        if re.fullmatch(r"[UW][A-Z0-9]{6,}", token):
            return await self.adapter.member(group, token)
        name = token.lstrip("@").lower()
        try:
            users = await self.adapter.chat.list_all("users_list", "members")
        except GroupbotError:
            return None
        for u in users:
            profile = u.get("profile") or {}
            names = {str(u.get("name", "")).lower(), str(profile.get("display_name", "")).lower(),
                     str(profile.get("real_name", "")).lower()}
            if name in names and not u.get("deleted"):
                return await self.adapter.member(group, str(u["id"]), u.get("name"))
        return None
