"""The bot's periodic upkeep on APScheduler: an `AsyncIOScheduler` with one `IntervalTrigger`
per job (pruning the schedule ledger, purging expired case texts and written outbox ids,
check-in reminders, re-announcing unclaimed crisis requests and retrying kept alerts).

Why APScheduler here: "every hour, one run at a time, a missed run coalesced into one" is what
it does well. Scheduled posts keep our own recurrence (`groupbot.scheduling.when` says why).

APScheduler 3.x reads the wall clock (`datetime.now`) and takes no clock to inject, so under a
virtual clock (tests, `groupbot demo`) the same jobs, with the same triggers, are run by
`run_due`, which `Bot.idle` calls once the clock has moved. A failing job is logged and runs
again at its next interval; one job never runs twice at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from groupbot.core.ports import Clock

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


@dataclass(slots=True)
class _Entry:
    name: str
    job: Job
    trigger: Any  # an IntervalTrigger (APScheduler ships no type hints)
    next_at: datetime  # the next fire time on the injected clock
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    runs: int = 0


class Upkeep:
    """Periodic jobs, registered with `every` (before or after `start`)."""

    def __init__(self, clock: Clock, *, wall: bool) -> None:
        """`wall`: the clock is the real one, so APScheduler's own timer runs the jobs;
        otherwise only `run_due` does."""
        self.clock = clock
        self.wall = wall
        self._entries: dict[str, _Entry] = {}
        self._scheduler: AsyncIOScheduler | None = None

    def every(self, interval: timedelta, name: str, job: Job) -> None:
        """Run `job` every `interval`, the first time one interval from now."""
        if interval <= timedelta(0):
            raise ValueError(f"upkeep job {name!r} needs a positive interval")
        first = self.clock.now() + interval
        trigger = IntervalTrigger(seconds=interval.total_seconds(), start_date=first,
                                  timezone=UTC)
        entry = self._entries[name] = _Entry(name, job, trigger, first)
        if self._scheduler is not None:
            self._schedule(entry)

    @property
    def jobs(self) -> dict[str, timedelta]:
        """Each job's name and interval."""
        return {name: e.trigger.interval for name, e in self._entries.items()}

    def runs(self, name: str) -> int:
        """How many times the job has run (tests, logs)."""
        return self._entries[name].runs

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        if not self.wall or self._scheduler is not None:
            return
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        for entry in self._entries.values():
            self._schedule(entry)
        self._scheduler.start()

    async def stop(self) -> None:
        """Stop the timer and wait for the jobs running now (their storage closes next)."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        for entry in self._entries.values():
            async with entry.lock:
                pass

    def _schedule(self, entry: _Entry) -> None:
        assert self._scheduler is not None
        self._scheduler.add_job(self._run, entry.trigger, args=[entry], id=entry.name,
                                name=entry.name, max_instances=1, coalesce=True,
                                misfire_grace_time=None, replace_existing=True)

    # -- running -------------------------------------------------------------------------------
    async def run_due(self) -> int:
        """Run, once each, the jobs whose fire time the clock has reached (missed fire times
        coalesce into one run). Returns how many ran."""
        ran = 0
        for entry in list(self._entries.values()):
            now = self.clock.now()
            if entry.next_at > now or entry.lock.locked():
                continue
            entry.next_at = _after(entry.trigger, now)
            await self._run(entry)
            ran += 1
        return ran

    async def _run(self, entry: _Entry) -> None:
        async with entry.lock:
            try:
                await entry.job()
            except Exception:
                log.exception("an upkeep job failed; it runs again at its next interval",
                              extra={"job": entry.name})
            finally:
                entry.runs += 1
                if self.wall:  # (APScheduler keeps its own next fire time)
                    entry.next_at = _after(entry.trigger, self.clock.now())


def _after(trigger: Any, now: datetime) -> datetime:
    """The trigger's first fire time after `now`."""
    fire: datetime = trigger.get_next_fire_time(None, now)
    if fire <= now:
        fire = trigger.get_next_fire_time(fire, now)
    return fire


__all__ = ["Job", "Upkeep"]
