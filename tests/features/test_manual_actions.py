"""Moderators acting through the bot, on the console: the real features, engine and SQLite
file (`open_bot`), a fake clock. `/mod timeout`, `/mod untimeout`, `/mod remove`, each a case
naming its moderator; `/mod warn` asking first when it would cross a strike threshold; and
`/mod pardon` offering to lift a timeout it leaves unearned.

The default policy's strikes: a warning weighs 1, the timeout threshold is 4 (60 minutes) and
the review threshold 7."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest

from groupbot.core.types import Button, Interaction, Member, Reply
from groupbot.features.manual_actions import LIFT_TIMEOUT, parse_duration, parse_message_ref
from groupbot.platforms.console import deliver
from groupbot.storage.cases import Case
from tests.conftest import Harness

MAX = timedelta(days=28)


# -- helpers ------------------------------------------------------------------------------------
async def run(h: Harness, who: Member, command: str) -> Reply:
    """Run a command as `who` on the console; its one (private) reply, buttons and all."""
    replies = await h.bot.handle_text_command(h.chat.group, h.general, who, command, h.chat)
    await deliver(h.chat, h.chat.group, h.general, who, replies)
    assert len(replies) == 1, replies
    return replies[0]


async def press(h: Harness, who: Member, button: Button) -> str:
    replies = await h.bot.handle_interaction(
        Interaction(button.custom_id, h.chat.group, h.general, who))
    await deliver(h.chat, h.chat.group, h.general, who, replies)
    return "\n".join(r.text for r in replies)


def dms(h: Harness, who: Member) -> list[str]:
    return [e.text for e in h.chat.private_to(who)]


def modlog(h: Harness) -> list[str]:
    return [e.text for e in h.chat.of_kind("modlog")]


async def case(h: Harness, number: int) -> Case | None:
    found: Case | None = await h.bot.feature("moderation").cases.get(  # type: ignore[union-attr]
        h.chat.group.id, number)
    return found


async def all_cases(h: Harness, who: Member) -> list[Case]:
    moderation = h.bot.feature("moderation")
    assert moderation is not None
    found: list[Case] = await moderation.cases.member_cases(  # type: ignore[attr-defined]
        h.chat.group.id, who.id)
    return found


async def warn_to(h: Harness, n: int) -> None:
    """robin warns alex `n` times, confirming each warning that asks first."""
    for i in range(n):
        reply = await run(h, h.moderator, f"/mod warn @alex unkind words {i + 1} confirm=yes")
        assert "warned @alex" in reply.text


# -- the duration and the message link, as typed --------------------------------------------------
@pytest.mark.parametrize(("text", "minutes"), [
    ("10m", 10), ("2h", 120), ("1d", 1440), ("7d", 10080), ("1h30m", 90), ("45 min", 45),
    ("3 hours", 180), ("2w", 20160), ("28d", 40320)])
def test_durations_people_write(text: str, minutes: int) -> None:
    assert parse_duration(text, MAX, "discord") == timedelta(minutes=minutes)


@pytest.mark.parametrize(("text", "why"), [
    ("0m", "longer than zero"), ("0h0m", "longer than zero"), ("-5m", "can't be negative"),
    ("soon", "not a duration"), ("10", "not a duration"), ("10mx", "not a duration"),
    ("m10", "not a duration"), ("", "not a duration"),
    ("29d", "29 days is longer than Discord allows: a timeout can last at most 28 days"),
    ("5w", "longer than Discord allows")])
def test_durations_refused_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_duration(text, MAX, "discord")


def test_message_links_and_ids() -> None:
    link = parse_message_ref("https://discord.com/channels/111/222/333", "discord")
    assert (link.guild_id, link.channel_id, link.message_id, link.platform) == (
        "111", "222", "333", "discord")
    assert parse_message_ref("https://canary.discord.com/channels/1/2/3", "discord").message_id \
        == "3"
    # Slack sends links in a slash command's text as <url> (escaping on), a reply's with its
    # thread in the query
    slack = parse_message_ref(
        "<https://circle.slack.com/archives/C0123ABC/p1772438401000002?thread_ts=1772438400.000001"
        "&cid=C0123ABC>", "slack")
    assert (slack.channel_id, slack.message_id, slack.platform) == (
        "C0123ABC", "1772438401.000002", "slack")
    assert parse_message_ref("p1772438401000002", "slack").message_id == "1772438401.000002"
    bare = parse_message_ref("1772438401000002", "discord")  # not a Slack ts on Discord
    assert (bare.message_id, bare.channel_id, bare.platform) == ("1772438401000002", None, None)
    assert parse_message_ref("m12", "console").message_id == "m12"
    for wrong in ("https://example.com/x/y", "two words", "a/b"):
        with pytest.raises(ValueError, match="not a message link"):
            parse_message_ref(wrong, "discord")


# -- /mod timeout -----------------------------------------------------------------------------
async def test_a_timeout_pauses_tells_the_member_and_is_a_case_with_its_moderator(
        harness: Harness) -> None:
    h = harness
    reply = await run(h, h.moderator, "/mod timeout @alex 2h mocking a member's story")
    until = h.clock.now() + timedelta(hours=2)
    assert h.chat.is_timed_out(h.member) == until
    assert "Case 1: <@u-alex> is timed out for 2 hours" in reply.text
    assert "told <@u-alex> privately" in reply.text
    told = dms(h, h.member)
    assert len(told) == 1 and "paused you from posting for 2 hours" in told[0]
    assert "mocking a member's story" in told[0] and "/appeal 1" in told[0]
    assert any("Case 1: <@u-robin> timed out <@u-alex> for 2 hours" in t for t in modlog(h))
    found = await case(h, 1)
    assert found is not None
    assert (found.action, found.source, found.created_by, found.member_id, found.reason) == (
        "timeout", "manual", "u-robin", "u-alex", "mocking a member's story")
    assert any(a.kind == "note" and "timed out until" in a.body for a in found.amendments)
    # a manual timeout is the moderator's chosen consequence: no strike
    assert "0.0 effective strikes" in (await run(h, h.moderator, "/mod strikes @alex")).text


async def test_the_case_shows_its_moderator_in_case_cases_and_the_export(
        harness: Harness) -> None:
    from groupbot.cli.cases import write_case_log

    h = harness
    await run(h, h.moderator, "/mod timeout @alex 30m cooling off")
    shown = (await run(h, h.moderator, "/mod case 1")).text
    assert "Case 1 · timeout" in shown and "by <@u-robin>" in shown
    assert "Reason: cooling off" in shown
    listed = (await run(h, h.moderator, "/mod cases @alex")).text
    assert "#1 · " in listed and "timeout" in listed and "by <@u-robin>" in listed
    out = io.StringIO()
    moderation = h.bot.feature("moderation")
    assert moderation is not None
    await write_case_log(moderation.cases, h.chat.group.id, h.clock.now(),  # type: ignore[attr-defined]
                         out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["case"], r["action"], r["moderator"], r["member"]) for r in records] == [
        (1, "timeout", "u-robin", "u-alex")]


@pytest.mark.parametrize(("duration", "why"), [
    ("0m", "longer than zero"), ("-10m", "can't be negative"), ("tomorrow", "not a duration"),
    ("29d", "longer than The console allows")])
async def test_a_bad_duration_is_refused_with_the_usage_and_nothing_happens(
        harness: Harness, duration: str, why: str) -> None:
    h = harness
    reply = await run(h, h.moderator, f"/mod timeout @alex {duration} rude")
    assert why in reply.text
    assert "Usage: /mod timeout <member> <duration> [reason]" in reply.text
    assert h.chat.is_timed_out(h.member) is None and await case(h, 1) is None
    assert dms(h, h.member) == [] and modlog(h) == []


async def test_timeouts_are_refused_for_non_moderators_moderators_and_unknown_members(
        harness: Harness) -> None:
    h = harness
    sam = h.chat.add_member("sam", moderator=True)
    refused = {
        "not a moderator": (h.member, "/mod timeout @robin 1h"),
        "a moderator": (h.moderator, "/mod timeout @sam 1h"),
        "yourself": (h.moderator, "/mod timeout @robin 1h"),
        "unknown": (h.moderator, "/mod timeout @nobody 1h"),
    }
    answers = {k: (await run(h, who, text)).text for k, (who, text) in refused.items()}
    assert "/mod timeout is for moderators" in answers["not a moderator"]
    assert "<@u-sam> is a moderator: I won't time out a moderator" in answers["a moderator"]
    assert "You can't time out yourself" in answers["yourself"]
    assert "I can't find the member '@nobody'" in answers["unknown"]
    assert all(h.chat.is_timed_out(m) is None for m in (h.member, h.moderator, sam))
    assert await case(h, 1) is None and modlog(h) == []


# -- /mod untimeout -----------------------------------------------------------------------------
async def test_untimeout_lifts_it_tells_the_member_and_is_a_case_amending_the_first(
        harness: Harness) -> None:
    h = harness
    await run(h, h.moderator, "/mod timeout @alex 1d spamming")
    await h.clock.advance(timedelta(hours=1))
    reply = await run(h, h.moderator, "/mod untimeout @alex")
    assert h.chat.is_timed_out(h.member) is None
    assert [e.member_id for e in h.chat.of_kind("untimeout")] == ["u-alex"]
    assert "Case 2: lifted <@u-alex>'s timeout" in reply.text
    assert "lifted your timeout (case 2)" in dms(h, h.member)[-1]
    lifted = await case(h, 2)
    assert lifted is not None
    assert (lifted.action, lifted.created_by, lifted.reason) == (
        "untimeout", "u-robin", "lifted the timeout of case 1")
    first = await case(h, 1)
    assert first is not None and [(a.body, a.by_member) for a in first.amendments
                                  if "lifted" in a.body] == [
        ("timeout lifted by a moderator (case 2)", "u-robin")]
    assert any("Case 2: <@u-robin> lifted <@u-alex>'s timeout (case 1)" in t for t in modlog(h))


async def test_untimeout_of_someone_not_timed_out_records_nothing(harness: Harness) -> None:
    h = harness
    reply = await run(h, h.moderator, "/mod untimeout @alex")
    assert "isn't timed out" in reply.text and "Nothing was recorded" in reply.text
    assert await case(h, 1) is None and h.chat.of_kind("untimeout") == []
    assert "is for moderators" in (await run(h, h.member, "/mod untimeout @alex")).text


# -- /mod remove --------------------------------------------------------------------------------
async def test_remove_by_id_deletes_keeps_the_author_a_copy_and_records_the_author(
        harness: Harness) -> None:
    h = harness
    words = "here's my cousin's address for anyone who wants to visit"
    mid = await h.say(h.member, words)
    assert mid not in h.chat.deleted  # the engine left it up
    reply = await run(h, h.moderator, f"/mod remove {mid} sharing someone's address")
    assert mid in h.chat.deleted
    assert "Case 1: removed the message by <@u-alex> in #general" in reply.text
    note, copy = dms(h, h.member)[-2:]
    assert "removed your message in #general (case 1)" in note
    assert "sharing someone's address" in note and "/appeal 1" in note
    assert copy == words
    found = await case(h, 1)
    assert found is not None
    assert (found.action, found.member_id, found.created_by, found.message_id,
            found.channel_id) == ("remove", "u-alex", "u-robin", mid, h.general.id)
    assert found.text is None and found.text_hash  # the group keeps no text: a hash only
    assert any("Case 1: <@u-robin> removed a message by <@u-alex> in #general" in t
               for t in modlog(h))
    assert words not in "\n".join(modlog(h))


async def test_remove_refuses_unknown_messages_moderators_messages_and_non_moderators(
        harness: Harness) -> None:
    h = harness
    sam = h.chat.add_member("sam", moderator=True)
    by_sam = await h.say(sam, "a note from another moderator")
    by_alex = await h.say(h.member, "just my thoughts")
    unknown = (await run(h, h.moderator, "/mod remove m999")).text
    moderators = (await run(h, h.moderator, f"/mod remove {by_sam}")).text
    member = (await run(h, h.member, f"/mod remove {by_alex}")).text
    link = (await run(h, h.moderator,
                      "/mod remove https://discord.com/channels/1/2/3")).text
    assert "I can't find that message in #general" in unknown
    assert "<@u-sam>, a moderator: I won't remove a moderator's message" in moderators
    assert "/mod remove is for moderators" in member
    assert "a link to a Discord message, and this group is on The console" in link
    assert h.chat.deleted == set() and await case(h, 1) is None and modlog(h) == []


# -- /mod warn asks before crossing a threshold ------------------------------------------------
async def test_a_warning_below_every_threshold_warns_at_once(harness: Harness) -> None:
    h = harness
    reply = await run(h, h.moderator, "/mod warn @alex please be kinder")
    assert reply.text.startswith("Case 1: warned @alex") and reply.buttons == ()
    assert "please be kinder" in dms(h, h.member)[-1]


async def test_a_warning_that_crosses_a_threshold_says_so_and_acts_only_on_confirm(
        harness: Harness) -> None:
    h = harness
    await warn_to(h, 3)
    asked = await run(h, h.moderator, "/mod warn @alex fourth time today")
    assert "This warning would bring @alex to 4.0 effective strikes" in asked.text
    assert "the timeout threshold at 4: it will time them out for 1 hour" in asked.text
    assert "Nothing has been done yet" in asked.text and "confirm=yes" in asked.text
    assert [b.label for b in asked.buttons] == ["Confirm"]
    assert await case(h, 4) is None and h.chat.is_timed_out(h.member) is None
    assert len(dms(h, h.member)) == 3  # nothing sent for the fourth yet
    # a member pressing the moderator's button does nothing
    assert "That button is for moderators." in await press(h, h.member, asked.buttons[0])
    assert await case(h, 4) is None
    done = await press(h, h.moderator, asked.buttons[0])
    assert "Case 4: warned @alex. Effective strikes now 4.0." in done
    assert "reached the timeout threshold" in done
    assert h.chat.is_timed_out(h.member) == h.clock.now() + timedelta(hours=1)
    fourth = await case(h, 4)
    assert fourth is not None and (fourth.action, fourth.created_by, fourth.reason) == (
        "warn", "u-robin", "fourth time today")
    # a confirmation is used once
    again = await press(h, h.moderator, asked.buttons[0])
    assert "expired or was already used" in again and await case(h, 5) is None


async def test_a_confirmation_expires(harness: Harness) -> None:
    h = harness
    await warn_to(h, 3)
    asked = await run(h, h.moderator, "/mod warn @alex once more")
    await h.clock.advance(timedelta(minutes=20))
    assert "expired" in await press(h, h.moderator, asked.buttons[0])
    assert await case(h, 4) is None and h.chat.is_timed_out(h.member) is None


async def test_the_review_threshold_is_announced_too(harness: Harness) -> None:
    h = harness
    await warn_to(h, 6)
    asked = await run(h, h.moderator, "/mod warn @alex seventh")
    assert "the review threshold at 7: the case will wait in `/mod queue`" in asked.text
    assert "the timeout threshold at 4" in asked.text  # still past it: another hour
    assert await case(h, 7) is None


# -- /mod pardon and a timeout it leaves unearned ---------------------------------------------
async def test_a_pardon_below_the_threshold_offers_to_lift_the_timeout_and_does_not(
        harness: Harness) -> None:
    h = harness
    await warn_to(h, 4)
    assert h.chat.is_timed_out(h.member) is not None
    reply = await run(h, h.moderator, "/mod pardon @alex 1")
    assert "Pardoned 1 strike worth 1 point for @alex (case 1); their effective strikes are " \
           "now 3.0. The case records the pardon." in reply.text
    assert "still timed out until" in reply.text
    assert "remaining strikes (3.0) no longer reach the timeout threshold at 4" in reply.text
    assert "I haven't lifted it" in reply.text and "run `/mod untimeout @alex`" in reply.text
    assert [(b.label, b.custom_id) for b in reply.buttons] == [
        ("Lift the timeout", f"{LIFT_TIMEOUT}u-alex")]
    assert h.chat.is_timed_out(h.member) is not None  # not lifted silently
    assert h.chat.of_kind("untimeout") == []
    # the button is for moderators only
    assert "That button is for moderators." in await press(h, h.member, reply.buttons[0])
    assert h.chat.is_timed_out(h.member) is not None
    lifted = await press(h, h.moderator, reply.buttons[0])
    assert "Case 5: lifted <@u-alex>'s timeout" in lifted
    assert h.chat.is_timed_out(h.member) is None
    untimeout = await case(h, 5)
    assert untimeout is not None and (untimeout.action, untimeout.created_by, untimeout.reason) \
        == ("untimeout", "u-robin", "lifted the timeout of case 4")


async def test_a_pardon_that_leaves_the_threshold_reached_keeps_the_timeout_and_offers_nothing(
        harness: Harness) -> None:
    h = harness
    await warn_to(h, 5)
    reply = await run(h, h.moderator, "/mod pardon @alex 1")
    assert "Pardoned 1 strike worth 1 point" in reply.text
    assert "remaining strikes (4.0) still reach the timeout threshold at 4" in reply.text
    assert "the timeout stands" in reply.text and reply.buttons == ()
    assert h.chat.is_timed_out(h.member) is not None


async def test_a_pardon_leaves_a_moderators_own_timeout_alone(harness: Harness) -> None:
    h = harness
    await warn_to(h, 1)
    await run(h, h.moderator, "/mod timeout @alex 3h please step away")
    reply = await run(h, h.moderator, "/mod pardon @alex")
    assert "a moderator set that timeout by hand (case 2), not the strikes" in reply.text
    assert reply.buttons == () and h.chat.is_timed_out(h.member) is not None


async def test_a_pardon_with_no_timeout_running_says_nothing_of_one(harness: Harness) -> None:
    h = harness
    await warn_to(h, 2)
    reply = await run(h, h.moderator, "/mod pardon @alex")
    assert reply.text == "Pardoned 2 strikes worth 2 points for @alex (cases 1, 2); their " \
                         "effective strikes are now 0.0. Each case records the pardon."
    assert reply.buttons == ()


async def test_the_ladders_own_timeout_is_offered_for_lifting_after_a_pardon(
        harness: Harness) -> None:
    """The engine's removals (2 strikes each here) reach the threshold of 4 and time alex out;
    the note the ladder leaves tells the pardon which threshold it was."""
    h = harness
    for _ in range(2):
        await h.say(h.member, "robin you worthless idiot")
        await h.clock.advance(timedelta(minutes=1))
    assert h.chat.is_timed_out(h.member) is not None
    cases = await all_cases(h, h.member)
    # the second removal reached the threshold: its case is labelled a timeout
    assert [c.action for c in cases] == ["remove", "timeout"]
    reply = await run(h, h.moderator, f"/mod pardon @alex {cases[1].number}")
    assert "no longer reach the timeout threshold at 4" in reply.text
    assert [b.label for b in reply.buttons] == ["Lift the timeout"]


async def test_a_verdicts_own_timeout_is_offered_only_once_its_strike_is_pardoned() -> None:
    """The engine's `timeout` verdict (flooding: 2 strikes and a pause) sets the timeout
    itself: pardoning another case leaves it earned while its own strike counts; pardoning
    its own case makes it unearned, and the pardon offers to lift it. (The fake engine, with
    the default strike policy: removal 1 strike, timeout 2, the timeout threshold at 3.)"""
    from tests.features.moderation.test_feature import _world

    async for w in _world():
        await w.say(w.alice, "you idiot")  # case 1: removed, 1 strike
        await w.say(w.alice, "pause me")  # case 2: removed and paused, 2 strikes
        assert w.chat.is_timed_out(w.alice) is not None
        other = await w.bot.handle_text_command(w.group, w.general, w.mod,
                                                "/mod pardon @Alice 1", resolver=w.chat)
        own = await w.bot.handle_text_command(w.group, w.general, w.mod,
                                              "/mod pardon @Alice 2", resolver=w.chat)
        assert "strikes (2.0) include the strike of case 2, which paused them" in other[0].text
        assert other[0].buttons == ()
        assert "no longer reach the timeout of case 2" in own[0].text
        assert [b.label for b in own[0].buttons] == ["Lift the timeout"]
        assert w.chat.is_timed_out(w.alice) is not None  # offered, not lifted
