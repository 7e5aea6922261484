"""Held for review on the real slack-bolt against the local fake Slack, where a bot cannot
delete a member's message: the threat stays up and the moderators' alert says so (with a link),
the author is still told privately that a moderator will look, and the queue item is opened so
a moderator can settle it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from groupbot.config import Config
from groupbot.core.ports import FakeClock
from tests.fakes.slack_fake import FakeSlack
from tests.platforms.slack.test_features import moderation_of, running, texts

THREAT = "I will hurt you, robin"
SECOND = "watch your back"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = await FakeSlack().start()
    f.add_user("alex")
    f.add_user("robin")
    yield f
    await f.stop()
    assert f.unknown_methods == [], f"the adapter called methods the fake lacks: " \
                                    f"{f.unknown_methods}"


async def test_on_slack_a_held_threat_stays_up_the_alert_says_so_and_the_item_waits(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin = fake.users["alex"], fake.users["robin"]
    group_id = f"slack:{fake.team_id}"
    async with running(config, fake, clock) as session:
        await fake.answer(await fake.slash(robin, "general", "mod setup modlog #mod-log"))
        sent = await fake.say(alex, "general", THREAT)
        alert = texts(await fake.wait_for(lambda: fake.posts_in("mod-log")))
        held = await fake.wait_for(lambda: fake.dms_to(alex))
        queue = texts(await fake.answer(await fake.slash(robin, "general", "mod queue")))
        refused = texts(await fake.answer(await fake.slash(alex, "general",
                                                           "mod queue confirm 1")))
        cases = moderation_of(session.bot).cases
        assert await cases.strikes(group_id, alex.id) == []
        confirmed = texts(await fake.answer(await fake.slash(robin, "general",
                                                             "mod queue confirm 1")))
        told = await fake.wait_for(lambda: len(fake.dms_to(alex)) == 2 and fake.dms_to(alex))
        strikes = [(s.case_number, s.weight) for s in await cases.strikes(group_id, alex.id)]

        await fake.say(alex, "general", SECOND)
        await fake.wait_for(lambda: len(fake.posts_in("mod-log")) == 2)
        await fake.wait_for(lambda: len(fake.dms_to(alex)) == 3)
        restored = texts(await fake.answer(await fake.slash(robin, "general",
                                                            "mod queue restore 2")))
        told_again = await fake.wait_for(lambda: len(fake.dms_to(alex)) == 4
                                         and fake.dms_to(alex))
        holds = await session.bot.services.store.db.fetchall(
            "SELECT item_number, removed, outcome, text FROM mod_holds ORDER BY item_number")
    # the message stays up: Slack lets a bot delete only its own messages
    assert fake.called("chat.delete") == [] and fake.deleted == []
    assert sent in fake.messages[fake.channels["general"]]
    # the alert says so, links to the message and names the queue item; never the text
    assert f"Case 1: hold for <@{alex.id}>" in alert
    assert "could not remove the message: the slack platform cannot delete members' " \
           "messages" in alert
    assert "so the message is still up: remove it in the platform if it should go" in alert
    permalink = f"/archives/{fake.channels['general']}/p{sent['ts'].replace('.', '')}"
    assert permalink in alert
    assert "/mod queue restore 1" in alert and "/mod queue confirm 1" in alert
    assert THREAT not in alert
    # the author is told privately that a moderator will look (no copy: it is still up)
    assert len(held) == 1
    assert "One of the group's moderators will look at your message in #general" in texts(held)
    assert "I can't remove messages here, so it is still up" in texts(held)
    assert THREAT not in texts(held)
    assert "(held message)" in queue
    assert "/mod queue confirm is for moderators" in refused
    # confirmed: the strike counts, the moderator is asked to remove it in Slack
    assert "The message is still up (the platform can't remove it): please remove it " \
           "there" in confirmed and permalink in confirmed
    assert strikes == [(1, 3.0)]
    assert "please delete it yourself" in texts(told[-1:])
    # restored: it was never removed, so nothing is reposted
    assert "never removed" in restored and "nothing to repost" in restored
    assert "found it fine: it stays up" in texts(told_again[-1:])
    assert fake.posts_in("general") == []
    assert [tuple(r) for r in holds] == [(1, 0, "confirmed", None), (2, 0, "restored", None)]
