"""The discord.py client: gateway events in, neutral types to the Bot, replies rendered back.

The only module (with `chat`, `render` and `runner`) that knows discord.py. App commands are
rendered from the command registry and routed here by hand in `on_interaction` (no
CommandTree), so the same registry, permission check and error replies run as everywhere.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
import yarl

from groupbot.config import Config
from groupbot.core.types import Channel, Group, Interaction, Member, Message, Reply, Visibility
from groupbot.features.contracts import AutomodRecorder
from groupbot.platforms.discord.chat import (
    ABOUT_SCHEDULED_POST,
    POST_MARKER_PREFIX,
    UNDELIVERED_PREFIX,
    DiscordChat,
    DiscordUnavailable,
    message_kwargs,
)
from groupbot.platforms.discord.render import parse_invocation, render_commands, render_reply
from groupbot.platforms.discord.startup import Backoff, Sleep, probe_gateway, reach

if TYPE_CHECKING:
    from groupbot.app import Bot

log = logging.getLogger(__name__)

THREAD_TYPES = (10, 11, 12)
AUTO_DEFER_AFTER = 2.0  # Discord wants an answer within 3 s
_MENTION = re.compile(r"^<[@#][!&]?(\d+)>$")


def intents() -> discord.Intents:
    """What the bot needs: message content and members are privileged (developer portal)."""
    i = discord.Intents.none()
    i.guilds = True
    i.guild_messages = True
    i.dm_messages = True
    i.message_content = True
    i.members = True
    i.moderation = True
    i.auto_moderation_execution = True
    return i


class GroupbotClient(discord.AutoShardedClient):
    """One process's shards. `owns_group` tells which guilds (and schedules) are ours."""

    def __init__(self, config: Config, *, shard_ids: Sequence[int] | None = None,
                 shard_count: int | None = None, identify_delay: float | None = None,
                 http_trace: aiohttp.TraceConfig | None = None,
                 guild_ready_timeout: float = 2.0, sync_global: bool = False) -> None:
        extra: dict[str, Any] = {"shard_ids": list(shard_ids) if shard_ids else None,
                                 "http_trace": http_trace}
        super().__init__(intents=intents(), shard_count=shard_count, max_messages=None, **extra,
                         chunk_guilds_at_startup=False, guild_ready_timeout=guild_ready_timeout,
                         allowed_mentions=discord.AllowedMentions.none())
        self.config = config
        self.identify_delay = identify_delay
        self.sync_global = sync_global
        self.bot: Bot | None = None
        self.chat: DiscordChat | None = None
        self.synced: dict[int | None, list[dict[str, Any]]] = {}
        self.ready_event = asyncio.Event()
        self.automod_seen = 0
        self.portal_flags: int | None = None
        # set by `run_discord`: reach the gateway with bounded retries before each shard's
        # first connection (None: discord.py's own behaviour, as in tests and benchmarks)
        self.start_backoff: Backoff | None = None
        self.start_sleep: Sleep = asyncio.sleep

    def attach(self, bot: Bot, chat: DiscordChat) -> None:
        self.bot = bot
        self.chat = chat
        chat.settings_of = bot.services.settings
        chat.clock = bot.services.clock

    # -- sharding ----------------------------------------------------------------------
    async def setup_hook(self) -> None:
        try:  # remembered so a refused connection can name the portal switch that is off
            self.portal_flags = int((await self.http.application_info()).get("flags") or 0)
        except discord.HTTPException:
            self.portal_flags = None
        if self.shard_count is None and self.config.discord.gateway:
            # honour GROUPBOT_DISCORD_GATEWAY: with a known count discord.py uses our URL
            self.shard_count, _url, _limits = await self.http.get_bot_gateway()

    def owns_group(self, group_id: str) -> bool:
        try:
            gid = int(group_id)
        except ValueError:
            return False
        count = self.shard_count or 1
        ids = self.shard_ids if self.shard_ids is not None else range(count)
        return (gid >> 22) % count in ids

    def owned_guild_ids(self) -> list[str]:
        return sorted(str(g.id) for g in self.guilds if self.owns_group(str(g.id)))

    async def launch_shard(self, gateway: yarl.URL, shard_id: int, *,
                           initial: bool = False) -> None:
        """discord.py retries a shard's failed first connection every 5 s forever, with a
        traceback each time: first reach the gateway within our bounded backoff (one log
        line per failure, `DiscordUnreachable` after the last), then let discord.py connect."""
        backoff = self.start_backoff
        if backoff is not None:
            await reach(f"the Discord gateway ({gateway})",
                        lambda: probe_gateway(gateway), backoff,
                        sleep=self.start_sleep)
        await super().launch_shard(gateway, shard_id, initial=initial)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if self.identify_delay is None:
            await super().before_identify_hook(shard_id, initial=initial)
        elif self.identify_delay > 0:
            await asyncio.sleep(self.identify_delay)

    # -- command sync ------------------------------------------------------------------
    async def sync_commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Bulk-overwrite the app commands, for one guild or (None) globally."""
        assert self.bot is not None and self.application_id is not None
        payload = render_commands(self.bot.registry)
        if guild_id is None:
            result = await self.http.bulk_upsert_global_commands(self.application_id, payload)
        else:
            result = await self.http.bulk_upsert_guild_commands(self.application_id, guild_id,
                                                                payload)
        self.synced[guild_id] = payload
        log.info("app commands synced", extra={"guild": guild_id, "count": len(result)})
        return payload

    async def _sync_guild(self, guild: discord.Guild) -> None:
        if self.bot is not None:  # the group's row exists before its first message arrives
            await self.bot.services.settings(self.group_of(guild))
        try:
            await self.sync_commands(guild.id)
        except discord.HTTPException as exc:
            log.error("could not sync app commands", extra={"guild": guild.id,
                                                           "status": exc.status})

    async def on_ready(self) -> None:
        await asyncio.gather(*(self._sync_guild(g) for g in self.guilds))
        if self.sync_global:
            try:
                await self.sync_commands(None)
            except discord.HTTPException as exc:
                log.error("could not sync app commands globally", extra={"status": exc.status})
        log.info("discord ready", extra={"guilds": len(self.guilds),
                                         "shards": list(self.shards)})
        self.ready_event.set()

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._sync_guild(guild)

    # -- neutral types -----------------------------------------------------------------
    @staticmethod
    def group_of(guild: discord.Guild) -> Group:
        return Group(str(guild.id), guild.name, "discord")

    @staticmethod
    def channel_of(channel: Any, group_id: str) -> Channel:
        ctype = getattr(getattr(channel, "type", None), "value", None)
        return Channel(str(channel.id), str(getattr(channel, "name", None) or channel.id),
                       group_id, is_thread=ctype in THREAD_TYPES,
                       is_private=isinstance(channel, discord.DMChannel))

    async def member_of(self, group: Group, user: discord.Member | discord.User,
                        permissions: discord.Permissions | None = None) -> Member:
        roles: frozenset[str] = frozenset()
        is_mod = False
        if isinstance(user, discord.Member):
            roles = frozenset(r.name for r in user.roles if not r.is_default())
            perms = permissions or user.guild_permissions
            is_mod = perms.manage_messages or perms.administrator
            if not is_mod and len(user.roles) > 1:
                is_mod = await self._has_moderator_role(group, user.roles)
        return Member(str(user.id), user.display_name, roles, is_mod, user.bot)

    async def _has_moderator_role(self, group: Group, roles: Sequence[discord.Role]) -> bool:
        wanted = self.config.discord.moderator_role or self.config.moderator_role
        if self.bot is not None:
            settings = await self.bot.services.settings(group)
            wanted = settings.moderator_role or wanted
        if not wanted:
            return False
        key = wanted.strip().lstrip("@").lower()
        m = _MENTION.match(wanted.strip())
        return any(r.name.lower() == key or (m and str(r.id) == m.group(1)) for r in roles)

    # -- messages ----------------------------------------------------------------------
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.guild is None or self.bot is None:
            return
        await self._handle_message(message, edited=False)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        message = payload.message
        if ("content" not in payload.data or message.guild is None or message.author.bot
                or self.bot is None):
            return
        await self._handle_message(message, edited=True)

    async def _handle_message(self, message: discord.Message, *, edited: bool) -> None:
        assert self.bot is not None and message.guild is not None
        try:
            group = self.group_of(message.guild)
            channel = self.channel_of(message.channel, group.id)
            author = await self.member_of(group, message.author)
            if self.chat is not None:
                self.chat.last_seen[(group.id, author.id)] = channel.id
            neutral = Message(str(message.id), group, channel, author, message.content,
                              message.created_at, edited,
                              tuple(str(u.id) for u in message.mentions))
            await self.bot.handle_message(neutral)
        except Exception:
            log.exception("could not handle a message", extra={"message": message.id})

    # -- AutoMod -----------------------------------------------------------------------
    async def on_automod_action(self, execution: discord.AutoModAction) -> None:
        """Discord's own AutoMod acted: count it in the case log (no strike, no DM)."""
        self.automod_seen += 1
        facts = {"group": str(execution.guild_id), "member": str(execution.user_id),
                 "rule": str(execution.rule_id), "action": execution.action.type.name,
                 "trigger": execution.rule_trigger_type.name}
        if self.bot is None or "moderation" not in self.bot.services.features:
            log.info("discord automod action (not in the case log: no moderation feature)",
                     extra=facts)
            return
        recorder = self.bot.services.need("moderation", AutomodRecorder).record_automod
        name = getattr(self.get_guild(execution.guild_id), "name", None)
        group = Group(str(execution.guild_id), name or str(execution.guild_id), "discord")
        try:
            await recorder(group, str(execution.user_id), rule=facts["rule"],
                           action=facts["action"], trigger=facts["trigger"],
                           channel_id=str(execution.channel_id) if execution.channel_id else None,
                           message_id=str(execution.message_id) if execution.message_id else None,
                           content=execution.content or None)
        except Exception:
            log.exception("could not record an automod action", extra=facts)

    # -- interactions ------------------------------------------------------------------
    async def on_interaction(self, itx: discord.Interaction) -> None:
        if self.bot is None:
            return
        try:
            if itx.guild is None or itx.channel is None:
                await itx.response.send_message("Please use me inside your group's server.",
                                                ephemeral=True)
                return
            if itx.type is discord.InteractionType.application_command:
                await self._on_command(itx)
            elif itx.type is discord.InteractionType.component:
                await self._on_component(itx)
        except DiscordUnavailable as exc:
            log.error("could not answer an interaction", extra={"reason": str(exc)})
        except discord.HTTPException as exc:
            log.error("could not answer an interaction",
                      extra={"status": exc.status, "code": exc.code})
        except Exception:
            log.exception("interaction failed", extra={"interaction": itx.id})

    async def _context(self, itx: discord.Interaction) -> tuple[Group, Channel, Member]:
        assert itx.guild is not None
        group = self.group_of(itx.guild)
        channel = self.channel_of(itx.channel, group.id)
        member = await self.member_of(group, itx.user, itx.permissions)
        if self.chat is not None:
            self.chat.last_seen[(group.id, member.id)] = channel.id
        return group, channel, member

    async def _on_command(self, itx: discord.Interaction) -> None:
        assert self.bot is not None
        data: dict[str, Any] = dict(itx.data or {})
        path, options = parse_invocation(data)
        spec = self.bot.registry.get(path)
        if spec is None:
            await itx.response.send_message(
                f"/{' '.join(path)} is no longer available. Type /help to see the commands.",
                ephemeral=True)
            return
        group, channel, member = await self._context(itx)
        raw = {o["name"]: await self._option_value(o, data.get("resolved") or {}, group)
               for o in options}
        # A deferred answer is always ephemeral: Discord's first followup inherits the
        # defer's visibility, so public replies are then posted to the channel instead.
        deferred = spec.slow
        if deferred:
            await itx.response.defer(ephemeral=True, thinking=True)
        work = asyncio.ensure_future(self.bot.handle_command(group, channel, member, spec, raw,
                                                             _Resolver(self)))
        if not deferred:
            done, _ = await asyncio.wait({work}, timeout=AUTO_DEFER_AFTER)
            if not done:
                await itx.response.defer(ephemeral=True, thinking=True)
                deferred = True
        replies = await work
        if deferred:
            await self._follow_up(itx, replies, group, channel)
        else:
            await self._respond(itx, replies)

    async def _follow_up(self, itx: discord.Interaction, replies: list[Reply], group: Group,
                         channel: Channel) -> None:
        assert self.chat is not None
        said_privately = False
        for reply in replies:
            if reply.visibility is Visibility.PRIVATE:
                for chunk in render_reply(reply):
                    await itx.followup.send(ephemeral=True, **message_kwargs(chunk))
                said_privately = True
            else:
                await self.chat.post(group, channel, reply)
        if not said_privately:
            await itx.followup.send("Done.", ephemeral=True)

    async def _option_value(self, opt: dict[str, Any], resolved: dict[str, Any],
                            group: Group) -> Any:
        value = opt.get("value")
        kind = opt.get("type")
        key = str(value)
        if kind == 6:  # user
            user = resolved.get("users", {}).get(key)
            member = resolved.get("members", {}).get(key)
            if user is None:
                return key
            guild = self.get_guild(int(group.id))
            if member is not None and guild is not None:
                payload: Any = {**member, "user": user}
                dm = discord.Member(data=payload, guild=guild,
                                    state=self._connection)
                perms = discord.Permissions(int(member.get("permissions", 0)))
                return await self.member_of(group, dm, perms)
            return Member(key, user.get("global_name") or user.get("username") or key,
                          is_bot=bool(user.get("bot")))
        if kind == 7:  # channel
            ch = resolved.get("channels", {}).get(key)
            if ch is None:
                return key
            return Channel(key, ch.get("name") or key, group.id,
                           is_thread=ch.get("type") in THREAD_TYPES)
        if kind == 8:  # role: features take its name
            role = resolved.get("roles", {}).get(key)
            return str(role.get("name", key)) if role else key
        return value

    async def _on_component(self, itx: discord.Interaction) -> None:
        assert self.bot is not None
        raw: dict[str, Any] = dict(itx.data or {})
        custom_id = str(raw.get("custom_id", ""))
        group, channel, member = await self._context(itx)
        if custom_id.startswith(UNDELIVERED_PREFIX) and self.chat is not None:
            reply = self.chat.take_undelivered(custom_id[len(UNDELIVERED_PREFIX):], member.id)
            note = reply or Reply.private("That note is not for you, or it was already shown.")
            await self._respond(itx, [Reply.private(note.text, title=note.title,
                                                    citation=note.citation)])
            return
        if custom_id.startswith(POST_MARKER_PREFIX):  # a scheduled post's marker button
            await self._respond(itx, [Reply.private(ABOUT_SCHEDULED_POST)])
            return
        neutral = Interaction(custom_id, group, channel, member,
                              str(itx.message.id) if itx.message else None)
        replies = await self.bot.handle_interaction(neutral)
        await self._respond(itx, replies)

    async def _respond(self, itx: discord.Interaction, replies: list[Reply]) -> None:
        if not replies:
            await itx.response.send_message("Done.", ephemeral=True)
            return
        for reply in replies:
            ephemeral = reply.visibility is Visibility.PRIVATE
            first_id: int | None = None
            for chunk in render_reply(reply):
                kwargs = message_kwargs(chunk)
                if not itx.response.is_done():
                    cb = await itx.response.send_message(ephemeral=ephemeral, **kwargs)
                    msg_id = cb.message_id if cb is not None else None
                else:
                    sent = await itx.followup.send(ephemeral=ephemeral, wait=True, **kwargs)
                    msg_id = sent.id
                first_id = first_id or msg_id
            if reply.thread_name and not ephemeral and first_id is not None and self.chat:
                await self.chat._open_thread(str(itx.channel_id), str(first_id),
                                             reply.thread_name)


class _Resolver:
    """Resolves `<#id>`, `#name`, `<@id>` and names typed as text, from the guild cache."""

    def __init__(self, client: GroupbotClient) -> None:
        self.client = client

    async def resolve_channel(self, group: Group, token: str) -> Channel | None:
        guild = self.client.get_guild(int(group.id))
        if guild is None:
            return None
        m = _MENTION.match(token.strip())
        name = token.strip().lstrip("#").lower()
        for ch in guild.text_channels + list(guild.threads):
            if (m and str(ch.id) == m.group(1)) or ch.name.lower() == name or str(ch.id) == name:
                return self.client.channel_of(ch, group.id)
        return None

    async def resolve_member(self, group: Group, token: str) -> Member | None:
        guild = self.client.get_guild(int(group.id))
        if guild is None:
            return None
        m = _MENTION.match(token.strip())
        name = token.strip().lstrip("@").lower()
        for mem in guild.members:
            if ((m and str(mem.id) == m.group(1)) or mem.name.lower() == name
                    or mem.display_name.lower() == name):
                return await self.client.member_of(group, mem)
        return None
