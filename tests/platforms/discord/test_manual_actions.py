"""Moderators acting through the bot on the real discord.py against the local fake Discord:
timeouts (PATCH communication_disabled_until), lifting them (the same PATCH with null),
removing a message named by its link, and the Confirm and "Lift the timeout" buttons. Every
effect is read back from the fake's REST log and the case log."""

from __future__ import annotations

import urllib.parse
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from groupbot.config import Config
from groupbot.core.ports import FakeClock
from tests.fakes.discord_fake import FakeDiscord, FakeGuild, Recorded
from tests.platforms.discord.test_e2e import running
from tests.platforms.discord.test_features import (
    answer,
    body_text,
    dms_to,
    member,
    moderation_of,
    posts_in,
    text_of,
)

PATCH_MEMBER = r"/guilds/\d+/members/\d+"


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
    fake.add_member(g, "sam", roles=("Helpers",))  # Manage Messages: a moderator too
    return g


def patches(fake: FakeDiscord) -> list[Recorded]:
    return fake.calls("PATCH", PATCH_MEMBER)


def buttons_of(reply: dict[str, Any]) -> dict[str, str]:
    """label -> custom id, for the buttons on an interaction's answer."""
    return {c["label"]: c["custom_id"] for row in reply["data"].get("components") or []
            for c in row["components"]}


async def test_a_timeout_and_lifting_it_are_cases_by_the_moderator(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    alex, robin = member(guild, "alex"), member(guild, "robin")
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        timed = await answer(fake, await fake.slash(guild, "general", robin, "mod timeout",
                                                    member=alex, duration="2h",
                                                    reason="mocking a member's story"))
        until = clock.now() + timedelta(hours=2)
        alert = (await fake.wait_for(lambda: posts_in(fake, guild, "mod-log")))[0]
        lifted = await answer(fake, await fake.slash(guild, "general", robin, "mod untimeout",
                                                     member=alex))
        cases = await moderation_of(bot).cases.member_cases(str(guild.id), str(alex.id))
    first, second = patches(fake)
    assert first.path == f"/guilds/{guild.id}/members/{alex.id}"
    assert datetime.fromisoformat(first.body["communication_disabled_until"]) == until
    assert urllib.parse.unquote(first.headers["X-Audit-Log-Reason"]) == (
        "case 1: mocking a member's story")
    assert second.body == {"communication_disabled_until": None}  # Member.timeout(None)
    assert alex.timed_out_until is None
    assert fake.calls("GET", PATCH_MEMBER)  # untimeout asked Discord whether one was running
    assert int(timed["data"]["flags"]) & 64
    assert f"Case 1: <@{alex.id}> is timed out for 2 hours" in timed["data"]["content"]
    assert f"Case 2: lifted <@{alex.id}>'s timeout" in lifted["data"]["content"]
    told = [text_of(d) for d in dms_to(fake, alex)]
    assert "paused you from posting for 2 hours" in told[0] and "/appeal 1" in told[0]
    assert "lifted your timeout (case 2)" in told[1]
    assert f"Case 1: <@{robin.id}> timed out <@{alex.id}> for 2 hours" in text_of(alert)
    assert [(c.action, c.created_by) for c in cases] == [
        ("timeout", str(robin.id)), ("untimeout", str(robin.id))]


async def test_timeouts_refused_over_28_days_for_bots_and_for_moderators(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    alex, robin, sam = member(guild, "alex"), member(guild, "robin"), member(guild, "sam")
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        too_long = await answer(fake, await fake.slash(guild, "general", robin, "mod timeout",
                                                       member=alex, duration="29d"))
        the_bot = await answer(fake, await fake.slash(guild, "general", robin, "mod timeout",
                                                      member=fake.bot, duration="1h"))
        a_mod = await answer(fake, await fake.slash(guild, "general", robin, "mod timeout",
                                                    member=sam, duration="1h"))
        by_member = await answer(fake, await fake.slash(guild, "general", alex, "mod timeout",
                                                        member=robin, duration="1h"))
        cases = await moderation_of(bot).cases.find(str(guild.id))
    assert "at most 28 days" in too_long["data"]["content"]
    assert "Usage: /mod timeout <member> <duration> [reason]" in too_long["data"]["content"]
    assert "I won't time out a bot" in the_bot["data"]["content"]
    assert f"<@{sam.id}> is a moderator" in a_mod["data"]["content"]
    assert "/mod timeout is for moderators" in by_member["data"]["content"]
    assert patches(fake) == [] and cases == ([], 0)


async def test_remove_by_a_discord_link(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    alex, robin, sam = member(guild, "alex"), member(guild, "robin"), member(guild, "sam")
    general = guild.channels["general"]
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        sent = await fake.member_says(guild, "general", alex, "selling my old bike, dm me")
        by_sam = await fake.member_says(guild, "general", sam, "reminder: be kind")
        link = f"https://discord.com/channels/{guild.id}/{general}/{sent['id']}"
        removed = await answer(fake, await fake.slash(guild, "general", robin, "mod remove",
                                                      message=link, reason="no selling here"))
        alert = (await fake.wait_for(lambda: posts_in(fake, guild, "mod-log")))[-1]
        elsewhere = await answer(fake, await fake.slash(
            guild, "general", robin, "mod remove",
            message=f"https://discord.com/channels/999/{general}/{sent['id']}"))
        a_mods = await answer(fake, await fake.slash(
            guild, "general", robin, "mod remove",
            message=f"https://discord.com/channels/{guild.id}/{general}/{by_sam['id']}"))
        gone = await answer(fake, await fake.slash(guild, "general", robin, "mod remove",
                                                   message=link))
        cases = await moderation_of(bot).cases.find(str(guild.id))
    assert fake.deleted == [(general, int(sent["id"]))]
    assert fake.calls("GET", rf"/channels/{general}/messages/{sent['id']}")
    assert f"Case 1: removed the message by <@{alex.id}> in #general" in \
        removed["data"]["content"]
    note, copy = (text_of(d) for d in dms_to(fake, alex)[-2:])
    assert "removed your message in #general (case 1)" in note and "no selling here" in note
    assert copy.strip() == "selling my old bike, dm me"
    assert f"<@{robin.id}> removed a message by <@{alex.id}>" in text_of(alert)
    assert "another server" in elsewhere["data"]["content"]
    assert f"by <@{sam.id}>, a moderator: I won't remove a moderator's message" in \
        a_mods["data"]["content"]
    assert "I can't find that message" in gone["data"]["content"]
    found = cases[0]
    assert [(c.action, c.member_id, c.created_by, c.message_id) for c in found] == [
        ("remove", str(alex.id), str(robin.id), sent["id"])]


async def test_confirm_a_warning_then_a_pardon_offers_lift_the_timeout(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    """The default policy times out at 4 strikes: the 4th warning asks first (Confirm), and
    pardoning one of them leaves the timeout unearned (Lift the timeout)."""
    alex, robin = member(guild, "alex"), member(guild, "robin")
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        for n in range(3):
            await answer(fake, await fake.slash(guild, "general", robin, "mod warn",
                                                member=alex, reason=f"warning {n + 1}"))
        asked = await answer(fake, await fake.slash(guild, "general", robin, "mod warn",
                                                    member=alex, reason="warning 4"))
        before = list(patches(fake))
        confirmed = await answer(fake, await fake.click(guild, "general", robin,
                                                        buttons_of(asked)["Confirm"]))
        timed = list(patches(fake))
        pardoned = await answer(fake, await fake.slash(guild, "general", robin, "mod pardon",
                                                       member=alex, case=1))
        still = list(patches(fake))
        refused = await answer(fake, await fake.click(guild, "general", alex,
                                                      buttons_of(pardoned)["Lift the timeout"]))
        lifted = await answer(fake, await fake.click(guild, "general", robin,
                                                     buttons_of(pardoned)["Lift the timeout"]))
        cases = await moderation_of(bot).cases.member_cases(str(guild.id), str(alex.id))
    assert "timeout threshold at 4: it will time them out for 1 hour" in body_text(asked["data"])
    assert before == [] and len(timed) == 1  # nothing until Confirm
    assert "Case 4: warned @alex" in body_text(confirmed["data"])
    assert "no longer reach the timeout threshold at 4" in body_text(pardoned["data"])
    assert "I haven't lifted it" in body_text(pardoned["data"])
    assert len(still) == 1  # the pardon lifted nothing by itself
    assert "That button is for moderators." in body_text(refused["data"])
    assert "Case 5: lifted" in body_text(lifted["data"])
    assert patches(fake)[-1].body == {"communication_disabled_until": None}
    assert [(c.action, c.created_by) for c in cases] == [
        *[("warn", str(robin.id))] * 4, ("untimeout", str(robin.id))]


def _characters(node: dict[str, Any]) -> int:
    """What Discord counts towards a command's 8,000 characters: names, descriptions, choice
    names and values, all the way down."""
    own = len(str(node.get("name", ""))) + len(str(node.get("description", "")))
    own += sum(len(str(c["name"])) + len(str(c["value"])) for c in node.get("choices") or [])
    return own + sum(_characters(o) for o in node.get("options") or [])


async def test_the_grown_mod_command_stays_within_discords_limits(config: Config) -> None:
    from groupbot.platforms.console import ConsoleChat
    from groupbot.platforms.discord.render import render_commands
    from groupbot.runtime import open_bot

    async with open_bot(config, ConsoleChat(), start=False) as bot:
        payload = {c["name"]: c for c in render_commands(bot.registry)}
    mod = payload["mod"]
    names = {o["name"] for o in mod["options"]}
    assert {"timeout", "untimeout", "remove", "warn", "pardon"} <= names
    assert len(mod["options"]) <= 25 and _characters(mod) <= 8000
    warn = next(o for o in mod["options"] if o["name"] == "warn")
    assert [(o["name"], o["required"]) for o in warn["options"]] == [
        ("member", True), ("reason", True), ("confirm", False)]
