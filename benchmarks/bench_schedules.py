"""Schedules at scale: arming 10,000 schedules, and a 10,000-channel fan-out at 50 requests/s.

What is measured, honestly:
- load+arm: wall time of `Dispatcher.arm()` over 10,000 stored schedules (SQLite on disk, mixed
  `<when>` forms and zones), and the Python memory it adds (tracemalloc, measured in a separate
  run because tracing slows the code down).
- fan-out (virtual time): 10,000 schedules due at the same minute, dispatched through the real
  dispatcher, ledger and limiter (Discord limits: 50/s global, 5 per 5 s per channel) into a fake
  port that answers 429 to 0.5 % of requests. The clock is a FakeClock moved to each instant the
  dispatcher waits for, so the achieved rate is the pacing the code produces, measured in the
  clock it runs on; the real time needed to process it is reported as a capacity figure.
- fan-out (real time): 250 posts at 50/s on the system clock, to show the pacing holds when
  the event loop, SQLite and the clock are all real.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from groupbot.core.ports import Capabilities, Clock, FakeClock, SystemClock  # noqa: E402
from groupbot.core.types import Channel, Group, Member, PostedMessage, Reply  # noqa: E402
from groupbot.scheduling.dispatcher import Dispatcher  # noqa: E402
from groupbot.scheduling.limiter import (  # noqa: E402
    DISCORD_RATE_LIMITS,
    RateLimiter,
    RetryLater,
)
from groupbot.scheduling.when import Occurrence  # noqa: E402
from groupbot.storage.database import Database  # noqa: E402
from groupbot.storage.schedules import ScheduleRepo, ScheduleRow  # noqa: E402
from groupbot.storage.store import Store  # noqa: E402

N = 10_000
LIMIT = DISCORD_RATE_LIMITS.global_per_second
START = datetime(2026, 1, 5, 8, 59, tzinfo=UTC)  # a Monday, a minute before everything is due
FORMS = [("weekly mon 09:00", None), ("daily 19:30", None), ("0 18 * * 1-5", None),
         ("every 2 weeks fri 18:00", "2026-01-05"), ("weekdays 08:30", None)]
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney"]


@dataclass
class FakePort:
    """Counts posts by idempotency key; refuses every `fail_every`-th request with a 429."""

    clock: Clock
    fail_every: int = 0
    platform: str = "bench"
    capabilities: Capabilities = field(
        default_factory=lambda: Capabilities(idempotent_posts=True))
    rate_limits: Any = DISCORD_RATE_LIMITS
    requests: int = 0
    request_times: list[datetime] = field(default_factory=list)
    posts: dict[str, datetime] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)
    expect: int = 0
    all_posted: asyncio.Event = field(default_factory=asyncio.Event)

    async def post(self, group: Group, channel: Channel, reply: Reply, *,
                   idempotency_key: str | None = None) -> PostedMessage:
        self.requests += 1
        self.request_times.append(self.clock.now())
        if self.fail_every and self.requests % self.fail_every == 0:
            raise RetryLater(1.0)
        assert idempotency_key is not None
        self.posts.setdefault(idempotency_key, self.clock.now())
        if self.expect and len(self.posts) >= self.expect:
            self.all_posted.set()
        return PostedMessage(f"m{len(self.posts)}", channel.id, group.id)

    async def send_private(self, group: Group, member: Member, reply: Reply, *,
                           public_fallback: bool = True) -> None:
        return None

    async def delete_message(self, group: Group, channel: Channel, message_id: str) -> None:
        return None

    async def timeout_member(self, group: Group, member: Member, until: datetime,
                             reason: str) -> None:
        return None

    async def alert_moderators(self, group: Group, reply: Reply) -> None:
        self.alerts.append(reply.text)


def max_in_any_second(times: list[datetime]) -> int:
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - timedelta(seconds=1):
            j += 1
        best = max(best, i - j + 1)
    return best


async def content(row: ScheduleRow, occ: Occurrence) -> Reply:
    return Reply.public(f"This week's prompt for #{row.channel_name}", thread_name="Prompt")


async def _populate(db: Database, n: int, *, all_due: bool, now: datetime) -> None:
    store = Store(db)
    groups = [Group(f"bench:{g}", f"Group {g}", "bench") for g in range(max(1, n // 100))]
    for group in groups:
        await store.groups.ensure(group, now)
    rows = []
    for i in range(n):
        when, anchor = ("weekly mon 09:00", None) if all_due else FORMS[i % len(FORMS)]
        tz = "UTC" if all_due else ZONES[i % len(ZONES)]
        rows.append((groups[i % len(groups)].id, f"ch{i}", f"channel-{i}", "prompt", None,
                     when, tz, anchor, "bench"))
    await ScheduleRepo(db).add_many(rows, now)


async def bench_arm(tmp: Path) -> tuple[float, float, int]:
    path = tmp / "arm.db"
    clock = FakeClock(START)
    async with Database(path) as db:
        await _populate(db, N, all_due=False, now=START - timedelta(days=1))
    # timing run (no tracing)
    async with Database(path) as db:
        port = FakePort(clock)
        d = Dispatcher(ScheduleRepo(db), port, clock, content)
        t0 = time.perf_counter()
        await d.arm()
        elapsed = time.perf_counter() - t0
        armed = d.armed_count
    # memory run (traced)
    async with Database(path) as db:
        port = FakePort(clock)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        d = Dispatcher(ScheduleRepo(db), port, clock, content)
        await d.arm()
        gc.collect()
        added = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        del d
    return elapsed, added / 1e6, armed


async def bench_fanout_virtual(tmp: Path) -> dict[str, float]:
    path = tmp / "fan.db"
    clock = FakeClock(START)
    async with Database(path) as db:
        await _populate(db, N, all_due=True, now=START)
        port = FakePort(clock, fail_every=200)
        d = Dispatcher(ScheduleRepo(db), port, clock, content,
                       limiter=RateLimiter(DISCORD_RATE_LIMITS, clock))
        await d.start()
        await d.wait_idle()
        due = START + timedelta(minutes=1)
        t0 = time.perf_counter()
        steps = 0
        while len(port.posts) < N and steps < 10 * N:
            wake = d.next_wake()
            if wake is None:
                break
            await clock.advance_to(max(wake, clock.now()))
            await d.wait_idle()
            steps += 1
        wall = time.perf_counter() - t0
        states = await ScheduleRepo(db).count_states()
        await d.stop()
    times = sorted(port.posts.values())
    span = (times[-1] - due).total_seconds() + 1 / LIMIT  # N posts occupy N slots from `due`
    return {"posted": len(port.posts), "ledger_posted": states.get("posted", 0),
            "rate": len(port.posts) / span,
            "max_per_second": max_in_any_second(port.request_times),
            "wall": wall, "retried": d.stats.retried, "virtual_span": span,
            "first": (times[0] - due).total_seconds()}


async def bench_fanout_real(tmp: Path, n: int = 250) -> dict[str, float]:
    path = tmp / "real.db"
    clock = SystemClock()
    now = clock.now()
    async with Database(path) as db:
        await _populate(db, n, all_due=True, now=now - timedelta(days=1))
        # make them due right now: a daily schedule at the current minute, one minute ago
        due_local = (now - timedelta(minutes=1)).strftime("%H:%M")
        await db.execute("UPDATE schedules SET when_text = ?, armed_from = ?",
                         (f"daily {due_local}",
                          (now - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")))
        port = FakePort(clock, expect=n)
        d = Dispatcher(ScheduleRepo(db), port, clock, content,
                       limiter=RateLimiter(DISCORD_RATE_LIMITS, clock))
        await d.start()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(port.all_posted.wait(), timeout=n / LIMIT * 3 + 10)
        await d.stop()
    times = sorted(port.posts.values())
    span = (times[-1] - times[0]).total_seconds()
    return {"posted": len(port.posts), "rate": (len(times) - 1) / span if span else 0.0,
            "max_per_second": max_in_any_second(port.request_times)}


def _row(metric: str, value: float, unit: str, *, peer: str | None = None,
         peer_value: float | None = None, target: str = "",
         met: bool | None = None) -> dict[str, Any]:
    ratio = round(value / peer_value, 4) if peer_value else None
    return {"benchmark": "schedules", "metric": metric, "value": round(value, 4), "unit": unit,
            "peer": peer, "peer_value": peer_value, "ratio": ratio, "target": target,
            "met": met}


async def _main() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-schedules-") as tmp_name:
        tmp = Path(tmp_name)
        arm_s, arm_mb, armed = await bench_arm(tmp)
        virt = await bench_fanout_virtual(tmp)
        real = await bench_fanout_real(tmp)
    ratio = virt["rate"] / LIMIT
    none_lost = virt["posted"] == N and virt["ledger_posted"] == N
    return [
        _row("load+arm 10,000 schedules", arm_s, "s", target="< 1 s", met=arm_s < 1.0
             and armed == N),
        _row("memory added by load+arm (tracemalloc)", arm_mb, "MB", target="< 50 MB",
             met=arm_mb < 50),
        _row("fan-out 10,000 posts, achieved rate (virtual time, 0.5% 429s retried)",
             virt["rate"], "posts/s", peer="Discord global limit", peer_value=LIMIT,
             target=">= 0.95 of limit", met=ratio >= 0.95),
        _row("fan-out most requests in any 1 s window, 429s included (virtual time)",
             virt["max_per_second"], "requests", peer="Discord global limit",
             peer_value=LIMIT, target="<= limit", met=virt["max_per_second"] <= LIMIT),
        _row("fan-out posts delivered and recorded posted", virt["posted"], "posts",
             peer="scheduled", peer_value=N, target="none lost", met=none_lost),
        _row("fan-out 429s retried", virt["retried"], "retries"),
        _row("fan-out real processing time for 10,000 posts (virtual-time run)", virt["wall"],
             "s", peer="time at the limit", peer_value=N / LIMIT,
             target="< time at the limit", met=virt["wall"] < N / LIMIT),
        _row("fan-out 250 posts on the system clock, achieved rate", real["rate"], "posts/s",
             peer="Discord global limit", peer_value=LIMIT, target=">= 0.95 of limit",
             met=real["rate"] / LIMIT >= 0.95 and real["posted"] == 250),
        _row("fan-out 250 posts on the system clock, most in any 1 s window",
             real["max_per_second"], "requests", peer="Discord global limit", peer_value=LIMIT,
             target="<= limit", met=real["max_per_second"] <= LIMIT),
    ]


def main() -> list[dict[str, Any]]:
    return asyncio.run(_main())


if __name__ == "__main__":
    rows = main()
    width = max(len(r["metric"]) for r in rows)
    for r in rows:
        peer = f"  vs {r['peer']} {r['peer_value']} (ratio {r['ratio']})" if r["peer"] else ""
        met = "" if r["met"] is None else ("  MET" if r["met"] else "  NOT MET")
        print(f"{r['metric']:<{width}}  {r['value']:>12} {r['unit']:<8}{peer}  "
              f"{r['target']}{met}")
