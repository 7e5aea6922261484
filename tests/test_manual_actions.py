"""Moderators acting through the bot, on the console: the real features, engine and SQLite
file (`open_bot`), a fake clock. `/mod timeout`, `/mod untimeout`, `/mod remove`, each a case
naming its moderator."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest

from groupbot.core.types import Button, Interaction, Member, Reply
from groupbot.features.manual_actions import parse_duration, parse_message_ref
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
    from groupbot.cli_cases import write_case_log

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
