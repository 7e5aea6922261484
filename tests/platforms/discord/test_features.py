"""The real features on the real discord.py against the local fake Discord.

No probe feature here: moderation (the real engine and ladder), schedules, prompts and
check-ins run exactly as `open_bot` builds them, and every effect is read back from the fake's
REST log and the SQLite file.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.core.errors import Undeliverable
from groupbot.core.ports import FakeClock
from groupbot.core.types import Group, Member, Reply
from groupbot.platforms.discord import GroupbotClient
from tests.conftest import DISTRESS, Handled, with_distress_rule
from tests.fakes.discord_fake import FakeDiscord, FakeGuild, FakeMember, Recorded
from tests.platforms.discord.test_e2e import running

INSULT = "robin you worthless idiot"
CRISIS = "I don't want to be here anymore, I'm going to end it"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    f = await FakeDiscord().start()
    yield f
    await f.stop()
    assert f.unknown_routes == [], f"the adapter called routes the fake lacks: {f.unknown_routes}"


@pytest.fixture
def guild(fake: FakeDiscord) -> FakeGuild:
    g = fake.add_guild("Thursday circle")
    fake.add_member(g, "alex")
    fake.add_member(g, "robin", roles=("moderator",))
    return g


def member(guild: FakeGuild, name: str) -> FakeMember:
    return guild.members[name]


def dms_to(fake: FakeDiscord, who: FakeMember) -> list[Recorded]:
    return [r for r in fake.calls("POST", r"/channels/\d+/messages")
            if fake.dm_channels.get(int(r.path.split("/")[2])) == who.id and r.status == 200]


def posts_in(fake: FakeDiscord, guild: FakeGuild, channel: str) -> list[Recorded]:
    cid = guild.channels[channel]
    return [r for r in fake.calls("POST", rf"/channels/{cid}/messages") if r.status == 200]


def text_of(r: Recorded) -> str:
    return body_text(r.body)


def body_text(body: dict[str, Any] | None) -> str:
    """A message body's content and embeds, as one string."""
    body = body or {}
    embeds = body.get("embeds") or []
    return " ".join([body.get("content") or ""] + [
        f"{e.get('title', '')} {e.get('description', '')}" for e in embeds])


async def answer(fake: FakeDiscord, token: str) -> dict[str, Any]:
    body: dict[str, Any] = await fake.wait_for(lambda: fake.callbacks[token]
                                               and fake.callbacks[token][0])
    return body


def moderation_of(bot: Bot) -> Any:
    found = bot.feature("moderation")
    assert found is not None
    return found


# -- moderation ------------------------------------------------------------------------------
async def test_targeted_insult_is_removed_text_dmed_and_a_case_opened(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    alex = member(guild, "alex")
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        sent = await fake.member_says(guild, "general", alex, INSULT)
        alerts = await fake.wait_for(lambda: posts_in(fake, guild, "mod-log"))
        dms = dms_to(fake, alex)
        cases = await moderation_of(bot).cases.find_by_message(str(guild.id), sent["id"])
    assert (guild.channels["general"], int(sent["id"])) in fake.deleted
    assert "I removed your message in #general (case 1)" in text_of(dms[0])
    assert text_of(dms[1]).strip() == INSULT  # the author's own words, so nothing is lost
    assert [(c.action, c.categories, c.source) for c in cases] == [
        ("remove", ("harassment",), "message")]
    assert "Case 1: remove" in text_of(alerts[0]) and f"<@{alex.id}>" in text_of(alerts[0])
    assert "discord.com/channels" not in text_of(alerts[0])  # removed: nothing to link to
    assert posts_in(fake, guild, "general") == []  # nothing said in public


async def test_repeated_insults_climb_the_ladder_to_a_timeout(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    alex = member(guild, "alex")
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        await fake.member_says(guild, "general", alex, INSULT)
        await fake.wait_for(lambda: len(posts_in(fake, guild, "mod-log")) == 1)
        assert fake.calls("PATCH", r"/guilds/\d+/members/\d+") == []  # 2 points: below 4
        await clock.advance(timedelta(minutes=5))
        # two strikes of 2, five minutes apart: 3.9998 after decay, shown to moderators as
        # 4.0, so the threshold of 4 is reached as they see it
        await fake.member_says(guild, "general", alex, "shut up you stupid moron")
        patches = await fake.wait_for(lambda: fake.calls("PATCH", r"/guilds/\d+/members/\d+"))
        await fake.wait_for(lambda: len(posts_in(fake, guild, "mod-log")) == 2)
        now = bot.services.clock.now()
        cases = await moderation_of(bot).cases.member_cases(str(guild.id), str(alex.id))
    assert patches[0].path == f"/guilds/{guild.id}/members/{alex.id}"
    until = datetime.fromisoformat(patches[0].body["communication_disabled_until"])
    assert until == now + timedelta(minutes=60)  # the policy's timeout step
    reason = urllib.parse.unquote(patches[0].headers["X-Audit-Log-Reason"])
    assert reason.startswith("case 2:")
    # the ladder did it: each verdict was only "remove", and the second case, which reached
    # the threshold, is labelled the timeout it became
    assert [c.action for c in cases] == ["remove", "timeout"]
    assert len(fake.deleted) == 2
    assert "paused them until" in text_of(posts_in(fake, guild, "mod-log")[1])
    assert any("paused from posting" in text_of(d) for d in dms_to(fake, alex))


async def test_crisis_message_is_answered_privately_and_nothing_is_removed(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    alex = member(guild, "alex")
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        sent = await fake.member_says(guild, "general", alex, CRISIS)
        alerts = await fake.wait_for(lambda: posts_in(fake, guild, "mod-log"))
        dm = dms_to(fake, alex)[0]
        # the member asks for a moderator with the button on the private message
        reach = next(c["custom_id"] for row in dm.body["components"]
                     for c in row["components"] if c["custom_id"].startswith("gb:care:reach:"))
        token = await fake.click(guild, "general", alex, reach)
        reply = await answer(fake, token)
        await fake.wait_for(lambda: len(posts_in(fake, guild, "mod-log")) == 2)
        cases = await moderation_of(bot).cases.find_by_message(str(guild.id), sent["id"])
        strikes = await _strikes(bot, guild, alex)
    assert fake.deleted == [] and fake.calls("PATCH", r"/guilds/\d+/members/\d+") == []
    assert posts_in(fake, guild, "general") == []
    assert "You're not alone" in text_of(dm) and "not a therapist" in text_of(dm)
    assert "Support" in text_of(alerts[0]) and CRISIS not in text_of(alerts[0])
    assert "haven't removed anything" in text_of(alerts[0])
    channel = guild.channels["general"]
    assert f"https://discord.com/channels/{guild.id}/{channel}/{sent['id']}" in text_of(alerts[0])
    assert int(reply["data"]["flags"]) & 64 and "let the moderators know" in \
        reply["data"]["content"]
    assert [(c.action, c.text) for c in cases] == [("support", None)]  # never kept
    assert strikes == 0


def dm_attempts(fake: FakeDiscord, who: FakeMember) -> list[Recorded]:
    """Every direct message the bot tried to send `who`, delivered or refused."""
    return [r for r in fake.calls("POST", r"/channels/\d+/messages")
            if fake.dm_channels.get(int(r.path.split("/")[2])) == who.id]


async def test_a_care_note_to_closed_dms_leaves_no_trace_and_is_not_recorded(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    alex = member(guild, "alex")
    fake.dm_closed.add(alex.id)
    async with running(with_distress_rule(config), fake, clock,
                       with_probe=False) as (_c, chat, bot, _p):
        done = Handled(bot)
        await fake.member_says(guild, "general", alex, DISTRESS)
        await done.wait(1)
        refused = dm_attempts(fake, alex)
        kept = dict(chat.undelivered)
        noted = await moderation_of(bot).cases.last_care_note(str(guild.id), str(alex.id))
        # once their DMs are open, the next message showing distress gets the note
        fake.dm_closed.discard(alex.id)
        await fake.member_says(guild, "general", alex, DISTRESS)
        await done.wait(2)
        noted_then = await moderation_of(bot).cases.last_care_note(str(guild.id), str(alex.id))
    assert [r.status for r in refused] == [403]  # the care note was tried, privately only
    assert posts_in(fake, guild, "general") == []  # no "I have a private note for you"
    assert posts_in(fake, guild, "mod-log") == []  # and no moderator alert
    assert kept == {} and noted is None  # nothing kept for a button; the window not started
    delivered = dms_to(fake, alex)
    assert len(delivered) == 1 and "Just checking in" in text_of(delivered[0])
    assert DISTRESS not in text_of(delivered[0])
    assert noted_then == clock.now()


async def test_a_crisis_reply_to_closed_dms_still_falls_back_to_a_mention(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    alex = member(guild, "alex")
    fake.dm_closed.add(alex.id)
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, _bot, _p):
        await fake.member_says(guild, "general", alex, CRISIS)
        mention = (await fake.wait_for(lambda: posts_in(fake, guild, "general")))[0]
        alert = (await fake.wait_for(lambda: posts_in(fake, guild, "mod-log")))[0]
        button = mention.body["components"][0]["components"][0]["custom_id"]
        shown = await answer(fake, await fake.click(guild, "general", alex, button))
    assert [r.status for r in dm_attempts(fake, alex)] == [403]
    assert f"<@{alex.id}>" in text_of(mention) and CRISIS not in text_of(mention)
    note = body_text(shown["data"])
    assert "You're not alone" in note and "not a therapist" in note
    assert shown["data"]["flags"] & 64  # shown only to them
    assert "I sent them support resources privately" in text_of(alert)


async def test_a_crisis_reply_that_reached_no_one_is_not_reported_as_sent(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    """Closed DMs, and the member has not posted since the bot started: there is nowhere to
    mention them, so nothing reached them. The moderators are told exactly that, and the
    member waits in the queue as a crisis request."""
    alex, robin = member(guild, "alex"), member(guild, "robin")
    fake.dm_closed.add(alex.id)
    async with running(config, fake, clock, with_probe=False) as (_c, chat, bot, _p):
        group = Group(str(guild.id), guild.name, "discord")
        with pytest.raises(Undeliverable):
            await chat.send_private(group, Member(str(alex.id), "alex"),
                                    Reply.private("a note"))
        # a check-in's crisis note, from someone the bot has not seen post
        await moderation_of(bot).care_for(group, Member(str(alex.id), "alex"),
                                          "mood 1, I can't go on", "checkin")
        alert = (await fake.wait_for(lambda: posts_in(fake, guild, "mod-log")))[0]
        warned = await answer(fake, await fake.slash(guild, "general", robin, "mod warn",
                                                     member=alex, reason="please be kind"))
        queue = await answer(fake, await fake.slash(guild, "general", robin,
                                                    "mod queue list"))
    assert [r.status for r in dm_attempts(fake, alex)] == [403, 403, 403]
    assert posts_in(fake, guild, "general") == []  # no mention: nowhere was known
    assert "I sent them support resources privately" not in text_of(alert)
    assert "could NOT reach them privately" in text_of(alert)
    assert "/mod queue claim 1" in text_of(alert)
    assert "could not message the member privately" in warned["data"]["content"]
    assert "Item 1 (crisis request)" in body_text(queue["data"])
    assert "could not reach them privately" in body_text(queue["data"])


async def test_an_alert_without_a_modlog_reaches_moderators_by_dm_and_waits_in_the_queue(
        config: Config, fake: FakeDiscord, clock: FakeClock) -> None:
    quiet = fake.add_guild("Quiet circle", channels=("general",))  # no mod-log channel
    alex = fake.add_member(quiet, "alex")
    robin = fake.add_member(quiet, "robin", roles=("moderator",))
    sam = fake.add_member(quiet, "sam", roles=("Helpers",))  # Manage Messages
    async with running(config, fake, clock, with_probe=False):
        await fake.member_says(quiet, "general", alex, INSULT)
        to_robin = await fake.wait_for(lambda: dms_to(fake, robin))
        to_sam = await fake.wait_for(lambda: dms_to(fake, sam))
        queue = await answer(fake, await fake.slash(quiet, "general", robin, "mod queue list"))
        refused = await answer(fake, await fake.slash(quiet, "general", alex,
                                                      "mod queue claim", id=1))
        claimed = await answer(fake, await fake.slash(quiet, "general", sam,
                                                      "mod queue claim", id=1))
    for got in (to_robin, to_sam):
        assert len(got) == 1 and "Case 1: remove" in text_of(got[0])
        assert "no moderator log channel is set" in text_of(got[0])
        assert INSULT not in text_of(got[0])
    assert not any("Case 1: remove" in text_of(d) for d in dms_to(fake, alex))
    assert "Item 1 (alert)" in body_text(queue["data"])
    assert int(queue["data"]["flags"]) & 64
    assert "/mod queue claim is for moderators" in refused["data"]["content"]
    assert "Item 1 is yours" in claimed["data"]["content"]


async def _strikes(bot: Bot, guild: FakeGuild, who: FakeMember) -> float:
    async with bot.services.store.db.transaction() as conn:
        async with conn.execute("SELECT COUNT(*) FROM mod_strikes WHERE group_id = ? AND "
                                "member_id = ?", (str(guild.id), str(who.id))) as cur:
            row = await cur.fetchone()
    return float(row[0]) if row else 0.0


async def test_non_moderator_is_refused_and_a_moderator_warns(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    alex, robin = member(guild, "alex"), member(guild, "robin")
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        refused = await answer(fake, await fake.slash(guild, "general", alex, "mod warn",
                                                      member=robin, reason="be nicer"))
        assert await moderation_of(bot).cases.member_cases(str(guild.id), str(robin.id)) == []
        done = await answer(fake, await fake.slash(guild, "general", robin, "mod warn",
                                                   member=alex, reason="please be kind"))
        warned = await moderation_of(bot).cases.member_cases(str(guild.id), str(alex.id))
    assert int(refused["data"]["flags"]) & 64
    assert "/mod warn is for moderators" in refused["data"]["content"]
    assert int(done["data"]["flags"]) & 64 and "Case 1: warned @alex" in done["data"]["content"]
    assert [(c.action, c.created_by) for c in warned] == [("warn", str(robin.id))]
    assert "please be kind" in text_of(dms_to(fake, alex)[0])


# -- schedules -------------------------------------------------------------------------------
async def add_schedule(fake: FakeDiscord, guild: FakeGuild, when: str) -> str:
    reply = await answer(fake, await fake.slash(guild, "general", member(guild, "robin"),
                                                "mod schedule add", channel="#general",
                                                when=when))
    content = str(reply["data"]["content"])
    assert content.startswith("Schedule "), content
    return content


async def ledger(bot: Bot) -> list[tuple[Any, ...]]:
    rows = await bot.services.store.db.fetchall(
        "SELECT schedule_id, occurrence, state, claimed_by, message_id "
        "FROM schedule_occurrences ORDER BY schedule_id, occurrence")
    return [tuple(r) for r in rows]


async def test_scheduled_prompt_posts_once_with_a_thread_across_a_restart(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        said = await add_schedule(fake, guild, "daily 09:00")
        assert said.startswith("Schedule 1: prompts in #general") and said.count("\n•") == 3
        await clock.advance(timedelta(hours=1))  # 09:00 UTC
        await bot.idle()
        first_run = await ledger(bot)
    posts = posts_in(fake, guild, "general")
    assert len(posts) == 1 and posts[0].body.get("embeds")
    nonce = posts[0].body["nonce"]
    assert posts[0].body["enforce_nonce"] and len(nonce) <= 25
    assert len(fake.threads) == 1 and first_run[0][2] == "posted"
    # the same database, a new process, the clock still inside the grace window
    await clock.advance(timedelta(minutes=10))
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        await bot.idle()
        assert len(posts_in(fake, guild, "general")) == 1  # the restart did not double-post
        await clock.advance(timedelta(days=1))  # the next day's occurrence
        await bot.idle()
        second_run = await ledger(bot)
    posts = posts_in(fake, guild, "general")
    assert len(posts) == 2 and posts[1].body["nonce"] != nonce
    assert [r[2] for r in second_run] == ["posted", "posted"] and len(fake.threads) == 2


async def crash_before_recording(config: Config, fake: FakeDiscord, clock: FakeClock,
                                 guild: FakeGuild) -> list[Recorded]:
    """Post a scheduled prompt, then "die" before the post is recorded."""
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        await add_schedule(fake, guild, "daily 09:00")
        schedules: Any = bot.feature("schedules")

        async def crash(*_a: Any, **_k: Any) -> None:
            raise RuntimeError("the process died before recording the post")

        schedules.repo.mark_posted = crash
        await clock.advance(timedelta(hours=1))
        await bot.idle()
        assert [r[2] for r in await ledger(bot)] == ["claimed"]
    first = posts_in(fake, guild, "general")
    assert len(first) == 1
    return first


def marker_of(r: Recorded) -> str:
    [marker] = [c["custom_id"] for row in r.body["components"] for c in row["components"]
                if c["custom_id"].startswith("gbd:post:")]
    return str(marker)


async def test_a_crash_between_posting_and_recording_is_found_in_the_history(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    first = await crash_before_recording(config, fake, clock, guild)
    key = marker_of(first[0]).removeprefix("gbd:post:")
    for _ in range(3):  # the channel moves on meanwhile
        await fake.member_says(guild, "general", member(guild, "alex"), "good morning all")
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        await clock.advance(timedelta(minutes=2))  # past the claim's lease, inside the grace
        await bot.idle()
        rows = await ledger(bot)
        stats = bot.feature("schedules").dispatcher.stats  # type: ignore[union-attr]
    assert len(posts_in(fake, guild, "general")) == 1  # found, so not sent again
    assert fake.calls("GET", rf"/channels/{guild.channels['general']}/messages")
    bot_posts = [m for m in fake.messages.values()
                 if m["channel_id"] == str(guild.channels["general"]) and m.get("nonce")]
    assert len(bot_posts) == 1 and len(fake.threads) == 1
    assert rows[0][2] == "posted" and rows[0][4] == bot_posts[0]["id"]
    assert stats.recovered == 1
    assert key.startswith(f"gb{rows[0][0]}.")  # the occurrence's key, carried by the button


async def test_a_copy_of_the_marker_by_someone_else_is_not_taken_for_the_post(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    first = await crash_before_recording(config, fake, clock, guild)
    # another bot (here: a member's message, as the history shows it) copies the button id,
    # after the real post, so the newest-first search meets the copy first
    copy = fake.message_payload(guild, "general", member(guild, "alex"), "look at this")
    copy["components"] = [{"type": 1, "components": [
        {"type": 2, "style": 2, "label": "About this post", "custom_id": marker_of(first[0])}]}]
    fake.messages[int(copy["id"])] = copy
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        await clock.advance(timedelta(minutes=2))
        await bot.idle()
        rows = await ledger(bot)
    [real] = [m for m in fake.messages.values() if m.get("nonce")]
    assert rows[0][2] == "posted" and rows[0][4] == real["id"] != copy["id"]
    assert len(posts_in(fake, guild, "general")) == 1


async def test_a_scheduled_post_carries_a_marker_button_that_explains_itself(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        await add_schedule(fake, guild, "daily 09:00")
        await clock.advance(timedelta(hours=1))
        await bot.idle()
        [post] = posts_in(fake, guild, "general")
        marker = marker_of(post)
        message = next(m for m in fake.messages.values()
                       if m.get("nonce") == post.body["nonce"])
        click = await fake.click(guild, "general", member(guild, "alex"), marker, message)
        reply = await answer(fake, click)
    assert marker.startswith("gbd:post:gb1.") and len(marker) <= 100
    assert int(reply["data"]["flags"]) & 64  # only the member who pressed it sees this
    assert "scheduled post" in reply["data"]["content"]
    assert "no longer in use" not in reply["data"]["content"]


async def test_without_the_history_the_same_nonce_and_content_are_sent_again(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    first = await crash_before_recording(config, fake, clock, guild)
    cid = guild.channels["general"]
    fake.fault("GET", rf"/channels/{cid}/messages", 403,
               {"message": "Missing Access", "code": 50001})
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        await clock.advance(timedelta(minutes=2))
        await bot.idle()
        rows = await ledger(bot)
    attempts = posts_in(fake, guild, "general")
    assert len(attempts) == 2
    assert attempts[1].body["nonce"] == first[0].body["nonce"]
    assert attempts[1].body["enforce_nonce"] is True
    assert attempts[1].body["embeds"] == first[0].body["embeds"]  # the same prompt
    # Discord answered the repeat with the existing message: one message, one thread
    bot_posts = [m for m in fake.messages.values()
                 if m["channel_id"] == str(cid) and m.get("nonce")]
    assert len(bot_posts) == 1 and len(fake.threads) == 1
    assert rows[0][2] == "posted" and rows[0][4] == bot_posts[0]["id"]


async def test_without_the_history_and_past_the_nonce_window_moderators_are_asked(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    await crash_before_recording(config, fake, clock, guild)
    cid = guild.channels["general"]
    fake.fault("GET", rf"/channels/{cid}/messages", 403,
               {"message": "Missing Access", "code": 50001})
    await clock.advance(timedelta(minutes=10))  # down longer than Discord keeps a nonce
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        await bot.idle()
        rows = await ledger(bot)
        # settled at start, before the gateway named the channels: the moderation queue kept
        # the alert, and its next try reaches the moderator log
        await clock.advance(timedelta(minutes=5))
        await bot.idle()
        alerts = await fake.wait_for(lambda: posts_in(fake, guild, "mod-log"))
    assert len(posts_in(fake, guild, "general")) == 1  # not sent again: it may be there
    assert rows[0][2] == "uncertain"
    assert "cannot tell me whether it went out" in text_of(alerts[0])


async def test_two_shard_processes_run_only_their_own_guilds_schedules(
        config: Config, fake: FakeDiscord, clock: FakeClock) -> None:
    guilds = [fake.add_guild(f"group {i}") for i in range(4)]
    for g in guilds:
        fake.add_member(g, "robin", roles=("moderator",))
    by_shard: dict[int, list[FakeGuild]] = {0: [], 1: []}
    for g in guilds:
        by_shard[(g.id >> 22) % 2].append(g)
    assert by_shard[0] and by_shard[1]

    def shard(i: int) -> Any:  # both processes share one database file, like on one host
        return running(config, fake, clock, shard_ids=[i], shard_count=2, with_probe=False)

    async with shard(0) as (c0, _ch0, bot0, _p0), shard(1) as (c1, _ch1, bot1, _p1):
        for g in guilds:  # each guild's command reaches only the process that owns it
            await add_schedule(fake, g, "daily 09:00")
    # a restart of both: every schedule is in the shared database, each arms its own only
    async with shard(0) as (c0, _ch0, bot0, _p0), shard(1) as (c1, _ch1, bot1, _p1):
        d0: Any = bot0.feature("schedules")
        d1: Any = bot1.feature("schedules")
        assert d0.dispatcher.armed_count == len(by_shard[0])
        assert d1.dispatcher.armed_count == len(by_shard[1])
        await clock.advance(timedelta(hours=1))
        await bot0.idle()
        await bot1.idle()
        rows = await ledger(bot0)
        owner = {str(g.id): (c0 if g in by_shard[0] else c1) for g in guilds}
        ids = {c0: d0.dispatcher.instance_id, c1: d1.dispatcher.instance_id}
        sched_group = dict(await bot0.services.store.db.fetchall(
            "SELECT id, group_id FROM schedules"))
    assert all(len(posts_in(fake, g, "general")) == 1 for g in guilds)
    assert len(rows) == len(guilds) and all(r[2] == "posted" for r in rows)
    for schedule_id, _occ, _state, claimed_by, _msg in rows:
        client: GroupbotClient = owner[str(sched_group[schedule_id])]
        assert claimed_by == ids[client]  # posted by the process that owns the guild
    assert d0.dispatcher.stats.lost_races == d1.dispatcher.stats.lost_races == 0


# -- check-ins -------------------------------------------------------------------------------
async def test_checkin_mood_buttons_work_after_a_restart(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    alex, robin = member(guild, "alex"), member(guild, "robin")
    async with running(config, fake, clock, with_probe=False):
        done = await answer(fake, await fake.slash(guild, "general", robin, "mod checkin post",
                                                   channel="#general"))
        assert "Posted a check-in" in done["data"]["content"]
    post = posts_in(fake, guild, "general")[0]
    message = fake.messages[next(int(m) for m, v in fake.messages.items()
                                 if v.get("components") == post.body["components"])]
    ids = [c["custom_id"] for row in post.body["components"] for c in row["components"]]
    assert len(ids) == 5 and all(i.startswith("gb:checkin:mood:") for i in ids)
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        reply = await answer(fake, await fake.click(guild, "general", alex, ids[3], message))
        checkins: Any = bot.feature("checkins")
        checkin_id = int(ids[3].split(":")[3])
        answered = await checkins.repo.answered(checkin_id)
    assert int(reply["data"]["flags"]) & 64
    assert "I noted 4" in reply["data"]["content"]
    assert answered == {str(alex.id)}
    assert len(posts_in(fake, guild, "general")) == 1  # the answer was private
