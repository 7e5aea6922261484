"""Words a new group meets in its first hour, as a person would expect them (issue 17)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from groupbot.features.checkins import post_wording
from tests.conftest import Harness


def _private(h: Harness) -> str:
    return h.chat.of_kind("private")[-1].text


@pytest.mark.parametrize(("when", "title", "question"), [
    ("daily 19:30", "Daily check-in", "How are you doing today?"),
    ("weekdays 08:30", "Daily check-in", "How are you doing today?"),
    ("weekly fri 18:00", "Weekly check-in", "How are you doing this week?"),
    ("every 2 weeks fri 18:00", "Check-in", "How are you doing?"),
    (None, "Check-in", "How are you doing?"),
])
def test_a_check_in_post_is_worded_for_how_often_it_comes(when: str | None, title: str,
                                                         question: str) -> None:
    assert post_wording(when) == (title, question)


async def test_a_daily_scheduled_check_in_does_not_speak_of_the_week(harness: Harness) -> None:
    h = harness
    await h.command(h.moderator, "/mod schedule add #general daily 09:00 tz=UTC checkin")
    await h.clock.advance(timedelta(hours=2))
    await h.bot.idle()
    posts = [e for e in h.chat.of_kind("post") if e.reply and e.reply.buttons]
    assert posts, "the scheduled check-in was not posted"
    reply = posts[-1].reply
    assert reply is not None and reply.title == "Daily check-in"
    assert "today" in reply.text and "week" not in reply.text


async def test_a_check_in_of_1_does_not_speak_of_a_message(harness: Harness) -> None:
    h = harness
    await h.command(h.member, "/checkin 1")
    said = "\n".join(e.text for e in h.chat.private_to(h.member))
    assert "I wanted to check in with you privately" in said
    assert "Your message is still up" not in said
    assert "I haven't said anything about this in the group" in said


async def test_mydata_delete_no_keeps_everything_kindly(harness: Harness) -> None:
    h = harness
    await h.command(h.member, "/checkin 4")
    await h.command(h.member, "/mydata delete no")
    said = _private(h)
    assert said.startswith("Okay, I haven't erased anything.")
    assert "must be one of" not in said
    await h.command(h.member, "/checkin history")
    assert "4 (good)" in _private(h)


async def test_a_pardon_counts_strikes_and_points(harness: Harness) -> None:
    h = harness
    await h.say(h.member, "robin you worthless idiot")  # a removal: 2 points
    await h.command(h.moderator, "/mod pardon @alex")
    said = _private(h)
    assert said.startswith("Pardoned 1 strike worth 2 points for @alex (case 1)")
    assert "strike(s)" not in said


async def test_a_closed_case_says_closed_and_who_closed_it(harness: Harness) -> None:
    h = harness
    await h.command(h.moderator, "/mod warn @alex please be kind")
    await h.command(h.moderator, "/mod case 1")
    assert "Status: done: it did not need a moderator's review" in _private(h)
    await h.command(h.moderator, "/mod case 1 close talked it through")
    await h.command(h.moderator, "/mod case 1")
    said = _private(h)
    assert "Status: closed by <@u-robin> on 2026-03-02" in said
    assert "no action needed" not in said


async def test_an_unknown_region_is_refused_with_the_known_ones(harness: Harness) -> None:
    h = harness
    await h.command(h.moderator, "/mod setup region XX")
    said = _private(h)
    assert said.startswith("I have no support lines for the region XX.")
    assert "GB" in said and "US" in said and "INTL" in said
    assert "add a `XX:` section under `regions:` in the resources file" in said
    assert "/mod policy reload" in said
    await h.command(h.moderator, "/mod setup show")
    assert "Region: US" in _private(h)  # unchanged
    await h.command(h.moderator, "/mod setup region gb")
    assert "now GB" in _private(h)


async def test_the_crisis_reply_links_the_iasp_directory(harness: Harness) -> None:
    h = harness
    await h.command(h.moderator, "/mod setup region DE")
    await h.say(h.member, "honestly I don't want to be alive anymore")
    said = "\n".join(e.text for e in h.chat.private_to(h.member))
    assert "IASP crisis centres" in said
    assert "iasp.info/crisis-centres-helplines" in said
