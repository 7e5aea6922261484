"""Held for review on the real discord.py against the local fake Discord: a threat is removed
at once and its author gets their copy by DM; a moderator restores it (reposted with
attribution, no one pinged, no strike) or confirms the removal (the strike counts then)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.core.ports import FakeClock
from tests.fakes.discord_fake import FakeDiscord, FakeGuild
from tests.platforms.discord.test_e2e import running
from tests.platforms.discord.test_features import answer, dms_to, member, posts_in, text_of

THREAT = "I will hurt you, robin"
SECOND = "watch your back"


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


async def _strikes(bot: Bot, guild: FakeGuild, who_id: int) -> list[tuple[int, float]]:
    rows = await bot.services.store.db.fetchall(
        "SELECT case_number, weight FROM mod_strikes WHERE group_id = ? AND member_id = ? "
        "ORDER BY id", (str(guild.id), str(who_id)))
    return [(int(r[0]), float(r[1])) for r in rows]


async def _hold(bot: Bot, guild: FakeGuild, item: int) -> tuple[Any, ...]:
    row = await bot.services.store.db.fetchone(
        "SELECT outcome, resolved_by, text FROM mod_holds WHERE group_id = ? AND item_number = ?",
        (str(guild.id), item))
    assert row is not None
    return tuple(row)


def content(reply: dict[str, Any]) -> str:
    return str(reply["data"].get("content") or "") + " ".join(
        str(e.get("description", "")) for e in reply["data"].get("embeds") or [])


async def test_on_discord_a_threat_is_held_then_restored_and_another_confirmed(
        config: Config, fake: FakeDiscord, clock: FakeClock, guild: FakeGuild) -> None:
    alex, robin = member(guild, "alex"), member(guild, "robin")
    general = guild.channels["general"]
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        sent = await fake.member_says(guild, "general", alex, THREAT)
        [alert] = await fake.wait_for(lambda: posts_in(fake, guild, "mod-log"))
        held = await fake.wait_for(lambda: len(dms_to(fake, alex)) == 2 and dms_to(fake, alex))
        refused = await answer(fake, await fake.slash(guild, "general", alex,
                                                      "mod queue restore", id=1))
        queue = await answer(fake, await fake.slash(guild, "general", robin, "mod queue list"))
        assert await _strikes(bot, guild, alex.id) == []
        await clock.advance(timedelta(minutes=10))
        restored = await answer(fake, await fake.slash(guild, "general", robin,
                                                       "mod queue restore", id=1))
        [repost] = await fake.wait_for(lambda: posts_in(fake, guild, "general"))
        told = await fake.wait_for(lambda: len(dms_to(fake, alex)) == 3 and dms_to(fake, alex))
        assert await _strikes(bot, guild, alex.id) == []  # restored: never a strike
        first = await _hold(bot, guild, 1)

        second = await fake.member_says(guild, "general", alex, SECOND)
        await fake.wait_for(lambda: len(posts_in(fake, guild, "mod-log")) == 2)
        await fake.wait_for(lambda: len(dms_to(fake, alex)) == 5)
        assert await _strikes(bot, guild, alex.id) == []  # held: not yet
        confirmed = await answer(fake, await fake.slash(guild, "general", robin,
                                                        "mod queue confirm", id=2,
                                                        note="a real threat"))
        told_again = await fake.wait_for(lambda: len(dms_to(fake, alex)) == 6
                                         and dms_to(fake, alex))
        counted = await _strikes(bot, guild, alex.id)
        last = await _hold(bot, guild, 2)
    # held: removed at once, the author's own copy by DM, the moderators told without it
    assert (general, int(sent["id"])) in fake.deleted
    assert (general, int(second["id"])) in fake.deleted
    assert "I've held your message in #general" in text_of(held[0])
    assert text_of(held[1]).strip() == THREAT
    assert f"Case 1: hold for <@{alex.id}>" in text_of(alert)
    assert "/mod queue restore 1" in text_of(alert) and THREAT not in text_of(alert)
    assert "discord.com/channels" not in text_of(alert)  # removed: nothing to link to
    # only moderators decide; they see the held text privately
    assert int(refused["data"]["flags"]) & 64
    assert "/mod queue restore is for moderators" in content(refused)
    assert int(queue["data"]["flags"]) & 64
    assert "(held message)" in content(queue) and THREAT in content(queue)
    # restored: reposted with attribution, nobody pinged, the author told
    assert int(restored["data"]["flags"]) & 64 and "Restored item 1" in content(restored)
    assert text_of(repost) == (f"Restored by the moderators: a message from <@{alex.id}>, "
                               f"held at 08:00 UTC:\n{THREAT}")
    assert repost.body is not None and repost.body["allowed_mentions"]["parse"] == []
    assert "put it back" in text_of(told[-1]) and "No strike" in text_of(told[-1])
    assert first == ("restored", str(robin.id), None)
    # confirmed: the strike counts now, the author told, the held text erased
    assert "Confirmed the removal for item 2" in content(confirmed)
    assert "a strike of 3 counted" in content(confirmed)
    assert counted == [(2, 3.0)]
    assert "confirmed that it stays removed" in text_of(told_again[-1])
    assert last == ("confirmed", str(robin.id), None)
    assert len(posts_in(fake, guild, "general")) == 1  # only the restored message
