"""/mod schedule end to end on the console platform, with a fake clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from groupbot.config import Config
from groupbot.core.types import Channel, Group, Member
from groupbot.features.schedules import SchedulesFeature
from groupbot.storage.schedules import ScheduleRow
from tests.conftest import Harness


@pytest.fixture
def config(db_target: str) -> Config:
    """These tests run on each backend: SQLite, then PostgreSQL (tests/conftest.py)."""
    return Config(database=db_target)


def feature(h: Harness) -> SchedulesFeature:
    f = h.bot.feature("schedules")
    assert isinstance(f, SchedulesFeature)
    return f


async def run(h: Harness, text: str, who: Member | None = None) -> str:
    replies = await h.bot.handle_text_command(h.chat.group, h.general, who or h.moderator, text,
                                              h.chat)
    return "\n".join(r.text for r in replies)


async def advance(h: Harness, delta: timedelta) -> None:
    d = feature(h).dispatcher
    target = h.clock.now() + delta
    while (wake := d.next_wake()) is not None and wake <= target:
        await h.clock.advance_to(max(wake, h.clock.now()))
        await d.wait_idle()
    await h.clock.advance_to(target)
    await d.wait_idle()


async def rows(h: Harness) -> list[ScheduleRow]:
    return await feature(h).repo.for_group(h.chat.group.id)


async def test_add_replies_with_the_next_three_times_and_lists_it(harness: Harness) -> None:
    text = await run(harness, "/mod schedule add #general weekly mon 10:00 boundaries "
                              "tz=Europe/Berlin")
    assert "Schedule 1" in text and "prompts on boundaries" in text
    assert "Mon 02 Mar 2026, 10:00 CET" in text  # 09:00 CET now: today's 10:00 is ahead
    assert "Mon 09 Mar 2026" in text and "Mon 16 Mar 2026" in text
    listing = await run(harness, "/mod schedule list")
    assert "weekly mon 10:00 (Europe/Berlin)" in listing and "next: Mon 02 Mar 2026" in listing


async def test_members_cannot_schedule(harness: Harness) -> None:
    text = await run(harness, "/mod schedule add #general daily 19:30", who=harness.member)
    assert "for moderators" in text
    assert await rows(harness) == []


async def test_bad_input_gets_a_clear_reply_and_changes_nothing(harness: Harness) -> None:
    await run(harness, "/mod schedule add #general daily 19:30")
    before = await rows(harness)
    cases = {
        "/mod schedule add #general weekly mun 09:00": "'mun' is not a day",
        "/mod schedule add #general daily 19:30 tz=Mars/Base": "don't know the time zone",
        "/mod schedule add #nowhere daily 19:30": "can't find the channel",
        "/mod schedule add #general daily 19:30 no-such-theme": "don't know a theme",
        "/mod schedule add #general */30 * * * *": "more than once an hour",
        "/mod schedule add #general": "needs <when>",
        "/mod schedule pause 99": "no schedule 99",
        "/mod schedule except 1 25-12-2026": "not a date",
        "/mod schedule add #general " + "\u0000\u202e" * 50: "don't understand",
    }
    for command, needle in cases.items():
        assert needle in await run(harness, command), command
    assert await rows(harness) == before


async def test_a_channel_the_bot_cannot_post_in_is_refused(harness: Harness) -> None:
    async def can_post(group: Group, channel: Channel) -> bool:
        return channel.name != "general"

    harness.chat.can_post = can_post  # type: ignore[attr-defined]
    text = await run(harness, "/mod schedule add #general daily 19:30")
    assert "can't post in #general" in text
    assert await rows(harness) == []


async def test_a_scheduled_prompt_is_posted_with_a_thread(harness: Harness) -> None:
    await run(harness, "/mod schedule add #general daily 09:00 boundaries")
    await advance(harness, timedelta(hours=1, seconds=1))
    posts = harness.chat.of_kind("post")
    assert len(posts) == 1 and posts[0].channel_id == harness.general.id
    assert posts[0].reply is not None and posts[0].reply.thread_name
    assert len(harness.chat.of_kind("thread")) == 1
    await advance(harness, timedelta(days=1))
    assert len(harness.chat.of_kind("post")) == 2
    texts = {p.text for p in harness.chat.of_kind("post")}
    assert len(texts) == 2  # the rotation does not repeat itself


async def test_a_scheduled_checkin_has_mood_buttons(harness: Harness) -> None:
    text = await run(harness, "/mod schedule add #general weekly mon 09:00 checkin")
    assert "check-ins in #general" in text
    await advance(harness, timedelta(hours=1, seconds=1))
    posts = harness.chat.of_kind("post")
    assert len(posts) == 1
    ids = [b.custom_id for b in posts[0].buttons]
    assert ids == [f"gb:checkin:mood:1:{n}" for n in range(1, 6)]


async def test_pause_resume_skip_except_remove(harness: Harness) -> None:
    await run(harness, "/mod schedule add #general daily 09:00")
    assert "Paused schedule 1" in await run(harness, "/mod schedule pause 1")
    assert "already paused" in await run(harness, "/mod schedule pause 1")
    await advance(harness, timedelta(hours=2))
    assert harness.chat.of_kind("post") == []
    assert "Resumed schedule 1" in await run(harness, "/mod schedule resume 1")
    skipped = await run(harness, "/mod schedule skip 1")
    assert "Skipped the post due Tue 03 Mar 2026, 09:00" in skipped
    assert "no post on" not in await run(harness, "/mod schedule list")
    assert "will not post on 2026-03-04" in await run(harness, "/mod schedule except 1 2026-03-04")
    assert "already an exception" in await run(harness, "/mod schedule except 1 2026-03-04")
    nxt = await run(harness, "/mod schedule next")
    assert "Thu 05 Mar 2026, 09:00" in nxt and "03 Mar" not in nxt and "04 Mar" not in nxt
    await advance(harness, timedelta(days=2, hours=1))  # through Tue and Wed 09:00
    assert harness.chat.of_kind("post") == []
    await advance(harness, timedelta(days=1))  # Thu 09:00 posts
    assert len(harness.chat.of_kind("post")) == 1
    assert "Removed schedule 1" in await run(harness, "/mod schedule remove 1")
    await advance(harness, timedelta(days=2))
    assert len(harness.chat.of_kind("post")) == 1
    assert "No schedules yet" in await run(harness, "/mod schedule list")


async def test_group_time_zone_is_the_default(harness: Harness) -> None:
    await run(harness, "/mod setup timezone America/New_York")
    text = await run(harness, "/mod schedule add #general daily 19:30")
    assert "(America/New_York)" in text and "EST" in text
