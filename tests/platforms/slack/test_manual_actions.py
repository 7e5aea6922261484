"""Moderators acting through the bot on the real slack-bolt and slack_sdk against the local
fake Slack. Slack lets no bot delete a member's message or time anyone out: the bot says so
plainly to the moderator, records the case with its moderator, tells the member privately,
and alerts the moderators. A message is named by its permalink (as Slack sends it in a slash
command, `<url>`), and its author is found from the channel's history or its thread."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from groupbot.config import Config
from groupbot.core.ports import FakeClock
from tests.fakes.slack_fake import FakeSlack
from tests.platforms.slack.test_features import moderation_of, running, texts


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = await FakeSlack().start()
    f.add_user("alex")
    f.add_user("robin")  # the configured moderator (see `running`)
    yield f
    await f.stop()
    assert f.unknown_methods == [], f"the adapter called methods the fake lacks: " \
                                    f"{f.unknown_methods}"


def permalink(fake: FakeSlack, channel: str, msg: dict[str, Any]) -> str:
    """The permalink Slack's "Copy link" gives (a reply's names its thread)."""
    cid = fake.channels[channel]
    link = f"https://{fake.team}.slack.com/archives/{cid}/p{msg['ts'].replace('.', '')}"
    if msg.get("thread_ts") and msg["thread_ts"] != msg["ts"]:
        link += f"?thread_ts={msg['thread_ts']}&cid={cid}"
    return link


async def test_a_timeout_on_slack_says_it_cannot_and_records_the_case(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin = fake.users["alex"], fake.users["robin"]
    async with running(config, fake, clock) as session:
        reply = await fake.answer(await fake.slash(robin, "general",
                                                   "mod timeout @alex 2h please step back"))
        told = await fake.wait_for(lambda: fake.dms_to(alex))
        alerted = await fake.wait_for(lambda: fake.dms_to(robin))  # no mod-log set yet
        cases = await moderation_of(session.bot).cases.member_cases(f"slack:{fake.team_id}",
                                                                   alex.id)
    said = texts(reply)
    assert reply[0]["response_type"] == "ephemeral"
    assert "Slack does not let bots time members out: the case is recorded, please pause " \
           f"<@{alex.id}> in Slack yourself" in said
    assert "asked you to take a break from posting for 2 hours" in texts(told)
    assert "please step back" in texts(told) and "/appeal 1" in texts(told)
    # nothing was carried out: the moderator log does not say "timed out"
    assert f"Case 1: <@{robin.id}> asked to time out <@{alex.id}> for 2 hours" in texts(alerted)
    assert [(c.action, c.created_by, c.reason) for c in cases] == [
        ("timeout", robin.id, "please step back")]
    assert any("Slack does not let bots time members out" in a.body
               for a in cases[0].amendments)


async def test_untimeout_on_slack_says_there_is_nothing_of_mine_to_lift(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin = fake.users["alex"], fake.users["robin"]
    async with running(config, fake, clock) as session:
        await fake.answer(await fake.slash(robin, "general", "mod timeout @alex 1h cool off"))
        reply = await fake.answer(await fake.slash(robin, "general", "mod untimeout @alex"))
        cases = await moderation_of(session.bot).cases.member_cases(f"slack:{fake.team_id}",
                                                                   alex.id)
    assert "so there is no timeout of mine to lift: the case is recorded" in texts(reply)
    assert "please lift that in Slack" in texts(reply)
    assert [(c.action, c.created_by) for c in cases] == [
        ("timeout", robin.id), ("untimeout", robin.id)]
    assert "lifted your timeout (case 2)" in texts(fake.dms_to(alex))
    first = cases[0].amendments
    assert any(a.body.startswith("timeout lifted by a moderator (case 2); recorded only, as Slack "
                                 "does not let bots time members out") for a in first)


async def test_remove_by_a_slack_permalink_records_the_author_and_asks_the_moderator(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin = fake.users["alex"], fake.users["robin"]
    async with running(config, fake, clock) as session:
        msg = await fake.say(alex, "general", "selling my old bike, dm me")
        link = permalink(fake, "general", msg)
        reply = await fake.answer(await fake.slash(robin, "general",
                                                   f"mod remove <{link}> no selling here"))
        told = await fake.wait_for(lambda: fake.dms_to(alex))
        cases = await moderation_of(session.bot).cases.member_cases(f"slack:{fake.team_id}",
                                                                   alex.id)
    said = texts(reply)
    assert "Slack does not let bots delete members' messages: the case is recorded, please " \
           f"delete the message in Slack yourself: {link}" in said
    assert fake.deleted == [] and fake.called("chat.delete") == []
    history = fake.called("conversations.history")[-1].args
    assert (history["channel"], history["latest"], history["oldest"]) == (
        fake.channels["general"], msg["ts"], msg["ts"])
    assert "goes against this group's guidelines (case 1)" in texts(told)
    assert "please edit or delete it yourself" in texts(told) and "no selling here" in texts(told)
    assert [(c.action, c.member_id, c.created_by, c.message_id, c.channel_id) for c in cases] \
        == [("remove", alex.id, robin.id, msg["ts"], fake.channels["general"])]


async def test_remove_a_reply_inside_a_thread_by_its_permalink(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin = fake.users["alex"], fake.users["robin"]
    async with running(config, fake, clock) as session:
        parent = await fake.say(robin, "general", "how was everyone's week?")
        reply_msg = await fake.say(alex, "general", "buy my course at example dot com",
                                   thread_ts=parent["ts"])
        link = permalink(fake, "general", reply_msg)
        answer = await fake.answer(await fake.slash(robin, "general",
                                                    f"mod remove <{link}> advertising"))
        cases = await moderation_of(session.bot).cases.member_cases(f"slack:{fake.team_id}",
                                                                   alex.id)
    assert "?thread_ts=" in link
    assert fake.called("conversations.replies")[-1].args["ts"] == reply_msg["ts"]
    assert "the case is recorded" in texts(answer)
    assert [(c.action, c.message_id) for c in cases] == [("remove", reply_msg["ts"])]


async def test_slack_refuses_a_moderators_message_an_unknown_one_and_the_bot(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin = fake.users["alex"], fake.users["robin"]
    pat = fake.add_user("pat", admin=True)  # a workspace admin: a moderator by default
    async with running(config, fake, clock) as session:
        by_pat = await fake.say(pat, "general", "welcome, everyone")
        a_mods = await fake.answer(await fake.slash(
            robin, "general", f"mod remove <{permalink(fake, 'general', by_pat)}>"))
        unknown = await fake.answer(await fake.slash(robin, "general",
                                                     "mod remove 1772438999.000001"))
        the_bot = await fake.answer(await fake.slash(robin, "general",
                                                     "mod timeout @groupbot 1h"))
        by_member = await fake.answer(await fake.slash(alex, "general",
                                                       "mod timeout @robin 1h"))
        found = await moderation_of(session.bot).cases.find(f"slack:{fake.team_id}")
    assert f"by <@{pat.id}>, a moderator: I won't remove a moderator's message" in texts(a_mods)
    assert "I can't find that message in #general" in texts(unknown)
    assert "I won't time out a bot" in texts(the_bot)
    assert "/mod timeout is for moderators" in texts(by_member)
    assert found == ([], 0)
