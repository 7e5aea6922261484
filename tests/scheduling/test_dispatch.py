"""The dispatcher: exactly once across restarts, downtime, races, crashes, DST and 429s.

Everything runs on a FakeClock; `wait_idle()` lets the dispatcher finish what the current
instant allows (database work included) before the test looks.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from groupbot.core.ports import FakeClock
from groupbot.core.types import Group, Reply
from groupbot.scheduling.dispatcher import Dispatcher
from groupbot.scheduling.jobs import Prepared, idempotency_key
from groupbot.scheduling.limiter import RateLimiter, RateLimits
from groupbot.scheduling.when import Occurrence
from groupbot.storage.database import Database
from groupbot.storage.schedules import Claim, ScheduleRepo, ScheduleRow
from groupbot.storage.store import Store
from tests.scheduling.test_limiter import RecordingChat, max_in_any_second

GROUP = Group("fake:circle", "Circle", "fake")
MONDAY_7 = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # 08:00 in Berlin; posts due 08:00 UTC
DUE = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


async def content(row: ScheduleRow, occ: Occurrence) -> Reply:
    return Reply.public(f"prompt for #{row.channel_name} at {occ.key}")


@dataclass
class World:
    db: Database
    repo: ScheduleRepo
    clock: FakeClock
    chat: RecordingChat
    path: Path
    dispatchers: list[Dispatcher]

    async def add(self, when: str = "weekly mon 09:00", tz: str = "Europe/Berlin",
                  channel: str = "general", grace: int = 3600) -> int:
        return await self.repo.add(group_id=GROUP.id, channel_id=f"c-{channel}",
                                   channel_name=channel, kind="prompt", theme=None,
                                   when_text=when, timezone=tz, anchor=None, created_by="mod",
                                   now=self.clock.now(), grace_seconds=grace)

    async def dispatcher(self, repo: ScheduleRepo | None = None,
                         **kwargs: object) -> Dispatcher:
        d = Dispatcher(repo or self.repo, self.chat, self.clock, content, **kwargs)  # type: ignore[arg-type]
        await d.start()
        self.dispatchers.append(d)
        await d.wait_idle()
        return d

    async def at(self, when: datetime) -> None:
        """Move the clock to `when`, stopping at each instant a dispatcher wakes for."""
        while True:
            wakes = [w for d in self.dispatchers
                     if (w := d.next_wake()) is not None and w <= when]
            if not wakes:
                break
            await self.clock.advance_to(max(min(wakes), self.clock.now()))
            for d in self.dispatchers:
                await d.wait_idle()
        await self.clock.advance_to(when)
        for d in self.dispatchers:
            await d.wait_idle()

    async def stop(self, d: Dispatcher) -> None:
        await d.stop()
        self.dispatchers.remove(d)

    async def states(self, sid: int | None = None) -> dict[str, int]:
        return await self.repo.count_states(sid)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    clock = FakeClock(MONDAY_7)
    path = tmp_path / "s.db"
    async with Database(path) as db:
        await Store(db).groups.ensure(GROUP, clock.now(), timezone="Europe/Berlin")
        w = World(db, ScheduleRepo(db), clock, RecordingChat(clock), path, [])
        yield w
        for d in list(w.dispatchers):
            await d.stop()


async def test_posts_on_time_once_per_occurrence(world: World) -> None:
    sid = await world.add()
    await world.dispatcher()
    await world.at(DUE - timedelta(seconds=1))
    assert world.chat.posts == []
    await world.at(DUE + timedelta(seconds=1))
    assert [p.at for p in world.chat.posts] == [DUE]
    assert world.chat.posts[0].key == idempotency_key(sid, "2026-01-05T09:00")
    assert len(world.chat.posts[0].key or "") <= 25
    await world.at(DUE + timedelta(days=7, minutes=1))
    assert len(world.chat.posts) == 2
    assert await world.states(sid) == {"posted": 2}


async def test_restart_within_the_grace_window_posts_once(world: World) -> None:
    sid = await world.add()
    first = await world.dispatcher()
    await world.stop(first)  # down before 09:00 ...
    await world.clock.advance_to(DUE + timedelta(minutes=40))  # ... back 40 minutes late
    second = await world.dispatcher()
    assert len(world.chat.posts) == 1
    assert await world.states(sid) == {"posted": 1}
    await world.stop(second)
    await world.dispatcher()  # another restart: nothing is posted again
    assert len(world.chat.posts) == 1
    assert world.chat.alerts == []


async def test_downtime_beyond_grace_is_recorded_missed_and_moderators_told(world: World) -> None:
    sid = await world.add()
    await world.stop(await world.dispatcher())
    await world.clock.advance_to(DUE + timedelta(days=14, hours=3))  # three Mondays missed
    await world.dispatcher()
    assert world.chat.posts == []
    assert await world.states(sid) == {"missed": 3}
    assert len(world.chat.alerts) == 1
    assert "3 scheduled prompt posts" in world.chat.alerts[0]
    assert "missed" in world.chat.alerts[0]
    await world.at(DUE + timedelta(days=21, minutes=1))  # the schedule carries on
    assert len(world.chat.posts) == 1
    assert await world.states(sid) == {"missed": 3, "posted": 1}


async def test_two_dispatchers_on_two_connections_post_exactly_once(world: World) -> None:
    world.chat.idempotent = False  # only the ledger may prevent the double post
    sid = await world.add()
    async with Database(world.path) as other_db:
        other = ScheduleRepo(other_db)
        a = await world.dispatcher()
        b = await world.dispatcher(other)
        await world.at(DUE + timedelta(seconds=1))
        assert len(world.chat.posts) == 1
        assert a.stats.posted + b.stats.posted == 1
        assert a.stats.lost_races + b.stats.lost_races == 1
        assert await world.states(sid) == {"posted": 1}
        await world.stop(b)


async def test_racing_claims_have_one_winner(world: World) -> None:
    sid = await world.add()
    async with Database(world.path) as other_db:
        repos = [world.repo, ScheduleRepo(other_db)]
        outcomes = await asyncio.gather(*[
            repos[i % 2].claim(sid, "2026-01-05T09:00", DUE, by=f"d{i}", idempotency_key="k",
                               now=DUE) for i in range(20)])
    assert outcomes.count(Claim.CLAIMED) == 1
    assert outcomes.count(Claim.TAKEN) == 19


async def test_crash_after_posting_is_deduplicated_by_the_platform_key(world: World) -> None:
    sid = await world.add()
    world.chat.crash_after_post = True
    crashed = await world.dispatcher()
    await world.at(DUE + timedelta(seconds=1))
    assert len(world.chat.posts) == 1
    assert await world.states(sid) == {"claimed": 1}  # posted, but never recorded
    await world.stop(crashed)
    world.chat.crash_after_post = False
    await world.dispatcher()  # the claim is fresh: it is left alone for the lease ...
    assert await world.states(sid) == {"claimed": 1}
    await world.at(DUE + timedelta(minutes=6))  # ... then reconciled with the same key
    assert len(world.chat.posts) == 1  # the platform returned the first message
    assert await world.states(sid) == {"posted": 1}
    assert world.chat.alerts == []


@pytest.mark.parametrize("down", [timedelta(seconds=30), timedelta(minutes=10)])
async def test_a_takeover_trusts_the_key_only_inside_the_platforms_window(
        world: World, down: timedelta) -> None:
    """Discord deduplicates a nonce for a few minutes: without a search, a takeover re-sends
    under the key only while the platform surely still remembers the first attempt."""
    world.chat.window = timedelta(minutes=2)  # and the channel cannot be searched
    sid = await world.add()
    world.chat.crash_after_post = True
    crashed = await world.dispatcher()
    await world.at(DUE + timedelta(seconds=1))
    await world.stop(crashed)
    world.chat.crash_after_post = False
    await world.clock.advance(down)
    await world.dispatcher()
    await world.at(DUE + timedelta(minutes=15))
    assert len(world.chat.posts) == 1  # never a second post
    if down < timedelta(minutes=2):  # re-sent at the lease's end: Discord answered the first
        assert await world.states(sid) == {"posted": 1}
        assert world.chat.alerts == []
    else:  # too late to trust the nonce: the moderators are asked to look
        assert await world.states(sid) == {"uncertain": 1}
        assert "cannot tell me whether it went out" in " ".join(world.chat.alerts)


async def test_crash_without_platform_idempotency_is_surfaced_not_reposted(world: World) -> None:
    world.chat.idempotent = False
    sid = await world.add()
    world.chat.crash_after_post = True
    crashed = await world.dispatcher()
    await world.at(DUE + timedelta(seconds=1))
    await world.stop(crashed)
    world.chat.crash_after_post = False
    await world.clock.advance(timedelta(minutes=10))
    await world.dispatcher()
    assert len(world.chat.posts) == 1
    assert await world.states(sid) == {"uncertain": 1}
    assert len(world.chat.alerts) == 1
    assert "cannot tell me whether it went out" in world.chat.alerts[0]


async def test_a_crash_after_posting_is_found_in_the_channel_not_reposted(
        world: World) -> None:
    world.chat.idempotent = False  # no idempotency key: only the search can tell
    world.chat.searchable = True
    sid = await world.add()
    world.chat.crash_after_post = True
    crashed = await world.dispatcher()
    await world.at(DUE + timedelta(seconds=1))
    await world.stop(crashed)
    world.chat.crash_after_post = False
    restarted = await world.dispatcher()
    assert world.chat.searches == 0  # the lease is not over yet: its owner may be alive
    await world.at(DUE + timedelta(minutes=2))
    assert len(world.chat.posts) == 1 and world.chat.searches == 1
    [entry] = await world.repo.history(sid)
    assert (entry.state, entry.message_id) == ("posted", "m1")
    assert restarted.stats.recovered == 1 and world.chat.alerts == []


async def test_a_crash_before_sending_posts_the_recorded_content_once(world: World) -> None:
    """The claim was written, the process died before the platform heard anything: the
    restart does not find the post, so it sends the content chosen before the crash (the
    content source would now give something else) under the same key."""
    world.chat.idempotent = False
    world.chat.searchable = True
    calls: list[int] = []

    async def numbered(row: ScheduleRow, occ: Occurrence) -> Reply:
        calls.append(1)
        return Reply.public(f"prompt number {len(calls)}", thread_name="talk")

    sid = await world.add()
    world.chat.crash_before_post = True
    first = Dispatcher(world.repo, world.chat, world.clock, numbered)  # type: ignore[arg-type]
    await first.start()
    world.dispatchers.append(first)
    await world.at(DUE + timedelta(seconds=1))
    await world.stop(first)
    [claim] = await world.repo.history(sid)
    assert claim.state == "claimed" and "prompt number 1" in (claim.content or "")
    world.chat.crash_before_post = False
    second = Dispatcher(world.repo, world.chat, world.clock, numbered)  # type: ignore[arg-type]
    await second.start()
    world.dispatchers.append(second)
    await world.at(DUE + timedelta(minutes=2))
    assert [p.text for p in world.chat.posts] == ["prompt number 1"]
    assert world.chat.posts[0].reply.thread_name == "talk"
    assert world.chat.posts[0].key == claim.idempotency_key
    assert len(calls) == 1  # nothing was chosen again
    [entry] = await world.repo.history(sid)
    assert entry.state == "posted" and entry.attempts == 2


async def test_a_takeover_after_the_grace_window_is_recorded_missed_and_reported(
        world: World) -> None:
    world.chat.idempotent = False
    world.chat.searchable = True
    sid = await world.add(grace=600)
    world.chat.crash_before_post = True
    crashed = await world.dispatcher()
    await world.at(DUE + timedelta(seconds=1))
    await world.stop(crashed)
    world.chat.crash_before_post = False
    await world.clock.advance(timedelta(minutes=30))  # back after the 10-minute grace
    await world.dispatcher()
    assert world.chat.posts == []  # not posted late ...
    [entry] = await world.repo.history(sid)
    assert entry.state == "missed"  # ... and not skipped silently
    assert len(world.chat.alerts) == 1 and "interrupted before posting" in world.chat.alerts[0]


async def test_a_claim_renewed_by_a_live_owner_is_not_taken_over(world: World) -> None:
    sid = await world.add()
    world.chat.idempotent = False
    world.chat.searchable = True
    world.chat.rate_limited = 1000  # the owner keeps retrying, renewing its claim
    owner = await world.dispatcher()
    await world.at(DUE + timedelta(seconds=1))
    [entry] = await world.repo.history(sid)
    async with Database(world.path) as other_db:
        other = await world.dispatcher(ScheduleRepo(other_db))
        for minute in range(1, 5):
            await world.at(DUE + timedelta(minutes=minute))
        [entry] = await world.repo.history(sid)
        assert entry.state == "claimed" and entry.claimed_by == owner.instance_id
        assert entry.attempts > 3 and world.chat.searches == 0
        await world.stop(other)


async def test_a_claim_from_before_0011_has_its_content_made_and_recorded(
        world: World) -> None:
    from groupbot.storage.schedules import ts

    sid = await world.add()
    await world.clock.advance_to(DUE + timedelta(minutes=5))
    await world.db.execute(  # claimed by a bot that knew nothing of content, then died
        "INSERT INTO schedule_occurrences (schedule_id, occurrence, due_at, state, claimed_by, "
        "claimed_at, idempotency_key, updated_at) VALUES (?, ?, ?, 'claimed', 'old', ?, ?, ?)",
        (sid, "2026-01-05T09:00", ts(DUE), ts(DUE), idempotency_key(sid, "2026-01-05T09:00"),
         ts(DUE)))
    await world.dispatcher()
    assert len(world.chat.posts) == 1
    [entry] = await world.repo.history(sid)
    assert entry.state == "posted" and "prompt for #general" in (entry.content or "")


async def test_a_429_is_retried_not_dropped(world: World) -> None:
    sid = await world.add()
    world.chat.rate_limited = 2
    d = await world.dispatcher()
    await world.at(DUE + timedelta(seconds=1))
    assert world.chat.posts == []
    # the claim and its content are kept while it waits: a crash now leaves a claim that a
    # restart takes over with the same content, and nothing is chosen twice
    [entry] = await world.repo.history(sid)
    assert entry.state == "claimed" and entry.attempts == 1
    assert entry.content is not None and "prompt for #general" in entry.content
    await world.at(DUE + timedelta(seconds=10))
    assert len(world.chat.posts) == 1
    assert d.stats.retried == 2
    assert await world.states(sid) == {"posted": 1}
    [entry] = await world.repo.history(sid)
    assert entry.attempts == 3 and entry.message_id == "m1"


async def test_a_refused_channel_fails_loudly(world: World) -> None:
    sid = await world.add()
    world.chat.refuse_channels.add("c-general")
    await world.dispatcher()
    await world.at(DUE + timedelta(seconds=1))
    assert world.chat.posts == []
    assert await world.states(sid) == {"failed": 1}
    assert "could not be posted" in world.chat.alerts[0]


async def test_pause_and_resume_do_not_make_up_missed_posts(world: World) -> None:
    sid = await world.add()
    d = await world.dispatcher()
    await world.repo.set_paused(sid, True, world.clock.now())
    await d.refresh(sid)
    await world.at(DUE + timedelta(minutes=5))
    assert world.chat.posts == []
    await world.repo.set_paused(sid, False, world.clock.now())
    await d.refresh(sid)
    await world.at(DUE + timedelta(minutes=30))
    assert world.chat.posts == []  # the 09:00 that fell in the pause is not posted late
    await world.at(DUE + timedelta(days=7, seconds=1))
    assert len(world.chat.posts) == 1


async def test_a_paused_schedule_is_not_posted_by_a_dispatcher_that_missed_the_pause(
        world: World) -> None:
    sid = await world.add()
    await world.dispatcher()
    await world.repo.set_paused(sid, True, world.clock.now())  # no refresh: the DB decides
    await world.at(DUE + timedelta(minutes=5))
    assert world.chat.posts == []


async def test_skip_and_exception_dates(world: World) -> None:
    sid = await world.add()
    await world.repo.record(sid, "2026-01-05T09:00", DUE, "skipped", "by mod", world.clock.now())
    await world.repo.add_exception(sid, "2026-01-12", "mod")
    await world.dispatcher()
    await world.at(DUE + timedelta(days=7, minutes=5))
    assert world.chat.posts == []
    states = await world.repo.history(sid)
    assert [(r.occurrence, r.state) for r in states] == [
        ("2026-01-12T09:00", "skipped"), ("2026-01-05T09:00", "skipped")]
    assert states[0].note == "exception date"
    await world.at(DUE + timedelta(days=14, minutes=1))
    assert len(world.chat.posts) == 1


async def test_exception_dates_during_downtime_are_not_reported_missed(world: World) -> None:
    sid = await world.add()
    await world.repo.add_exception(sid, "2026-01-05", "mod")
    await world.clock.advance_to(DUE + timedelta(hours=5))
    await world.dispatcher()
    assert await world.states(sid) == {"skipped": 1}
    assert world.chat.alerts == []


@pytest.mark.parametrize(("tz", "wall", "start", "expected"), [
    ("Europe/Berlin", "02:30", datetime(2026, 3, 27, 12, tzinfo=UTC),
     [datetime(2026, 3, 28, 1, 30, tzinfo=UTC), datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
      datetime(2026, 3, 30, 0, 30, tzinfo=UTC)]),
    ("Europe/Berlin", "02:30", datetime(2026, 10, 23, 12, tzinfo=UTC),
     [datetime(2026, 10, 24, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
      datetime(2026, 10, 26, 1, 30, tzinfo=UTC)]),
    ("America/New_York", "02:30", datetime(2026, 3, 6, 12, tzinfo=UTC),
     [datetime(2026, 3, 7, 7, 30, tzinfo=UTC), datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
      datetime(2026, 3, 9, 6, 30, tzinfo=UTC)]),
    ("America/New_York", "01:30", datetime(2026, 10, 30, 12, tzinfo=UTC),
     [datetime(2026, 10, 31, 5, 30, tzinfo=UTC), datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
      datetime(2026, 11, 2, 6, 30, tzinfo=UTC)]),
])
async def test_daily_across_dst_posts_once_a_day(tmp_path: Path, tz: str, wall: str,
                                                 start: datetime,
                                                 expected: list[datetime]) -> None:
    clock = FakeClock(start)
    async with Database(tmp_path / "dst.db") as db:
        await Store(db).groups.ensure(GROUP, clock.now())
        w = World(db, ScheduleRepo(db), clock, RecordingChat(clock), tmp_path, [])
        sid = await w.add(f"daily {wall}", tz)
        d = await w.dispatcher()
        for hour in range(1, 4 * 24):  # hour by hour, as a real clock would wake
            await w.at(start + timedelta(hours=hour))
        await d.stop()
    assert [p.at for p in w.chat.posts][:3] == expected
    assert len({p.key for p in w.chat.posts}) == len(w.chat.posts)
    assert sid == 1


async def test_fan_out_is_paced_and_none_is_lost(world: World) -> None:
    for i in range(300):
        await world.add(channel=f"ch{i}")
    limiter = RateLimiter(RateLimits(global_per_second=50, channel_count=5, channel_period=5),
                          world.clock)
    world.chat.rate_limited = 3  # a few 429s on the way
    d = await world.dispatcher(limiter=limiter)
    t = DUE
    while t < DUE + timedelta(seconds=20):
        t += timedelta(milliseconds=20)
        await world.at(t)
    assert len(world.chat.posts) == 300
    assert len({p.channel_id for p in world.chat.posts}) == 300
    times = sorted(p.at for p in world.chat.posts)
    assert max_in_any_second(times) <= 50  # never faster than the limit
    span = (times[-1] - times[0]).total_seconds()
    assert span < 300 / 50 + 3  # close to the limit (plus the 429 back-off)
    assert d.stats.retried == 3
    assert await world.states() == {"posted": 300}


async def test_per_channel_limit_spaces_posts_in_one_channel(world: World) -> None:
    for _ in range(3):
        await world.add(channel="general")
    limiter = RateLimiter(RateLimits(global_per_second=50, channel_count=1, channel_period=1),
                          world.clock)
    await world.dispatcher(limiter=limiter)
    t = DUE
    while t < DUE + timedelta(seconds=5):
        t += timedelta(milliseconds=100)
        await world.at(t)
    times = [p.at for p in world.chat.posts]
    assert len(times) == 3
    assert all(b - a >= timedelta(seconds=1) for a, b in itertools.pairwise(times))


async def test_a_retry_sends_the_same_content_and_a_refusal_gives_it_back(
        world: World) -> None:
    made: list[str] = []
    given_back: list[str] = []

    async def prepared(row: ScheduleRow, occ: Occurrence) -> Prepared:
        made.append(f"prompt {len(made) + 1}")
        text = made[-1]

        async def undo() -> None:
            given_back.append(text)
        return Prepared(Reply.public(text), undo, ref=f"test:{len(made)}")

    sid = await world.add()
    other = await world.add(channel="closed")
    world.chat.rate_limited = 1
    world.chat.refuse_channels.add("c-closed")
    d = Dispatcher(world.repo, world.chat, world.clock, prepared)  # type: ignore[arg-type]
    await d.start()
    world.dispatchers.append(d)
    await world.at(DUE + timedelta(seconds=10))
    # the 429 was retried with the content chosen the first time, not a new one
    general = [p for p in world.chat.posts if p.channel_id == "c-general"]
    assert len(general) == 1 and general[0].text in made
    assert len(made) == 2  # one per occurrence: nothing chosen twice
    [entry] = await world.repo.history(sid)
    assert entry.state == "posted" and entry.content_ref is not None
    # the refused one is recorded, reported, and its prompt given back
    [refused] = await world.repo.history(other)
    assert refused.state == "failed"
    assert given_back == [next(m for m in made if m != general[0].text)]
    assert any("could not be posted" in a for a in world.chat.alerts)


async def test_the_ledger_forgets_old_settled_occurrences_but_not_where_to_resume(
        world: World) -> None:
    """A bot runs for years: settled occurrences older than LEDGER_KEEP are pruned (at
    start, then daily), keeping each schedule's latest 20 (catch-up resumes from the last
    one, history still shows them) and every claimed row (still to be reconciled)."""
    from groupbot.scheduling.dispatcher import LEDGER_KEEP, PRUNE_EVERY

    sid = await world.add()
    other = await world.add(channel="other")
    old = DUE - LEDGER_KEEP - timedelta(days=400)

    def key(when: datetime) -> str:
        return when.strftime("%Y-%m-%dT%H:%M")

    rows = [(sid, key(old + timedelta(days=7 * i)), old + timedelta(days=7 * i), "posted", "")
            for i in range(40)]
    rows += [(other, key(old), old, "missed", "")]  # a schedule's only row stays
    assert await world.repo.record_many(rows, world.clock.now()) == 41
    from groupbot.storage.schedules import ts

    await world.db.execute(  # a claim left by a crash long ago (waits to be reconciled)
        "INSERT INTO schedule_occurrences (schedule_id, occurrence, due_at, state, claimed_by, "
        "claimed_at, idempotency_key, updated_at) VALUES (?, ?, ?, 'claimed', 'p1', ?, "
        "'k-stuck', ?)", (other, key(old + timedelta(days=1)), ts(old + timedelta(days=1)),
                          ts(old), ts(old)))
    assert await world.repo.prune(world.clock.now() - LEDGER_KEEP, keep_latest=2) == 38
    assert await world.states(other) == {"missed": 1, "claimed": 1}
    assert await world.states(sid) == {"posted": 2}

    more = [(sid, key(old + timedelta(days=7 * i, hours=1)), old + timedelta(days=7 * i, hours=1),
             "posted", "") for i in range(30)]
    await world.repo.record_many(more, world.clock.now())
    last_before = (await world.repo.last_due())[sid]
    dispatcher = await world.dispatcher()  # prunes at start, keeping the latest 20
    assert (await world.states(sid)).get("posted") == 20
    assert (await world.repo.last_due())[sid] == last_before
    history = await world.repo.history(sid, limit=2)
    assert [h.occurrence for h in history] == [key(old + timedelta(days=7 * 39)),
                                               key(old + timedelta(days=7 * 38))]
    # rows that appear later (another process, an old backup) go at the next daily prune
    # (the schedules feature's upkeep job)
    ancient = [(sid, key(old - timedelta(days=d)), old - timedelta(days=d), "posted", "")
               for d in range(1, 11)]
    await world.repo.record_many(ancient, world.clock.now())
    await world.at(DUE + PRUNE_EVERY + timedelta(days=7))
    assert len(world.chat.posts) == 4  # both schedules, this week and next
    assert await world.repo.handled(sid, [k for _, k, _, _, _ in ancient])
    await dispatcher.prune()
    assert not await world.repo.handled(sid, [k for _, k, _, _, _ in ancient])


async def test_a_virtual_clock_moved_only_to_next_wake_delivers_every_post(
        world: World) -> None:
    """Tools and benchmarks move a fake clock to `next_wake()` and nowhere else. A 429 in
    the middle of a paced fan-out leaves a retry due "now" behind the pacer's held slot;
    `next_wake` must then name the next future instant, or the clock never moves again."""
    for i in range(150):
        await world.add(channel=f"ch{i}")
    limiter = RateLimiter(RateLimits(global_per_second=50, channel_count=5, channel_period=5),
                          world.clock)
    d = await world.dispatcher(limiter=limiter)
    steps = 0
    while len(world.chat.posts) < 150 and steps < 5000:
        if len(world.chat.posts) in (40, 90) and world.chat.rate_limited == 0:
            world.chat.rate_limited = 1  # a 429 mid-run
        wake = d.next_wake()
        assert wake is not None
        await world.clock.advance_to(max(wake, world.clock.now()))
        await d.wait_idle()
        steps += 1
    assert len(world.chat.posts) == 150, (len(world.chat.posts), steps)
    assert d.stats.retried >= 1
    assert await world.states() == {"posted": 150}
