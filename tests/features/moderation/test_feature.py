"""The live moderation feature: the ladder, crisis care, strikes, cases, appeals, fallbacks.

Runs against the console chat port (which records everything the bot does), an in-memory
database, a FakeClock and a small fake engine, so each test is about the feature's behaviour.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.core.errors import Undeliverable, Unsupported
from groupbot.core.ports import FakeClock
from groupbot.core.types import Channel, Group, Interaction, Member, Message, Reply
from groupbot.features.base import Services
from groupbot.features.manual_actions import ManualActionsFeature
from groupbot.features.moderation import CARE_COOLDOWN, CARE_NOTE_EVERY, ModerationFeature
from groupbot.features.privacy import PrivacyFeature
from groupbot.features.resources import ResourcesFeature
from groupbot.moderation.policy import Policy
from groupbot.moderation.verdict import Action, Verdict
from groupbot.platforms.console import ConsoleChat
from groupbot.storage.connect import open_database
from groupbot.storage.store import Store


class FakeEngine:
    """Judges by marker phrases, so each test says plainly what the engine decided."""

    policy: Policy | None = None  # set in code: no policy file to show or reload

    def swap(self, policy: Policy) -> Policy:
        raise AssertionError("a decider set in code is never reloaded")

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        # channels whose policy sets distress to allow (as a group's `venting` channel may)
        self.distress_allowed: set[str] = set()

    def decide(self, text: str, *, stateful: bool = False, now: float | None = None,
               **ctx: Any) -> Verdict:
        self.calls.append({"text": text, "stateful": stateful, "now": now, **ctx})
        t = text.lower()
        if "explode" in t:
            raise RuntimeError("rule table corrupted")
        if "tired of everything" in t:  # distress, as the engine's care tier decides it
            cats: tuple[str, ...] = ("distress",)
            if ctx.get("channel_name") in self.distress_allowed:
                return Verdict(Action.ALLOW, cats, ("crisis.distress",),
                               "distress (allowed here by the policy: no note)", 1)
            if "idiot" in t:  # and an insult that alone would be removed
                return Verdict(Action.ESCALATE, (*cats, "harassment"),
                               ("crisis.distress", "harassment.insult"),
                               "distress. Care comes first: the message stays up and no strike "
                               "is counted; moderators are asked to look, as the rest would be "
                               "remove. Also noted: insult aimed at a member", 1)
            if "wrongly" in t:  # an engine that forgot care comes first
                return Verdict(Action.REMOVE, (*cats, "harassment"),
                               ("crisis.distress", "harassment.insult"), "a broken engine", 2)
            return Verdict(Action.CARE, cats, ("crisis.distress",),
                           "distress. Care: a short, kind private note", 1)
        if "end it tonight" in t:
            return Verdict(Action.SUPPORT, ("crisis",), ("crisis.plan",), "intent with a plan", 3)
        if "can't go on" in t:
            return Verdict(Action.SUPPORT, ("crisis",), ("crisis.ideation",), "ideation", 2)
        if "idiot" in t:
            return Verdict(Action.REMOVE, ("harassment",), ("harassment.insult",),
                           "insult aimed at a member", 2)
        if "hurt you" in t:
            return Verdict(Action.ESCALATE, ("threat",), ("threat.violence",), "a threat", 3)
        if "pause me" in t:
            return Verdict(Action.TIMEOUT, ("spam",), ("spam.flood",), "flooding", 2,
                           details={"timeout_minutes": 10})
        if "damn" in t:
            return Verdict(Action.NUDGE, ("profanity",), ("profanity.general",), "swearing", 1)
        return Verdict(Action.ALLOW)


@dataclass(frozen=True)
class Line:
    name: str
    phone: str
    source: str


RESOURCES = {"US": [Line("988 Suicide & Crisis Lifeline", "call or text 988", "988lifeline.org")],
             "GB": [Line("Samaritans", "116 123", "samaritans.org")]}


def load_resources(region: str) -> Sequence[Line]:
    return RESOURCES.get(region, [])


class NoDeleteChat(ConsoleChat):
    """Like Slack for members' messages: cannot delete them, cannot time anyone out."""

    capabilities = dataclasses.replace(ConsoleChat.capabilities, delete_member_messages=False,
                                       timeout_members=False)

    async def delete_message(self, group: Group, channel: Channel, message_id: str) -> None:
        raise Unsupported("slack", "delete members' messages")

    async def timeout_member(self, group: Group, member: Member, until: datetime,
                             reason: str) -> None:
        raise Unsupported("slack", "time out members")

    async def remove_timeout(self, group: Group, member: Member, reason: str) -> None:
        raise Unsupported("slack", "time out members")

    async def timed_out_until(self, group: Group, member: Member) -> datetime | None:
        raise Unsupported("slack", "time out members")


class ClosedDMsChat(ConsoleChat):
    """Like Discord for a member whose direct messages are closed: a private message falls
    back to a mention in #general (the member's last channel), unless the caller ruled a
    public fallback out, when it raises."""

    async def send_private(self, group: Group, member: Member, reply: Reply, *,
                           public_fallback: bool = True) -> None:
        if not public_fallback:
            raise Undeliverable("console", "their direct messages are closed")
        await self.post(group, self.channels["c-general"], Reply.public(
            f"<@{member.id}>, I have a private note for you, but your direct messages are "
            "closed. Press the button to read it (only you will see it)."))


@dataclass
class World:
    bot: Bot
    chat: ConsoleChat
    clock: FakeClock
    feature: ModerationFeature
    engine: FakeEngine
    general: Channel
    alice: Member
    bob: Member
    mod: Member

    @property
    def group(self) -> Group:
        return self.chat.group

    async def say(self, member: Member, text: str, channel: Channel | None = None) -> Message:
        msg = self.chat.new_message(channel or self.general, member, text)
        await self.bot.handle_message(msg)
        return msg

    async def cmd(self, member: Member, text: str) -> str:
        replies = await self.bot.handle_text_command(self.group, self.general, member, text,
                                                     resolver=self.chat)
        return "\n".join(r.text for r in replies)

    def private(self, member: Member) -> list[str]:
        return [e.text for e in self.chat.private_to(member)]

    def modlog(self) -> list[str]:
        return [e.text for e in self.chat.of_kind("modlog")]


async def _world(chat_cls: type[ConsoleChat] = ConsoleChat,
                 database: str = ":memory:") -> AsyncIterator[World]:
    clock = FakeClock()
    chat = chat_cls(clock=clock)
    async with open_database(database) as db:
        services = Services(config=Config(), store=Store(db), clock=clock, chat=chat)
        engine = FakeEngine()
        feature = ModerationFeature(services, engine=engine, resources=load_resources)
        bot = Bot(services, [feature, ManualActionsFeature(services),
                             ResourcesFeature(services, resources=load_resources),
                             PrivacyFeature(services)])
        await bot.start()
        try:
            yield World(bot, chat, clock, feature, engine, chat.channel("general") or
                        chat.add_channel("general"), chat.add_member("Alice"),
                        chat.add_member("Bob"), chat.add_member("Mo", moderator=True))
        finally:
            await bot.stop()


@pytest.fixture
async def w(db_target: str) -> AsyncIterator[World]:
    """The moderation feature on each backend: SQLite, then PostgreSQL."""
    async for world in _world(database=db_target):
        yield world


@pytest.fixture
async def slack_like() -> AsyncIterator[World]:
    async for world in _world(NoDeleteChat):
        yield world


@pytest.fixture
async def closed_dms() -> AsyncIterator[World]:
    async for world in _world(ClosedDMsChat):
        yield world


# -- the ladder ------------------------------------------------------------------------------
async def test_targeted_insult_is_removed_and_author_gets_their_text(w: World) -> None:
    msg = await w.say(w.alice, "Bob you idiot, I spent an hour on that reply")
    assert msg.id in w.chat.deleted
    dms = w.private(w.alice)
    assert "I removed your message" in dms[0] and "/appeal 1" in dms[0]
    assert "Bob you idiot, I spent an hour on that reply" in dms
    assert w.chat.of_kind("post") == []  # no public call-out
    assert any("Case 1: remove" in t and "harassment.insult" in t for t in w.modlog())
    case = await w.feature.cases.get(w.group.id, 1)
    assert case is not None and case.action == "remove" and case.text is None
    assert case.text_hash and len(case.text_hash) == 64
    assert len(await w.feature.cases.strikes(w.group.id, w.alice.id)) == 1


async def test_a_long_removed_message_comes_back_whole(w: World) -> None:
    text = "idiot " + "".join(chr(0x400 + i % 200) for i in range(5000))
    await w.say(w.alice, text)
    copies = w.private(w.alice)[1:]
    assert len(copies) >= 3 and all(len(c) <= 1800 for c in copies)
    assert "".join(copies) == text


async def test_nudge_is_private_and_counts_no_strike(w: World) -> None:
    msg = await w.say(w.alice, "damn this week")
    assert msg.id not in w.chat.deleted
    assert "gentle reminder" in w.private(w.alice)[0]
    assert w.modlog() == []
    assert await w.feature.cases.strikes(w.group.id, w.alice.id) == []


async def test_allowed_message_passes_to_later_hooks(w: World) -> None:
    msg = w.chat.new_message(w.general, w.alice, "thank you all for tonight")
    assert await w.feature.on_message(msg) is False
    assert w.chat.events == []


async def test_timeout_verdict_removes_and_pauses_for_the_verdicts_length(w: World) -> None:
    await w.say(w.bob, "pause me please")
    until = w.chat.is_timed_out(w.bob)
    assert until == w.clock.now() + timedelta(minutes=10)
    assert any("paused from posting" in t for t in w.private(w.bob))


async def test_escalation_goes_to_the_queue_and_a_moderator_closes_it(w: World) -> None:
    msg = await w.say(w.bob, "I will hurt you")
    assert msg.id not in w.chat.deleted
    assert any("needs a moderator" in t for t in w.modlog())
    queue = await w.cmd(w.mod, "/mod queue")
    assert "Case 1 (escalate)" in queue
    closed = await w.cmd(w.mod, "/mod case 1 close spoke with them, resolved")
    assert "left the queue" in closed
    assert "queue is empty" in await w.cmd(w.mod, "/mod queue")


async def test_edits_are_rechecked_but_an_unchanged_verdict_is_not_a_second_offence(
        w: World) -> None:
    msg = await w.say(w.alice, "hello everyone")
    edited = dataclasses.replace(msg, text="hello everyone, damn", edited=True)
    await w.bot.handle_message(edited)
    assert len(w.private(w.alice)) == 1
    again = dataclasses.replace(msg, text="hello everyone, damn it", edited=True)
    await w.bot.handle_message(again)
    assert len(w.private(w.alice)) == 1  # same verdict on the same message: no repeat
    worse = dataclasses.replace(msg, text="hello everyone, you idiot", edited=True)
    await w.bot.handle_message(worse)
    assert msg.id in w.chat.deleted
    case = await w.feature.cases.get(w.group.id, 2)
    assert case is not None and case.source == "edit"


# -- crisis first ----------------------------------------------------------------------------
async def test_crisis_message_gets_private_care_and_is_never_punished(w: World) -> None:
    text = "honestly I can't go on like this anymore"
    msg = await w.say(w.alice, text)
    assert msg.id not in w.chat.deleted
    assert w.chat.of_kind("timeout") == [] and w.chat.of_kind("post") == []
    assert await w.feature.cases.strikes(w.group.id, w.alice.id) == []
    care = w.chat.private_to(w.alice)
    assert len(care) == 1
    reply = care[0].reply
    assert reply is not None
    assert "not a therapist" in reply.text and "988" in reply.text
    assert "emergency number" in reply.text
    assert reply.buttons[0].custom_id == "gb:care:reach:1"
    alerts = w.modlog()
    assert len(alerts) == 1 and "may be going through a very hard time" in alerts[0]
    assert text not in alerts[0] and "can't go on" not in alerts[0]
    case = await w.feature.cases.get(w.group.id, 1)
    assert case is not None and case.action == "support" and case.text is None


async def test_care_reply_uses_the_groups_region(w: World) -> None:
    await w.cmd(w.mod, "/mod policy keep-text 0")  # a command first, so the group exists
    await w.bot.services.store.groups.set(w.group.id, "region", "GB", w.mod.id, w.clock.now())
    await w.say(w.alice, "I can't go on")
    care = w.private(w.alice)[0]
    assert "Samaritans" in care and "988" not in care


async def test_care_is_not_repeated_within_hours_unless_more_severe(w: World) -> None:
    await w.say(w.alice, "I can't go on")
    await w.clock.advance(timedelta(minutes=30))
    await w.say(w.alice, "really, I can't go on")
    assert len(w.private(w.alice)) == 1
    assert len(w.modlog()) == 2 and "didn't repeat" in w.modlog()[1]
    await w.clock.advance(timedelta(minutes=30))
    await w.say(w.alice, "I'm going to end it tonight")  # more severe: care again
    assert len(w.private(w.alice)) == 2
    await w.clock.advance(timedelta(minutes=30))
    await w.say(w.alice, "I can't go on")  # less severe than the last, within hours
    assert len(w.private(w.alice)) == 2
    await w.clock.advance(CARE_COOLDOWN)
    await w.say(w.alice, "I can't go on")
    assert len(w.private(w.alice)) == 3
    # the cooldown is per member
    await w.say(w.bob, "I can't go on")
    assert len(w.private(w.bob)) == 1
    assert w.chat.deleted == set()


async def test_reach_a_moderator_button(w: World) -> None:
    await w.say(w.alice, "I can't go on")
    click = Interaction("gb:care:reach:1", w.group, w.general, w.alice)
    replies = await w.bot.handle_interaction(click)
    assert "let the moderators know" in replies[0].text
    assert "would like to talk with a moderator privately" in w.modlog()[-1]
    stranger = await w.bot.handle_interaction(Interaction("gb:care:reach:1", w.group,
                                                          w.general, w.bob))
    assert "belongs to someone else" in stranger[0].text
    ok = await w.bot.handle_interaction(Interaction("gb:care:ok:1", w.group, w.general, w.alice))
    assert "Thanks for letting me know" in ok[0].text
    case = await w.feature.cases.get(w.group.id, 1)
    assert case is not None
    assert [a.by_member for a in case.amendments] == [w.alice.id, w.alice.id]


async def test_care_for_serves_other_features(w: World) -> None:
    await w.feature.care_for(w.group, w.bob, "mood 1, everything is grey", "check-in")
    care = w.private(w.bob)
    assert len(care) == 1 and "not a therapist" in care[0]
    assert "from their check-in" in w.modlog()[0] and "grey" not in w.modlog()[0]
    await w.feature.care_for(w.group, w.bob, "mood 1 again", "check-in")
    assert len(w.private(w.bob)) == 1  # same cooldown as the live path


async def test_crisis_wins_even_when_the_member_is_near_a_threshold(w: World) -> None:
    for _ in range(2):
        await w.say(w.alice, "idiot")
    strikes = len(await w.feature.cases.strikes(w.group.id, w.alice.id))
    await w.say(w.alice, "damn I can't go on")
    assert len(await w.feature.cases.strikes(w.group.id, w.alice.id)) == strikes
    assert w.chat.is_timed_out(w.alice) is None


# -- distress: the care note ------------------------------------------------------------------
DISTRESS = "honestly I'm so tired of everything lately"


async def test_care_note_is_private_and_leaves_no_trace(w: World) -> None:
    msg = await w.say(w.alice, DISTRESS)
    assert msg.id not in w.chat.deleted
    notes = w.chat.private_to(w.alice)
    assert len(notes) == 1
    note = notes[0].reply
    assert note is not None
    assert "not a therapist" in note.text and "/resources" in note.text
    assert "sharing with the group" in note.text
    assert "tired of everything" not in note.text  # never quotes them
    assert len(note.text) < 600  # one short note, not the crisis reply
    assert "988" not in note.text and "emergency" not in note.text
    assert [b.custom_id for b in note.buttons] == [f"gb:care:talk:{w.alice.id}"]
    # nothing public, nothing for the moderators, no case, no strike
    assert [e.kind for e in w.chat.events] == ["private"]
    assert w.modlog() == [] and w.chat.of_kind("post") == []
    assert await w.feature.cases.member_cases(w.group.id, w.alice.id) == []
    assert "queue is empty" in await w.cmd(w.mod, "/mod queue")
    assert "There is no case 1" in await w.cmd(w.mod, "/mod case 1")
    assert await w.feature.cases.strikes(w.group.id, w.alice.id) == []
    assert await w.feature.cases.last_care_note(w.group.id, w.alice.id) == w.clock.now()


async def test_care_note_goes_out_once_per_window(w: World) -> None:
    first = w.clock.now()
    await w.say(w.alice, DISTRESS)
    await w.clock.advance(timedelta(days=1))
    await w.say(w.alice, DISTRESS)
    await w.bot.handle_message(dataclasses.replace(
        w.chat.new_message(w.general, w.alice, DISTRESS), edited=True))
    await w.clock.advance(first + CARE_NOTE_EVERY - timedelta(minutes=1) - w.clock.now())
    await w.say(w.alice, DISTRESS)
    assert len(w.private(w.alice)) == 1  # later care verdicts in the window do nothing
    assert w.chat.events == w.chat.private_to(w.alice)
    # the window is per member
    await w.say(w.bob, DISTRESS)
    assert len(w.private(w.bob)) == 1
    await w.clock.advance(timedelta(minutes=1))  # the window is over
    await w.say(w.alice, DISTRESS)
    assert len(w.private(w.alice)) == 2
    assert w.modlog() == []


async def test_a_care_note_never_holds_back_the_crisis_reply(w: World) -> None:
    await w.say(w.alice, DISTRESS)
    await w.say(w.alice, "I can't go on")
    dms = w.private(w.alice)
    assert len(dms) == 2 and "988" in dms[1]
    assert len(w.modlog()) == 1 and "very hard time" in w.modlog()[0]


async def test_a_failed_care_note_does_not_start_the_window(w: World) -> None:
    asked: list[bool] = []

    async def broken(group: Group, member: Member, reply: Reply, *,
                     public_fallback: bool = True) -> None:
        asked.append(public_fallback)
        raise Unsupported("console", "message this member privately")

    w.chat.send_private = broken  # type: ignore[method-assign]
    await w.say(w.alice, DISTRESS)
    assert asked == [False]  # the care note never allows a public fallback
    assert w.modlog() == []  # care has no moderator alert, even when it fails
    assert await w.feature.cases.last_care_note(w.group.id, w.alice.id) is None


async def test_closed_dms_mean_no_care_note_and_no_public_trace(closed_dms: World) -> None:
    w = closed_dms
    await w.say(w.alice, DISTRESS)
    assert w.chat.events == []  # no mention in the channel, no moderator alert, nothing
    assert await w.feature.cases.last_care_note(w.group.id, w.alice.id) is None
    assert await w.feature.cases.member_cases(w.group.id, w.alice.id) == []


async def test_closed_dms_still_get_the_fallback_for_crisis_and_removals(
        closed_dms: World) -> None:
    w = closed_dms
    await w.say(w.alice, "I can't go on")  # reaching them matters more than discretion
    posts = w.chat.of_kind("post")
    assert len(posts) == 1 and f"<@{w.alice.id}>" in posts[0].text
    assert "can't go on" not in posts[0].text
    assert "I sent them support resources privately" in w.modlog()[-1]
    await w.say(w.bob, "Alice you idiot")
    later = w.chat.of_kind("post")[1:]  # the removal's notice and copy fall back too
    assert later and all(f"<@{w.bob.id}>" in p.text and "idiot" not in p.text for p in later)


async def test_the_care_notes_button_asks_a_moderator_without_opening_a_case(
        w: World) -> None:
    await w.say(w.alice, DISTRESS)
    button = f"gb:care:talk:{w.alice.id}"
    stranger = await w.bot.handle_interaction(Interaction(button, w.group, w.general, w.bob))
    assert "belongs to someone else" in stranger[0].text and w.modlog() == []
    replies = await w.bot.handle_interaction(Interaction(button, w.group, w.general, w.alice))
    assert "let the moderators know" in replies[0].text
    alert = w.modlog()[-1]
    assert f"<@{w.alice.id}> would like to talk with a moderator privately" in alert
    assert "tired of everything" not in alert
    assert await w.feature.cases.member_cases(w.group.id, w.alice.id) == []


async def test_distress_with_an_insult_escalates_keeps_the_message_and_cares(
        w: World) -> None:
    await w.cmd(w.mod, "/mod policy keep-text 5")  # even then, a distress message is not kept
    text = "I'm so tired of everything, you idiot"
    msg = await w.say(w.alice, text)
    assert msg.id not in w.chat.deleted
    assert w.chat.is_timed_out(w.alice) is None
    assert await w.feature.cases.strikes(w.group.id, w.alice.id) == []
    dms = w.private(w.alice)
    assert len(dms) == 1 and "/resources" in dms[0] and "not a therapist" in dms[0]
    assert "removed" not in dms[0] and "idiot" not in dms[0]
    alerts = w.modlog()
    assert len(alerts) == 1
    assert "Case 1: escalate" in alerts[0] and "distress, harassment" in alerts[0]
    assert "also seems to be in distress" in alerts[0]
    assert "nothing was removed" in alerts[0] and "no strike" in alerts[0]
    assert "I sent them a short private care note" in alerts[0]
    assert "needs a moderator" in alerts[0] and text not in alerts[0]
    assert "Case 1 (escalate)" in await w.cmd(w.mod, "/mod queue")
    case = await w.feature.cases.get(w.group.id, 1)
    assert case is not None and case.text is None and case.text_hash
    assert any("care note" in a.body for a in case.amendments)
    # within the window: moderators are asked again, the member is not noted again
    await w.clock.advance(timedelta(hours=6))
    await w.say(w.alice, text)
    assert len(w.private(w.alice)) == 1
    assert "didn't send another" in w.modlog()[-1]
    assert await w.feature.cases.strikes(w.group.id, w.alice.id) == []


async def test_a_removal_that_shows_distress_is_escalated_instead(w: World) -> None:
    msg = await w.say(w.alice, "so tired of everything, wrongly removed")
    assert msg.id not in w.chat.deleted
    assert await w.feature.cases.strikes(w.group.id, w.alice.id) == []
    case = await w.feature.cases.get(w.group.id, 1)
    assert case is not None and case.action == "escalate"
    assert "I removed your message" not in "".join(w.private(w.alice))


async def test_distress_allowed_by_the_policy_does_nothing(w: World) -> None:
    w.engine.distress_allowed.add("venting")
    venting = w.chat.add_channel("venting")
    msg = w.chat.new_message(venting, w.alice, DISTRESS)
    assert await w.feature.on_message(msg) is False
    await w.bot.handle_message(msg)
    assert w.chat.events == []
    assert await w.feature.cases.last_care_note(w.group.id, w.alice.id) is None
    # elsewhere in the group, the care note still goes out
    await w.say(w.alice, DISTRESS)
    assert len(w.private(w.alice)) == 1


async def test_mydata_export_shows_and_delete_erases_the_care_note(w: World) -> None:
    await w.say(w.alice, DISTRESS)
    sent = w.clock.now()
    export = await w.cmd(w.alice, "/mydata export")
    assert f'"last_care_note": "{sent.isoformat()}"' in export
    assert DISTRESS not in export
    done = await w.cmd(w.alice, "/mydata delete yes")
    assert "moderation: 1" in done
    assert await w.feature.cases.last_care_note(w.group.id, w.alice.id) is None
    assert '"last_care_note": null' in await w.cmd(w.alice, "/mydata export")
    # erased means forgotten: the next care verdict gets a note again
    await w.say(w.alice, DISTRESS)
    assert len([t for t in w.private(w.alice) if "/resources" in t]) == 2


# -- strikes ---------------------------------------------------------------------------------
async def test_strikes_decay_over_fake_days(w: World) -> None:
    await w.say(w.alice, "idiot")
    assert "1.0 effective strikes" in await w.cmd(w.mod, "/mod strikes @Alice")
    await w.clock.advance(timedelta(days=14))
    assert "0.5 effective strikes" in await w.cmd(w.mod, "/mod strikes @Alice")
    await w.clock.advance(timedelta(days=14))
    assert "0.2 effective strikes" in await w.cmd(w.mod, "/mod strikes @Alice")


async def test_thresholds_escalate_the_ladder(w: World) -> None:
    await w.say(w.alice, "idiot")
    await w.say(w.alice, "idiot")
    assert w.chat.is_timed_out(w.alice) is None
    await w.say(w.alice, "idiot")  # 3 strikes: removed and paused
    assert w.chat.is_timed_out(w.alice) is not None
    assert "queue is empty" in await w.cmd(w.mod, "/mod queue")
    await w.clock.advance(timedelta(hours=2))
    await w.say(w.alice, "idiot")  # 3.98 after a little decay: shown as 4.0, below review
    queue = await w.cmd(w.mod, "/mod queue")
    assert "queue is empty" in queue
    await w.say(w.alice, "idiot")  # 4.98, shown to moderators as 5.0: review at 5
    queue = await w.cmd(w.mod, "/mod queue")
    assert "Case 5" in queue and "Case 4" not in queue
    case = await w.feature.cases.get(w.group.id, 5)
    assert case is not None and any("review at 5" in a.body for a in case.amendments)


async def test_decayed_strikes_do_not_trigger_thresholds(w: World) -> None:
    await w.say(w.alice, "idiot")
    await w.say(w.alice, "idiot")
    await w.clock.advance(timedelta(days=30))
    await w.say(w.alice, "idiot")
    assert w.chat.is_timed_out(w.alice) is None


async def test_warn_and_pardon(w: World) -> None:
    reply = await w.cmd(w.mod, "/mod warn @Bob please keep it kind in #general")
    assert "Case 1: warned @Bob" in reply and "1.0" in reply
    dm = w.private(w.bob)[0]
    assert "please keep it kind in #general" in dm and "/appeal 1" in dm
    case = await w.feature.cases.get(w.group.id, 1)
    assert case is not None and case.created_by == w.mod.id and case.action == "warn"
    await w.cmd(w.mod, "/mod warn @Bob second")
    # the third strike would reach the timeout threshold: it says so first, and waits
    asked = await w.cmd(w.mod, "/mod warn @Bob third")
    assert "timeout threshold at 3" in asked and "confirm=yes" in asked
    assert w.chat.is_timed_out(w.bob) is None and await w.feature.cases.get(w.group.id, 3) is None
    third = await w.cmd(w.mod, "/mod warn @Bob third confirm=yes")
    assert "timeout threshold" in third and w.chat.is_timed_out(w.bob) is not None
    pardoned = await w.cmd(w.mod, "/mod pardon @Bob 2")
    assert "Pardoned 1 strike worth 1 point for @Bob (case 2)" in pardoned
    assert "2.0 effective strikes" in await w.cmd(w.mod, "/mod strikes @Bob")
    await w.cmd(w.mod, "/mod pardon @Bob")
    assert "0.0 effective strikes" in await w.cmd(w.mod, "/mod strikes @Bob")
    assert "no active strikes" in await w.cmd(w.mod, "/mod pardon @Bob")
    assert "isn't about @Alice" in await w.cmd(w.mod, "/mod pardon @Alice 1")


# -- cases, appeals, the policy --------------------------------------------------------------
async def test_reason_edit_is_an_amendment_with_who_and_when(w: World) -> None:
    await w.say(w.alice, "idiot")
    await w.clock.advance(timedelta(hours=3))
    when = w.clock.now()
    out = await w.cmd(w.mod, "/mod case 1 reason name-calling after a warning")
    assert "Reason amended" in out and "name-calling after a warning" in out
    case = await w.feature.cases.get(w.group.id, 1)
    assert case is not None
    assert case.reason == "insult aimed at a member"
    amendment = case.amendments[-1]
    assert (amendment.kind, amendment.by_member, amendment.at) == ("reason", w.mod.id, when)
    shown = await w.cmd(w.mod, "/mod case 1")
    assert f"reason by <@{w.mod.id}>" in shown and "hash" in shown
    assert "There is no case 9" in await w.cmd(w.mod, "/mod case 9")
    assert "needs a text" in await w.cmd(w.mod, "/mod case 1 reason")


async def test_case_text_kept_only_when_the_group_opts_in(w: World) -> None:
    await w.say(w.alice, "idiot number one")
    assert "Text not kept" in await w.cmd(w.mod, "/mod case 1")
    await w.cmd(w.mod, "/mod policy keep-text 3")
    await w.say(w.alice, "idiot number two")
    assert "idiot number two" in await w.cmd(w.mod, "/mod case 2")
    # the hourly purge (an upkeep job) erases it without anyone looking at the case
    expiry = w.clock.now() + timedelta(days=3)
    await w.clock.advance(timedelta(days=3, hours=-1))
    await w.bot.idle()  # the purge due now runs (under a fake clock, from Bot.idle)
    assert w.feature.last_purge == expiry - timedelta(hours=1)
    raw = await w.feature.cases.db.fetchone("SELECT text FROM mod_cases WHERE number = 2")
    assert raw is not None and raw[0] == "idiot number two"  # kept until its expiry
    await w.clock.advance(timedelta(hours=1))
    await w.bot.idle()
    assert w.feature.last_purge == expiry
    raw = await w.feature.cases.db.fetchone("SELECT text FROM mod_cases WHERE number = 2")
    assert raw is not None and raw[0] is None
    assert "idiot number two" not in await w.cmd(w.mod, "/mod case 2")


async def test_appeal_only_by_the_cases_member(w: World) -> None:
    await w.say(w.alice, "idiot")
    refused = await w.cmd(w.bob, "/appeal 1 she did not mean it")
    assert "isn't one about you" in refused
    out = await w.cmd(w.alice, "/appeal 1 I was quoting a film, not insulting Bob")
    assert "with the moderators" in out
    assert "appealed: I was quoting a film" in w.modlog()[-1]
    assert "Case 1 (appeal)" in await w.cmd(w.mod, "/mod queue")
    case = await w.feature.cases.get(w.group.id, 1)
    assert case is not None and case.amendments[-1].kind == "appeal"
    assert case.amendments[-1].by_member == w.alice.id


async def test_policy_test_is_a_dry_run(w: World) -> None:
    out = await w.cmd(w.mod, "/mod policy test you idiot")
    assert "Action: remove" in out and "harassment.insult" in out
    assert "Categories: harassment" in out and "insult aimed at a member" in out
    assert await w.feature.cases.get(w.group.id, 1) is None
    assert w.chat.deleted == set()
    shown = await w.cmd(w.mod, "/mod policy show")
    assert "halve every 14 days" in shown and "only a hash" in shown


async def test_policy_test_shows_care_and_distress(w: World) -> None:
    out = await w.cmd(w.mod, f"/mod policy test {DISTRESS}")
    assert "Action: care" in out and "Categories: distress" in out
    assert "What happens: the member gets the care note" in out
    assert "once every 3 days" in out and "no moderator alert, no case" in out
    both = await w.cmd(w.mod, "/mod policy test so tired of everything, idiot")
    assert "Action: escalate" in both and "Categories: distress, harassment" in both
    assert "the message stays up and no strike is counted" in both
    assert "care note" in both
    w.engine.distress_allowed.add("general")
    allowed = await w.cmd(w.mod, f"/mod policy test {DISTRESS}")
    assert "Action: allow" in allowed and "Categories: distress" in allowed
    assert "no care note" in allowed
    plain = await w.cmd(w.mod, "/mod policy test you idiot")
    assert "What happens: the message is removed" in plain and "a strike of 1" in plain
    # a dry run: nobody was written to, nothing was recorded
    assert w.chat.of_kind("private") == [] and w.modlog() == []
    assert await w.feature.cases.last_care_note(w.group.id, "policy-test") is None
    assert "distress or crisis never count" in await w.cmd(w.mod, "/mod policy show")


def test_groupbot_moderate_prints_care_and_distress(capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import json

    from groupbot.cli import main
    from groupbot.cli.moderate import run

    with pytest.raises(SystemExit):
        main(["moderate", "--help"])
    assert "allow, nudge, care (a short private note for a member in distress)" in " ".join(
        capsys.readouterr().out.split())

    out = io.StringIO()
    source = [f"{DISTRESS}\n".encode(), b"so tired of everything, idiot\n"]
    assert run(FakeEngine(), source, out, jsonl=False, stateful=False) == 0  # type: ignore[arg-type]
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows[0] == {"action": "care", "categories": ["distress"],
                       "rules": ["crisis.distress"],
                       "reason": "distress. Care: a short, kind private note"}
    assert rows[1]["action"] == "escalate"
    assert rows[1]["categories"] == ["distress", "harassment"]


async def test_mod_commands_refuse_non_moderators(w: World) -> None:
    await w.say(w.bob, "idiot")
    for command in ("/mod strikes @Bob", "/mod warn @Bob rude", "/mod pardon @Bob",
                    "/mod case 1", "/mod case 1 reason edited", "/mod queue",
                    "/mod policy show", "/mod policy test hi", "/mod policy keep-text 9"):
        assert "is for moderators" in await w.cmd(w.alice, command), command
    case = await w.feature.cases.get(w.group.id, 1)
    assert case is not None and case.amendments == ()
    assert await w.feature.cases.keep_text_days(w.group.id) == 0


# -- failures --------------------------------------------------------------------------------
async def test_unsupported_delete_falls_back_gracefully(
        slack_like: World, caplog: pytest.LogCaptureFixture) -> None:
    w = slack_like
    with caplog.at_level(logging.WARNING):
        await w.say(w.alice, "you idiot")
    dm = w.private(w.alice)
    assert len(dm) == 1 and "can't remove messages here" in dm[0]
    assert "Here is a copy" not in dm[0]
    alert = w.modlog()[-1]
    assert "could not remove the message" in alert and "needs a moderator" in alert
    case = await w.feature.cases.get(w.group.id, 1)
    assert case is not None and any("could not remove" in a.body for a in case.amendments)
    assert any("cannot remove a message" in r.message for r in caplog.records)


async def test_unsupported_timeout_falls_back(slack_like: World) -> None:
    w = slack_like
    await w.say(w.bob, "pause me")
    assert "could not time out the member" in w.modlog()[-1]
    assert "Case 1" in await w.cmd(w.mod, "/mod queue")


async def test_engine_failure_fails_open_to_escalate(w: World) -> None:
    msg = await w.say(w.alice, "this will explode the engine")
    assert msg.id not in w.chat.deleted
    assert w.private(w.alice) == []
    alert = w.modlog()[-1]
    assert "engine failed" in alert and "RuntimeError" in alert
    case = await w.feature.cases.get(w.group.id, 1)
    assert case is not None and case.action == "escalate" and case.error
    assert "engine error" in await w.cmd(w.mod, "/mod queue")
    dry = await w.cmd(w.mod, "/mod policy test explode")
    assert "Action: escalate" in dry and "RuntimeError" in dry


async def test_a_failing_private_message_is_noted_for_moderators(w: World) -> None:
    async def broken(group: Group, member: Member, reply: Reply, *,
                     public_fallback: bool = True) -> None:
        raise Unsupported("console", "message this member privately")

    w.chat.send_private = broken  # type: ignore[method-assign]
    await w.say(w.alice, "I can't go on")
    assert "could NOT reach them privately" in w.modlog()[-1]
    # the cooldown only starts once the care reply was actually delivered
    assert await w.feature.cases.last_care(w.group.id, w.alice.id) is None


# -- /resources and /mydata ------------------------------------------------------------------
async def test_resources_command(w: World) -> None:
    out = await w.cmd(w.alice, "/resources")
    assert "988" in out and "not a therapist or a crisis service" in out
    await w.bot.services.store.groups.set(w.group.id, "region", "ZZ", w.mod.id, w.clock.now())
    fallback = await w.cmd(w.alice, "/resources")
    assert "local emergency number" in fallback and "findahelpline" in fallback


async def test_mydata_export_and_delete_reach_cases(w: World) -> None:
    await w.cmd(w.mod, "/mod policy keep-text 5")
    await w.say(w.alice, "you idiot")
    await w.cmd(w.alice, "/appeal 1 please reconsider")
    export = await w.cmd(w.alice, "/mydata export")
    assert '"moderation"' in export and "harassment.insult" in export
    assert "please reconsider" in export and "you idiot" in export
    prompt = await w.cmd(w.alice, "/mydata delete")
    assert "hashed reference" in prompt
    done = await w.cmd(w.alice, "/mydata delete yes")
    assert "moderation:" in done
    case = await w.feature.cases.get(w.group.id, 1)
    assert case is not None and case.text is None and case.text_hash
    assert case.rules == ("harassment.insult",)
    assert await w.feature.cases.strikes(w.group.id, w.alice.id) == []
    after = await w.cmd(w.alice, "/mydata export")
    assert "you idiot" not in after and "please reconsider" not in after


async def test_live_messages_feed_the_engines_history_with_the_bots_clock(w: World) -> None:
    msg = await w.say(w.alice, "good morning")
    await w.bot.handle_message(dataclasses.replace(msg, text="good morning all", edited=True))
    live, edit = w.engine.calls[-2], w.engine.calls[-1]
    assert live["stateful"] is True and live["now"] == w.clock.now().timestamp()
    assert live["author_id"] == w.alice.id and live["channel_name"] == "general"
    assert edit["stateful"] is False


def test_thresholds_compare_at_the_decimal_moderators_see() -> None:
    from groupbot.features.moderation import StrikePolicy, Threshold
    from groupbot.moderation.verdict import Action

    policy = StrikePolicy(thresholds=(Threshold(4.0, Action.TIMEOUT, 60),))
    assert policy.reached(3.9998, Action.TIMEOUT) is not None  # shown as 4.0
    assert policy.reached(3.94, Action.TIMEOUT) is None  # shown as 3.9
