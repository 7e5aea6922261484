"""The real discord.py, end to end, against the local fake Discord (no network)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from groupbot.app import Bot
from groupbot.config import Config, Secret
from groupbot.core.commands import CommandContext, CommandRegistry, OptionKind, OptionSpec
from groupbot.core.errors import Undeliverable
from groupbot.core.ports import FakeClock
from groupbot.core.types import Button, Group, Interaction, Member, Message, Reply
from groupbot.features.base import Feature
from groupbot.platforms.discord import DiscordChat, GroupbotClient, configure_endpoints
from groupbot.platforms.discord.chat import nonce_for
from groupbot.platforms.discord.runner import run_discord
from groupbot.runtime import open_bot
from tests.fakes.discord_fake import FakeDiscord, FakeGuild, FakeMember, loopback_trace


class Probe(Feature):
    """A small test feature that exercises every ChatPort call and reply shape."""

    name = "probe"

    def __init__(self, bot: Bot) -> None:
        super().__init__(bot.services)
        self.seen: list[Message] = []
        self.clicks: list[Interaction] = []
        self.slow_gate = asyncio.Event()

    def register(self, registry: CommandRegistry) -> None:
        registry.command("probe hug", "Send a member a kind word",
                         OptionSpec("member", OptionKind.MEMBER, "who"),
                         OptionSpec("times", OptionKind.INTEGER, "how many", required=False,
                                    min_value=1, max_value=3))(self.hug)
        registry.command("probe slow", "Takes a while", slow=True)(self.slow)
        registry.command("probe slowpost", "Takes a while, then posts", slow=True)(self.slowpost)
        registry.command("probe card", "An embed with a button and a thread")(self.card)
        registry.add_button("gb:probe:", self.click)

    async def hug(self, ctx: CommandContext) -> Reply:
        who = ctx.args["member"]
        return Reply.public(f"{ctx.invoker.display_name} sends {who.display_name} a hug "
                            f"x{ctx.arg('times', 1)}")

    async def slow(self, ctx: CommandContext) -> Reply:
        await self.slow_gate.wait()
        return Reply.private("finished after a while")

    async def slowpost(self, ctx: CommandContext) -> Reply:
        await self.slow_gate.wait()
        return Reply.public("a public result")

    async def card(self, ctx: CommandContext) -> Reply:
        return Reply.public("What does a boundary feel like?", title="Prompt",
                            citation="Prompt library, boundaries #3", thread_name="Boundaries",
                            buttons=(Button("gb:probe:yes", "Me too"),))

    async def click(self, interaction: Interaction) -> Reply:
        self.clicks.append(interaction)
        return Reply.private(f"thanks, {interaction.member.display_name}")

    async def on_message(self, message: Message) -> bool:
        self.seen.append(message)
        chat = self.services.chat
        if "REMOVE-ME" in message.text:
            await chat.delete_message(message.group, message.channel, message.id)
            await chat.send_private(message.group, message.author,
                                    Reply.private(f"I removed your message: {message.text}"))
        if "TIMEOUT-ME" in message.text:
            await chat.timeout_member(message.group, message.author,
                                      self.services.clock.now() + timedelta(hours=1),
                                      "probe: repeated")
        return False


@dataclass
class World:
    fake: FakeDiscord
    client: GroupbotClient
    chat: DiscordChat
    bot: Bot
    probe: Probe
    guild: FakeGuild
    alex: FakeMember
    robin: FakeMember  # has the configured "moderator" role
    sam: FakeMember  # has Manage Messages through the Helpers role


def point_at(config: Config, fake: FakeDiscord) -> None:
    config.discord.api_base = fake.api_base
    config.discord.gateway = fake.gateway_url
    configure_endpoints(config)


@asynccontextmanager
async def running(config: Config, fake: FakeDiscord, clock: FakeClock, *,
                  shard_ids: list[int] | None = None, shard_count: int | None = None,
                  with_probe: bool = True) -> AsyncIterator[tuple[GroupbotClient, DiscordChat,
                                                                 Bot, Probe]]:
    point_at(config, fake)
    violations: list[str] = []
    client = GroupbotClient(config, shard_ids=shard_ids, shard_count=shard_count,
                            identify_delay=0, http_trace=loopback_trace(violations),
                            guild_ready_timeout=0.05)
    chat = DiscordChat(client)
    # as run_discord does: the features start once logged in, before the gateway connects
    async with open_bot(config, chat, clock, start=False) as bot:
        probe = Probe(bot)
        if with_probe:
            probe.register(bot.registry)
            bot.features.insert(0, probe)
        client.attach(bot, chat)
        await client.login(fake.token)
        await bot.start()
        task = asyncio.create_task(client.connect())
        try:
            await asyncio.wait_for(client.ready_event.wait(), 5)
            yield client, chat, bot, probe
        finally:
            await client.close()
            await asyncio.wait_for(task, 5)
    assert violations == []


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    f = await FakeDiscord().start()
    yield f
    await f.stop()
    assert f.unknown_routes == [], f"the adapter called routes the fake lacks: {f.unknown_routes}"


@pytest.fixture
async def world(config: Config, fake: FakeDiscord, clock: FakeClock) -> AsyncIterator[World]:
    guild = fake.add_guild("Tuesday circle")
    alex = fake.add_member(guild, "alex")
    robin = fake.add_member(guild, "robin", roles=("moderator",))
    sam = fake.add_member(guild, "sam", roles=("Helpers",))
    async with running(config, fake, clock) as (client, chat, bot, probe):
        yield World(fake, client, chat, bot, probe, guild, alex, robin, sam)


async def eventually(check: Callable[[], Awaitable[Any]], within: float = 5.0) -> Any:
    """Poll an async check (database state the bot writes) until it is truthy, bounded."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not (result := await check()):
        if loop.time() > deadline:
            raise AssertionError(f"not true within {within} s: {check.__name__}")
        await asyncio.sleep(0.005)
    return result


def last_callback(fake: FakeDiscord, token: str) -> dict[str, Any]:
    return fake.callbacks[token][0]


async def test_login_ready_guild_create_and_command_sync(world: World) -> None:
    fake, client = world.fake, world.client
    assert client.user is not None and client.user.id == fake.bot.id
    assert [g.id for g in client.guilds] == [world.guild.id]
    assert fake.identifies[0]["intents"] & (1 << 15) and fake.identifies[0]["intents"] & 2
    tree = await fake.wait_for(lambda: fake.commands.get(world.guild.id))
    by_name = {c["name"]: c for c in tree}
    mod = by_name["mod"]
    assert mod["default_member_permissions"] == str(1 << 13)
    setup = next(o for o in mod["options"] if o["name"] == "setup")
    assert setup["type"] == 2  # a subcommand group
    modlog = next(o for o in setup["options"] if o["name"] == "modlog")
    assert modlog["type"] == 1 and modlog["options"][0]["type"] == 7  # channel option
    hug = next(o for o in by_name["probe"]["options"] if o["name"] == "hug")
    assert [(o["name"], o["type"], o["required"]) for o in hug["options"]] == [
        ("member", 6, True), ("times", 4, False)]
    assert "default_member_permissions" not in by_name["help"]


async def test_slash_command_with_member_and_integer_options(world: World) -> None:
    fake = world.fake
    token = await fake.slash(world.guild, "general", world.alex, "probe hug",
                             member=world.robin, times=2)
    body = await fake.wait_for(lambda: fake.callbacks[token] and last_callback(fake, token))
    assert body["type"] == 4
    assert body["data"]["content"] == "alex sends robin a hug x2"
    assert not int(body["data"].get("flags") or 0) & 64  # public


async def test_moderator_by_role_changes_setup_privately(world: World) -> None:
    fake = world.fake
    token = await fake.slash(world.guild, "general", world.robin, "mod setup modlog",
                             channel="#mod-log")
    body = await fake.wait_for(lambda: fake.callbacks[token] and last_callback(fake, token))
    assert int(body["data"]["flags"]) & 64  # ephemeral
    assert "#mod-log" in body["data"]["content"]
    settings = await world.bot.services.store.groups.settings(str(world.guild.id))
    assert settings is not None
    assert settings.modlog_channel == str(world.guild.channels["mod-log"])


async def test_manage_messages_counts_as_moderator(world: World) -> None:
    token = await world.fake.slash(world.guild, "general", world.sam, "mod setup region",
                                   region="GB")
    body = await world.fake.wait_for(lambda: world.fake.callbacks[token]
                                     and last_callback(world.fake, token))
    assert "GB" in body["data"]["content"]


async def test_non_moderator_is_refused_privately(world: World) -> None:
    fake = world.fake
    token = await fake.slash(world.guild, "general", world.alex, "mod setup timezone",
                             timezone="Europe/Berlin")
    body = await fake.wait_for(lambda: fake.callbacks[token] and last_callback(fake, token))
    assert int(body["data"]["flags"]) & 64
    assert "for moderators" in body["data"]["content"]
    settings = await world.bot.services.store.groups.settings(str(world.guild.id))
    assert settings is None or settings.timezone != "Europe/Berlin"


async def test_embed_buttons_thread_and_a_click(world: World) -> None:
    fake = world.fake
    token = await fake.slash(world.guild, "general", world.alex, "probe card")
    body = await fake.wait_for(lambda: fake.callbacks[token] and last_callback(fake, token))
    embed = body["data"]["embeds"][0]
    assert embed["title"] == "Prompt" and embed["footer"]["text"].startswith("Prompt library")
    button = body["data"]["components"][0]["components"][0]
    assert button["custom_id"] == "gb:probe:yes"
    threads = await fake.wait_for(lambda: fake.calls("POST", r"/channels/\d+/messages/\d+/threads"))
    assert threads[0].body["name"] == "Boundaries"
    original = fake.callbacks[token][1]["original"]
    click = await fake.click(world.guild, "general", world.sam, "gb:probe:yes", original)
    reply = await fake.wait_for(lambda: fake.callbacks[click] and last_callback(fake, click))
    assert reply["data"]["content"] == "thanks, sam" and int(reply["data"]["flags"]) & 64
    assert world.probe.clicks[0].message_id == original["id"]


async def test_slow_command_defers_then_follows_up(world: World) -> None:
    fake = world.fake
    token = await fake.slash(world.guild, "general", world.alex, "probe slow")
    first = await fake.wait_for(lambda: fake.callbacks[token] and last_callback(fake, token))
    assert first["type"] == 5 and int(first["data"]["flags"]) & 64
    world.probe.slow_gate.set()
    follow = await fake.wait_for(lambda: next((c["followup"] for c in fake.callbacks[token]
                                               if "followup" in c), None))
    assert follow["content"] == "finished after a while" and follow["flags"] & 64


async def test_slow_public_result_is_posted_in_the_channel(world: World) -> None:
    fake = world.fake
    world.probe.slow_gate.set()
    token = await fake.slash(world.guild, "general", world.alex, "probe slowpost")
    follow = await fake.wait_for(lambda: next((c["followup"] for c in fake.callbacks[token]
                                               if "followup" in c), None))
    assert follow["content"] == "Done." and follow["flags"] & 64
    general = world.guild.channels["general"]
    posts = fake.calls("POST", rf"/channels/{general}/messages")
    assert [p.body["content"] for p in posts] == ["a public result"]


async def test_messages_and_edits_reach_the_bot_and_bot_echoes_do_not(world: World) -> None:
    fake = world.fake
    sent = await fake.member_says(world.guild, "general", world.alex, "hello circle")
    await fake.wait_for(lambda: world.probe.seen)
    await fake.member_edits(sent, "hello again")
    await fake.wait_for(lambda: len(world.probe.seen) == 2)
    first, edit = world.probe.seen
    assert (first.text, first.edited, first.author.display_name) == ("hello circle", False, "alex")
    assert (edit.text, edit.edited, edit.id) == ("hello again", True, sent["id"])
    assert not first.author.is_moderator
    # the bot's own post is echoed by the gateway and must be ignored
    await world.chat.post(first.group, first.channel, Reply.public("a post"))
    await fake.member_says(world.guild, "general", world.robin, "after")
    await fake.wait_for(lambda: len(world.probe.seen) == 3)
    assert world.probe.seen[2].author.is_moderator and world.probe.seen[2].text == "after"


async def test_member_message_removed_and_text_dmed(world: World) -> None:
    fake = world.fake
    sent = await fake.member_says(world.guild, "general", world.alex, "REMOVE-ME please")
    dm = await fake.wait_for(lambda: [r for r in fake.calls("POST", r"/channels/\d+/messages")
                                      if int(r.path.split("/")[2]) in fake.dm_channels])
    assert (world.guild.channels["general"], int(sent["id"])) in fake.deleted
    assert dm[0].body["content"] == "I removed your message: REMOVE-ME please"
    assert fake.dm_channels[int(dm[0].path.split("/")[2])] == world.alex.id


async def test_closed_dms_fall_back_to_a_mention_with_a_private_button(world: World) -> None:
    fake = world.fake
    fake.dm_closed.add(world.alex.id)
    await fake.member_says(world.guild, "general", world.alex, "REMOVE-ME now")
    general = world.guild.channels["general"]
    posts = await fake.wait_for(lambda: fake.calls("POST", rf"/channels/{general}/messages"))
    body = posts[0].body
    assert f"<@{world.alex.id}>" in body["content"] and "REMOVE-ME" not in body["content"]
    custom_id = body["components"][0]["components"][0]["custom_id"]
    other = await fake.click(world.guild, "general", world.sam, custom_id)
    refused = await fake.wait_for(lambda: fake.callbacks[other] and last_callback(fake, other))
    assert "not for you" in refused["data"]["content"]
    mine = await fake.click(world.guild, "general", world.alex, custom_id)
    shown = await fake.wait_for(lambda: fake.callbacks[mine] and last_callback(fake, mine))
    assert "REMOVE-ME now" in shown["data"]["content"] and int(shown["data"]["flags"]) & 64


async def test_closed_dms_without_a_public_fallback_raise_and_post_nothing(
        world: World) -> None:
    fake, chat = world.fake, world.chat
    fake.dm_closed.add(world.alex.id)
    group = Group(str(world.guild.id), "Tuesday circle", "discord")
    general = world.guild.channels["general"]
    chat.last_seen[(group.id, str(world.alex.id))] = str(general)  # a fallback would go here
    alex = Member(str(world.alex.id), "alex")
    with pytest.raises(Undeliverable, match="direct messages are closed"):
        await chat.send_private(group, alex, Reply.private("a quiet note"),
                                public_fallback=False)
    tried = [r for r in fake.calls("POST", r"/channels/\d+/messages")
             if int(r.path.split("/")[2]) in fake.dm_channels]
    assert [r.status for r in tried] == [403]
    assert fake.calls("POST", rf"/channels/{general}/messages") == []
    assert chat.undelivered == {}
    # the default still reaches them through the channel
    await chat.send_private(group, alex, Reply.private("a note"))
    assert len(fake.calls("POST", rf"/channels/{general}/messages")) == 1
    assert len(chat.undelivered) == 1


async def test_timeout_with_audit_log_reason(world: World) -> None:
    fake = world.fake
    await fake.member_says(world.guild, "general", world.alex, "TIMEOUT-ME")
    calls = await fake.wait_for(lambda: fake.calls("PATCH", r"/guilds/\d+/members/\d+"))
    assert calls[0].path == f"/guilds/{world.guild.id}/members/{world.alex.id}"
    assert urllib.parse.unquote(calls[0].headers["X-Audit-Log-Reason"]) == "probe: repeated"
    until = datetime.fromisoformat(calls[0].body["communication_disabled_until"])
    assert until == world.bot.services.clock.now() + timedelta(hours=1)


async def test_post_with_nonce_is_not_doubled_and_opens_one_thread(world: World) -> None:
    fake, chat = world.fake, world.chat
    from groupbot.core.types import Channel, Group

    group = Group(str(world.guild.id), "Tuesday circle", "discord")
    channel = Channel(str(world.guild.channels["general"]), "general", group.id)
    reply = Reply.public("Weekly prompt", title="Monday", thread_name="Monday prompt")
    first = await chat.post(group, channel, reply, idempotency_key="sched:1:2026-01-05")
    again = await chat.post(group, channel, reply, idempotency_key="sched:1:2026-01-05")
    assert first.id == again.id and first.thread_id == again.thread_id == first.id
    posts = fake.calls("POST", rf"/channels/{channel.id}/messages")
    assert [p.body["nonce"] for p in posts] == [nonce_for("sched:1:2026-01-05")] * 2
    assert all(p.body["enforce_nonce"] for p in posts) and len(posts[0].body["nonce"]) <= 25
    assert len(fake.threads) == 1


async def test_429_is_honoured(world: World) -> None:
    fake, chat = world.fake, world.chat
    from groupbot.core.types import Channel, Group

    general = world.guild.channels["general"]
    fake.fault("POST", rf"/channels/{general}/messages", 429, {"retry_after": 0.05})
    group = Group(str(world.guild.id), "g", "discord")
    posted = await chat.post(group, Channel(str(general), "general", group.id),
                             Reply.public("after a wait"))
    attempts = fake.calls("POST", rf"/channels/{general}/messages")
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.04  # slept retry_after before retrying
    assert int(posted.id) in fake.messages


async def test_discord_5xx_becomes_a_clear_error_and_log(world: World,
                                                         caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    fake, chat = world.fake, world.chat
    from groupbot.core.types import Channel, Group
    from groupbot.platforms.discord.chat import DiscordUnavailable

    general = world.guild.channels["general"]
    fake.fault("POST", rf"/channels/{general}/messages", 503)
    group = Group(str(world.guild.id), "g", "discord")
    with caplog.at_level(logging.ERROR), pytest.raises(DiscordUnavailable, match="HTTP 503"):
        await chat.post(group, Channel(str(general), "general", group.id), Reply.public("x"))
    assert any("Discord server error" in r.getMessage() for r in caplog.records)


async def test_oversized_reply_is_split_with_nothing_lost(world: World) -> None:
    fake, chat = world.fake, world.chat
    from groupbot.core.types import Channel, Group

    general = world.guild.channels["general"]
    text = ("A long reflection that keeps going. " * 200).strip()  # ~7,000 characters
    group = Group(str(world.guild.id), "g", "discord")
    await chat.post(group, Channel(str(general), "general", group.id), Reply.public(text))
    posts = fake.calls("POST", rf"/channels/{general}/messages")
    assert len(posts) == 4 and all(len(p.body["content"]) <= 2000 for p in posts)
    assert "".join(p.body["content"] for p in posts) == text


async def test_reconnect_and_resume_keep_the_session(world: World) -> None:
    fake = world.fake
    await fake.send_op(7)  # RECONNECT: the client must RESUME on resume_gateway_url
    await fake.wait_for(lambda: fake.resumes)
    assert fake.resumes[0]["session_id"] == "sess-0" and len(fake.identifies) == 1
    await fake.member_says(world.guild, "general", world.alex, "still here")
    await fake.wait_for(lambda: world.probe.seen)
    # a dropped socket: events sent while it is down are replayed on RESUME
    await fake.drop_connections(code=4000)
    await fake.member_says(world.guild, "general", world.alex, "sent while down")
    await fake.wait_for(lambda: len(fake.resumes) == 2, within=10)
    await fake.wait_for(lambda: len(world.probe.seen) == 2)
    assert world.probe.seen[1].text == "sent while down" and len(fake.identifies) == 1


async def test_automod_actions_are_counted_in_the_case_log(world: World) -> None:
    fake = world.fake
    general = str(world.guild.channels["general"])
    rule = str(fake.snowflake())

    def execution(action_type: int, metadata: dict[str, Any]) -> dict[str, Any]:
        return {"guild_id": str(world.guild.id), "action": {"type": action_type,
                                                            "metadata": metadata},
                "rule_id": rule, "rule_trigger_type": 1, "user_id": str(world.alex.id),
                "channel_id": general, "content": "a blocked word", "matched_keyword": "word",
                "matched_content": "word"}

    # one keyword rule firing once: Discord sends one event per action (block, then alert)
    await fake.dispatch("AUTO_MODERATION_ACTION_EXECUTION", execution(1, {}), world.guild.id)
    await fake.dispatch("AUTO_MODERATION_ACTION_EXECUTION",
                        execution(2, {"channel_id": general}), world.guild.id)
    await fake.wait_for(lambda: world.client.automod_seen == 2)
    moderation: Any = world.bot.feature("moderation")
    group = str(world.guild.id)

    async def merged() -> Any:
        found = await moderation.cases.member_cases(group, str(world.alex.id))
        return found if found and found[-1].amendments else None

    cases = await eventually(merged)
    assert [(c.action, c.source, c.rules) for c in cases] == [
        ("automod", "automod", ("automod.keyword",))]
    full = cases[0]
    assert rule in full.reason and "block_message" in full.reason
    assert any("send_alert_message" in a.body for a in full.amendments)
    assert full.text is None  # the member's text is never kept by default
    strikes = await moderation.cases.effective_strikes(group, str(world.alex.id),
                                                       world.bot.services.clock.now(), 30)
    assert strikes == 0  # Discord acted on its own rules: no strike of ours


async def test_two_shard_processes_split_the_guilds(config: Config, fake: FakeDiscord,
                                                    clock: FakeClock, tmp_path: Any) -> None:
    guilds = [fake.add_guild(f"group {i}") for i in range(6)]
    other = Config(database=str(tmp_path / "shard1.db"))
    async with running(config, fake, clock, shard_ids=[0], shard_count=2) as (c0, *_), \
            running(other, fake, clock, shard_ids=[1], shard_count=2) as (c1, *_):
        ids0 = {g.id for g in c0.guilds}
        ids1 = {g.id for g in c1.guilds}
    assert ids0 and ids1 and not ids0 & ids1
    assert ids0 | ids1 == {g.id for g in guilds}
    assert all(c0.owns_group(str(g)) and not c1.owns_group(str(g)) for g in ids0)
    assert sorted(s["shard"] for s in fake.identifies) == [[0, 2], [1, 2]]
    assert set(fake.commands) == ids0 | ids1  # each process synced its own guilds


async def test_missing_privileged_intents_stop_with_the_portal_switch(
        config: Config, clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    fake = await FakeDiscord(portal_intents=("members",)).start()
    try:
        point_at(config, fake)
        config.secrets["DISCORD_TOKEN"] = Secret(fake.token)
        args = argparse.Namespace(shard_ids=None, shard_count=None, sync_global=False)
        code = await asyncio.wait_for(run_discord(config, args, clock=clock, client_options={
            "identify_delay": 0, "guild_ready_timeout": 0.05}), 10)
    finally:
        await fake.stop()
    err = capsys.readouterr().err
    assert code == 2
    assert "Message Content Intent" in err and "Server Members Intent" not in err
    assert "developer portal" in err


async def test_bad_token_stops_with_a_clear_message(config: Config, clock: FakeClock,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    fake = await FakeDiscord().start()
    try:
        point_at(config, fake)
        config.secrets["DISCORD_TOKEN"] = Secret("not-the-token")
        code = await run_discord(config, argparse.Namespace(), clock=clock)
    finally:
        await fake.stop()
    err = capsys.readouterr().err
    assert code == 2 and "rejected DISCORD_TOKEN" in err and "not-the-token" not in err
    assert fake.identifies == []


async def test_the_guard_refuses_other_hosts() -> None:
    import aiohttp

    violations: list[str] = []
    async with aiohttp.ClientSession(trace_configs=[loopback_trace(violations)]) as s:
        with pytest.raises(RuntimeError, match="127.0.0.1"):
            await s.get("https://discord.com/api/v10/gateway")
    assert violations == ["GET https://discord.com/api/v10/gateway"]

