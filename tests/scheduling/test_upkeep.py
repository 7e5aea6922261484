"""The periodic upkeep (`groupbot.scheduling.upkeep`): APScheduler's AsyncIOScheduler and
IntervalTrigger on the real clock; the same jobs and triggers run by `run_due` on a fake one."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from groupbot.core.ports import FakeClock, SystemClock
from groupbot.scheduling.upkeep import Upkeep
from tests.conftest import Harness

HOUR = timedelta(hours=1)


async def test_a_job_runs_once_its_interval_has_passed_on_the_clock() -> None:
    clock = FakeClock()
    upkeep = Upkeep(clock, wall=False)
    seen: list[object] = []

    async def job() -> None:
        seen.append(clock.now())

    start = clock.now()
    upkeep.every(HOUR, "purge", job)
    await upkeep.start()
    assert await upkeep.run_due() == 0
    await clock.advance(HOUR - timedelta(seconds=1))
    assert await upkeep.run_due() == 0 and seen == []
    await clock.advance(timedelta(seconds=1))
    assert await upkeep.run_due() == 1 and seen == [start + HOUR]
    assert await upkeep.run_due() == 0  # not again until the next fire time
    await clock.advance(HOUR * 5 + timedelta(minutes=30))  # missed runs coalesce into one
    assert await upkeep.run_due() == 1 and len(seen) == 2
    await clock.advance(timedelta(minutes=29))
    assert await upkeep.run_due() == 0
    await clock.advance(timedelta(minutes=1))  # back on the hour of the trigger
    assert await upkeep.run_due() == 1 and seen[-1] == start + HOUR * 7
    await upkeep.stop()


async def test_a_failing_job_is_logged_and_runs_again_at_its_next_interval(
        caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    upkeep = Upkeep(clock, wall=False)
    calls = 0

    async def flaky() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database is locked")

    upkeep.every(HOUR, "flaky", flaky)
    with caplog.at_level(logging.ERROR, logger="groupbot.scheduling.upkeep"):
        await clock.advance(HOUR)
        assert await upkeep.run_due() == 1
    assert "upkeep job failed" in caplog.text
    await clock.advance(HOUR)
    assert await upkeep.run_due() == 1 and calls == 2
    assert upkeep.runs("flaky") == 2


def test_a_job_needs_a_positive_interval() -> None:
    upkeep = Upkeep(FakeClock(), wall=False)

    async def job() -> None:
        return None

    with pytest.raises(ValueError, match="positive interval"):
        upkeep.every(timedelta(0), "never", job)


async def test_on_the_real_clock_apscheduler_runs_the_jobs() -> None:
    upkeep = Upkeep(SystemClock(), wall=True)
    ran = asyncio.Event()

    async def job() -> None:
        ran.set()

    upkeep.every(timedelta(milliseconds=20), "tick", job)
    await upkeep.start()
    try:
        scheduler = upkeep._scheduler
        assert isinstance(scheduler, AsyncIOScheduler)
        (scheduled,) = scheduler.get_jobs()
        assert isinstance(scheduled.trigger, IntervalTrigger)
        assert (scheduled.max_instances, scheduled.coalesce) == (1, True)
        await asyncio.wait_for(ran.wait(), 10)  # APScheduler's own timer ran it
    finally:
        await upkeep.stop()
    assert upkeep._scheduler is None and upkeep.runs("tick") >= 1


def test_the_bot_registers_its_upkeep(harness: Harness) -> None:
    jobs = harness.bot.services.upkeep.jobs
    assert jobs == {
        "moderation outbox: forget written ids": timedelta(days=1),
        "moderation: erase expired case texts": timedelta(hours=1),
        "moderation queue: re-announce and retry": timedelta(minutes=1),
        "checkins: reminders": timedelta(minutes=5),
        "schedules: prune the occurrence ledger": timedelta(days=1),
        "schedules: settle claims a stopped peer left": timedelta(seconds=60),  # the lease
    }
    assert harness.bot.services.upkeep.wall is False  # a fake clock: Bot.idle runs them
