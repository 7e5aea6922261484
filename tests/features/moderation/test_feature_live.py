"""The moderation feature with the real engine, the shipped policy and resources, wired by
`open_bot` as every platform runs it (console chat, in-memory database, fake clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.core.ports import FakeClock
from groupbot.core.types import Channel, Member, Message
from groupbot.features.moderation import ModerationFeature
from groupbot.moderation.verdict import Action
from groupbot.platforms.console import ConsoleChat
from groupbot.runtime import open_bot


@dataclass
class Live:
    bot: Bot
    chat: ConsoleChat
    clock: FakeClock
    feature: ModerationFeature
    general: Channel
    alice: Member
    mod: Member

    async def say(self, text: str, channel: Channel | None = None,
                  member: Member | None = None) -> Message:
        msg = self.chat.new_message(channel or self.general, member or self.alice, text)
        await self.bot.handle_message(msg)
        return msg

    async def cmd(self, member: Member, text: str) -> str:
        replies = await self.bot.handle_text_command(self.chat.group, self.general, member, text,
                                                     resolver=self.chat)
        return "\n".join(r.text for r in replies)


@pytest.fixture
async def live() -> AsyncIterator[Live]:
    clock = FakeClock()
    chat = ConsoleChat(clock=clock)
    async with open_bot(Config(database=":memory:"), chat, clock) as bot:
        feature = bot.feature("moderation")
        assert isinstance(feature, ModerationFeature)
        general = chat.channel("general")
        assert general is not None
        yield Live(bot, chat, clock, feature, general, chat.add_member("Alice"),
                   chat.add_member("Mo", moderator=True))


async def test_moderation_runs_first_and_uses_the_shipped_policy(live: Live) -> None:
    assert live.bot.features[0] is live.feature
    assert live.feature.strikes.half_life_days == 30  # from groupbot/data/policy.yaml
    shown = await live.cmd(live.mod, "/mod policy show")
    assert "Safe space" in shown and "harassment" in shown and "only a hash" in shown


async def test_real_insult_is_removed_and_returned(live: Live) -> None:
    msg = await live.say("Bob you are an idiot")
    assert msg.id in live.chat.deleted
    dms = [e.text for e in live.chat.private_to(live.alice)]
    assert "Bob you are an idiot" in dms
    assert "Disagree with ideas" in dms[0]  # the policy's guideline for harassment


async def test_real_crisis_message_gets_care_with_us_resources(live: Live) -> None:
    msg = await live.say("I want to kill myself tonight, I have the pills ready")
    assert msg.id not in live.chat.deleted
    care = live.chat.private_to(live.alice)
    assert len(care) == 1 and "988" in care[0].text and "not a therapist" in care[0].text
    assert "799-7233" not in care[0].text  # lines for people hurt by someone: not here
    assert await live.feature.cases.strikes(live.chat.group.id, live.alice.id) == []
    modlog = [e.text for e in live.chat.of_kind("modlog")]
    assert len(modlog) == 1 and "pills" not in modlog[0]


async def test_a_member_in_danger_from_someone_gets_care_not_a_removal(live: Live) -> None:
    msg = await live.say("my boyfriend choked me last night and I'm scared to go home")
    assert msg.id not in live.chat.deleted
    care = live.chat.private_to(live.alice)
    assert len(care) == 1 and "emergency" in care[0].text and "911" in care[0].text
    text = care[0].text
    # the line for people hurt by someone comes first; a word about who may read the DM
    assert "not your fault" in text and "delete this conversation" in text
    assert text.index("1-800-799-7233") < text.index("988")
    assert await live.feature.cases.strikes(live.chat.group.id, live.alice.id) == []
    modlog = [e.text for e in live.chat.of_kind("modlog")]
    assert len(modlog) == 1 and "choked" not in modlog[0]
    assert "signs of someone hurting them or putting them in danger" in modlog[0]


async def test_a_young_member_in_danger_gets_a_line_for_young_people_first(live: Live) -> None:
    await live.say("I'm 16 and my mom's boyfriend keeps touching me")
    text = live.chat.private_to(live.alice)[0].text
    assert text.index("1-800-422-4453") < text.index("1-800-799-7233") < text.index("988")


async def test_a_young_member_in_crisis_gets_crisis_lines_first(live: Live) -> None:
    await live.say("im 15 and i want to kill myself")
    text = live.chat.private_to(live.alice)[0].text
    assert text.index("988") < text.index("1-800-422-4453")
    assert "799-7233" not in text


async def test_lines_for_young_people_are_not_sent_to_adults(live: Live) -> None:
    await live.say("my boyfriend choked me last night")
    assert "422-4453" not in live.chat.private_to(live.alice)[0].text


async def test_a_call_for_help_said_again_is_answered_not_removed_as_spam(live: Live) -> None:
    """Three times the same words is the repeat rule's line; for a call for help it means
    nobody has answered yet."""
    said = []
    for _ in range(3):
        said.append(await live.say("please someone help me"))
        await live.clock.advance(timedelta(seconds=30))
    assert not {m.id for m in said} & live.chat.deleted
    care = live.chat.private_to(live.alice)
    assert len(care) == 1 and "not a therapist" in care[0].text
    modlog = [e.text for e in live.chat.of_kind("modlog")]
    assert len(modlog) == 1 and "asking for help again and again" in modlog[0]
    assert await live.feature.cases.strikes(live.chat.group.id, live.alice.id) == []
    # the same words from an advert are still spam
    ads = [await live.say("buy cheap followers now") for _ in range(3)]
    assert ads[-1].id in live.chat.deleted


async def test_venting_is_allowed_and_self_talk_is_not_an_insult(live: Live) -> None:
    for text in ("this week has been so damn hard", "I feel like such an idiot"):
        msg = await live.say(text)
        assert msg.id not in live.chat.deleted
    assert live.chat.events == []


async def test_policy_strikes_and_thresholds_apply(live: Live) -> None:
    await live.say("you idiot")  # harassment: 2 points
    assert live.chat.is_timed_out(live.alice) is None
    await live.say("you idiot")  # 4 points: the policy's 60-minute timeout
    until = live.chat.is_timed_out(live.alice)
    assert until is not None and until - live.clock.now() == timedelta(minutes=60)


async def test_oversharing_pii_is_removed_without_a_strike(live: Live) -> None:
    msg = await live.say("call me at 555-123-4567")
    assert msg.id in live.chat.deleted
    assert await live.feature.cases.strikes(live.chat.group.id, live.alice.id) == []


async def test_flood_history_applies_in_the_live_path(live: Live) -> None:
    removed = []
    for _ in range(4):
        msg = await live.say("hello there friends")
        removed.append(msg.id in live.chat.deleted)
        await live.clock.advance(timedelta(seconds=1))
    assert removed[:2] == [False, False] and removed[2] and removed[3]
    case = await live.feature.cases.get(live.chat.group.id, 1)
    assert case is not None and "spam.repeat" in case.rules


async def test_edits_do_not_feed_the_repeat_history(live: Live) -> None:
    import dataclasses

    msg = await live.say("see you all on thursday")
    for _ in range(4):
        await live.bot.handle_message(dataclasses.replace(msg, edited=True))
    assert live.chat.deleted == set()


async def test_policy_test_uses_the_real_engine(live: Live) -> None:
    out = await live.cmd(live.mod, "/mod policy test y0u 1d10t")
    assert "Action: remove" in out and "harassment" in out
    calm = await live.cmd(live.mod, "/mod policy test my therapist gave me an analysis")
    assert "Action: allow" in calm


async def test_resources_command_lists_sources(live: Live) -> None:
    out = await live.cmd(live.alice, "/resources")
    assert "988" in out and "source: https://" in out and "not a therapist" in out
    await live.cmd(live.mod, "/mod setup region GB")
    gb = await live.cmd(live.alice, "/resources")
    assert "Samaritans" in gb and "988 Suicide" not in gb


async def test_engine_decides_support_for_crisis_even_with_insults(live: Live) -> None:
    verdict = live.feature.judge("I'm such an idiot, I want to kill myself",
                                 group_id=live.chat.group.id)
    assert verdict.action is Action.SUPPORT


async def test_an_insult_by_a_members_name_is_read_as_aimed_at_them(live: Live) -> None:
    """Names come from who has posted lately: once Sam has spoken, "sam is an idiot" is an
    insult aimed at a member; before that, or about someone absent, it is not."""
    sam = live.chat.add_member("Sam")
    before = await live.say("honestly sam is an idiot")
    assert before.id not in live.chat.deleted  # nobody called Sam has posted yet
    await live.say("hi all, glad to be here", member=sam)
    after = await live.say("honestly sam is an idiot")
    assert after.id in live.chat.deleted
    cases = await live.feature.cases.member_cases(live.chat.group.id, live.alice.id)
    assert any("by name" in c.reason for c in cases)
    # describing someone absent who hurt you stays
    kept = await live.say("my ex was such an idiot about money")
    assert kept.id not in live.chat.deleted


def test_recent_names_leave_out_the_author_and_stay_bounded() -> None:
    from groupbot.features.moderation import RecentNames

    names = RecentNames(per_group=2, groups=2)
    assert names.seen("g", "a", "Alice") == frozenset()
    assert names.seen("g", "b", "Bo Kim") == {"alice"}
    assert names.seen("g", "a", "Alice") == {"bokim"}  # her own name is never a target
    names.seen("g", "c", "Céline")  # a third member: the oldest (Alice) is dropped
    assert names.seen("g", "b", "Bo Kim") == {"celine"}
    names.seen("h", "x", "Xa")
    names.seen("i", "y", "Yu")  # a third group: the oldest group (g) is forgotten
    assert names.seen("g", "z", "Zed") == frozenset()


def test_recent_names_follow_renames_and_turnover() -> None:
    from groupbot.features.moderation import RecentNames

    names = RecentNames(per_group=3, groups=5)
    for member, name in (("a", "Ann"), ("b", "Bea"), ("c", "Cy")):
        names.seen("g", member, name)
    assert names.seen("g", "a", "Ann") == {"bea", "cy"}
    assert names.seen("g", "b", "Bea Ray") == {"ann", "cy"}  # renamed: the new name counts
    assert names.seen("g", "a", "Ann") == {"bearay", "cy"}  # and the old one is gone
    # more posters than the bound, in turn: each sees the two who posted just before
    for _ in range(3):
        for member in "defgh":
            got = names.seen("g", member, member.upper() * 2)
            assert len(got) == 2 and member * 2 not in got
    assert names.seen("g", "h", "HH") == {"ff", "gg"}
