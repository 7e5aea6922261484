"""Finding cases: `/mod cases [member] [category] [since] [page]`, a page at a time, newest
first, for moderators only."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from groupbot.features.case_log import PAGE_SIZE, parse_since
from tests.features.moderation.test_feature import World, _world


@pytest.fixture
async def w() -> AsyncIterator[World]:
    async for world in _world():
        yield world


def _numbers(reply: str) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+) · ", reply, re.M)]


async def _history(w: World) -> datetime:
    """23 cases over 23 days: alice's insults (harassment), bob's swearing (profanity), a
    threat from bob every fifth day (cases 5, 10, 15, 20), and a moderator's warning for
    alice that reaches the review threshold (case 23; confirmed, as a warning that crosses a
    threshold asks first). Returns the first day."""
    start = w.clock.now()
    for day in range(22):
        if day % 5 == 4:
            await w.say(w.bob, "I will hurt you")
        elif day % 2:
            await w.say(w.bob, "damn this")
        else:
            await w.say(w.alice, "you idiot")
        await w.clock.advance(timedelta(days=1))
    assert "Case 23: warned" in await w.cmd(w.mod,
                                            "/mod warn @alice please be kinder confirm=yes")
    return start


async def test_pages_newest_first_with_a_way_to_the_next(w: World) -> None:
    await _history(w)
    first = await w.cmd(w.mod, "/mod cases")
    assert _numbers(first) == list(range(23, 13, -1))
    assert "Page 1 of 3 (23 cases)" in first and "page=2" in first
    second = await w.cmd(w.mod, "/mod cases page=2")
    assert _numbers(second) == list(range(13, 3, -1))
    last = await w.cmd(w.mod, "/mod cases page=3")
    assert _numbers(last) == [3, 2, 1] and "Page 3 of 3" in last and "page=4" not in last
    past = await w.cmd(w.mod, "/mod cases page=4")
    assert _numbers(past) == [] and "There are only 3 pages of cases (23 in all)." in past


async def test_a_line_is_short_and_names_the_moderator_of_a_manual_case(w: World) -> None:
    start = await _history(w)
    lines = (await w.cmd(w.mod, "/mod cases")).splitlines()
    warn = next(line for line in lines if line.startswith("#23 "))
    assert warn == (f"#23 · {start + timedelta(days=22):%Y-%m-%d %H:%M} · warn · no category"
                    f" · <@{w.alice.id}> · by <@{w.mod.id}> · awaiting a moderator")
    threat = next(line for line in lines if line.startswith("#20 "))  # day 19: a threat
    assert threat == (f"#20 · {start + timedelta(days=19):%Y-%m-%d %H:%M} · escalate · threat"
                      f" · <@{w.bob.id}> · awaiting a moderator")
    assert all(len(line) < 120 for line in lines)


async def test_filters_by_member_category_and_since(w: World) -> None:
    start = await _history(w)
    bobs = await w.cmd(w.mod, "/mod cases @Bob")
    assert "about @Bob" in bobs
    assert set(re.findall(r" · <@(u-\w+)>", bobs)) == {w.bob.id}
    assert _numbers(bobs) == [22, 20, 18, 16, 15, 14, 12, 10, 8, 6]
    threats = await w.cmd(w.mod, "/mod cases category=threat")
    assert _numbers(threats) == [20, 15, 10, 5] and "Page 1 of 1 (4 cases)." in threats
    assert "page=2" not in threats
    since = f"{start + timedelta(days=18):%Y-%m-%d}"
    recent = await w.cmd(w.mod, f"/mod cases since={since}")
    assert _numbers(recent) == [23, 22, 21, 20, 19]
    span = await w.cmd(w.mod, "/mod cases since=3d")  # the clock is on day 22
    assert _numbers(span) == [23, 22, 21, 20]
    both = await w.cmd(w.mod, f"/mod cases @Alice harassment {since}")
    assert _numbers(both) == [21, 19] and "about @Alice in harassment since" in both
    none = await w.cmd(w.mod, "/mod cases @Alice category=threat")
    assert none == "No cases about @Alice in threat."


async def test_bad_filters_are_refused_with_the_usage(w: World) -> None:
    await _history(w)
    bad_date = await w.cmd(w.mod, "/mod cases since=yesterday-ish")
    assert "is not a date" in bad_date and "Usage: /mod cases" in bad_date
    bad_category = await w.cmd(w.mod, "/mod cases category=rudeness")
    assert "<category> must be one of" in bad_category
    assert "must be at least 1" in await w.cmd(w.mod, "/mod cases page=0")


async def test_cases_are_for_moderators_only_and_replies_are_private(w: World) -> None:
    await _history(w)
    refused = await w.cmd(w.alice, "/mod cases")
    assert "is for moderators" in refused and "#1 " not in refused
    replies = await w.bot.handle_text_command(w.group, w.general, w.mod, "/mod cases",
                                              resolver=w.chat)
    assert [r.visibility.value for r in replies] == ["private"]


async def test_an_empty_log_says_so(w: World) -> None:
    assert await w.cmd(w.mod, "/mod cases") == "No cases in this group."


def test_since_reads_dates_times_and_spans() -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert parse_since("2026-03-01", now) == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_since("2026-03-01T09:30", now) == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert parse_since("2026-03-01T09:30+02:00", now) == datetime(2026, 3, 1, 7, 30,
                                                                   tzinfo=UTC)
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("12 hours", now) == now - timedelta(hours=12)
    assert parse_since("2w", now) == now - timedelta(weeks=2)
    for bad in ("2026", "2026-02-30", "last week", "", "7y"):
        with pytest.raises(ValueError, match="is not a date"):
            parse_since(bad, now)
    assert PAGE_SIZE == 10
