"""The fan-out rate limiter, and the small fakes the other schedule tests share."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from groupbot.core.errors import Unsupported
from groupbot.core.ports import Capabilities, ChatBase, FakeClock
from groupbot.core.types import Channel, Group, Member, PostedMessage, Reply
from groupbot.scheduling.limiter import (
    DEFAULT_RATE_LIMITS,
    DISCORD_RATE_LIMITS,
    RateLimiter,
    RateLimits,
    RetryLater,
    temporary_delay,
)


@dataclass
class Post:
    channel_id: str
    text: str
    key: str | None
    at: datetime
    reply: Reply


@dataclass
class RecordingChat(ChatBase):
    """A ChatPort that records posts and alerts; optionally idempotent, flaky or crashing."""

    clock: FakeClock
    idempotent: bool = True
    rate_limits: RateLimits = DEFAULT_RATE_LIMITS
    platform: str = "fake"
    posts: list[Post] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    private: list[tuple[str, Reply]] = field(default_factory=list)
    refuse_channels: set[str] = field(default_factory=set)
    rate_limited: int = 0  # the next N posts answer 429
    crash_after_post: bool = False  # post, then "die" before the caller can record it
    crash_before_post: bool = False  # "die" on the way to the platform: nothing posted
    searchable: bool = False  # find_post can look for a key in the channel's history
    searches: int = 0
    # how long a key deduplicates a repeat (as Discord's nonce does); None: forever
    window: timedelta | None = None
    _by_key: dict[str, tuple[PostedMessage, datetime]] = field(default_factory=dict)

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(threads=True, buttons=True, idempotent_posts=self.idempotent,
                            idempotency_window=self.window, find_posts=self.searchable)

    async def find_post(self, group: Group, channel: Channel, key: str, *,
                        reply: Reply | None = None) -> PostedMessage | None:
        if not self.searchable:
            raise Unsupported(self.platform, "search")
        self.searches += 1
        for i, post in enumerate(self.posts):
            if post.key == key and post.channel_id == channel.id:
                return PostedMessage(f"m{i + 1}", channel.id, group.id)
        return None

    async def post(self, group: Group, channel: Channel, reply: Reply, *,
                   idempotency_key: str | None = None) -> PostedMessage:
        if channel.id in self.refuse_channels:
            raise Unsupported(self.platform, f"post in {channel.name}")
        if self.rate_limited > 0:
            self.rate_limited -= 1
            raise RetryLater(2.0)
        if self.crash_before_post:
            raise SimulatedCrash()
        if self.idempotent and idempotency_key in self._by_key:
            first, at = self._by_key[idempotency_key]
            if self.window is None or self.clock.now() - at <= self.window:
                return first
        posted = PostedMessage(f"m{len(self.posts) + 1}", channel.id, group.id)
        self.posts.append(Post(channel.id, reply.text, idempotency_key, self.clock.now(), reply))
        if idempotency_key is not None:
            self._by_key[idempotency_key] = (posted, self.clock.now())
        if self.crash_after_post:
            raise SimulatedCrash()
        return posted

    async def send_private(self, group: Group, member: Member, reply: Reply, *,
                           public_fallback: bool = True) -> None:
        self.private.append((member.id, reply))

    async def alert_moderators(self, group: Group, reply: Reply) -> None:
        self.alerts.append(reply.text)


class SimulatedCrash(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it on the way."""


# -- the limiter --------------------------------------------------------------------------
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def test_global_slots_are_evenly_spaced_at_the_limit() -> None:
    clock = FakeClock(T0)
    limiter = RateLimiter(RateLimits(global_per_second=50, global_burst=1), clock)
    slots = [limiter.reserve_global() for _ in range(101)]
    assert slots[0] == T0
    assert slots[-1] - slots[0] == timedelta(seconds=2)  # 100 gaps of 20 ms
    assert all(b - a == timedelta(milliseconds=20) for a, b in itertools.pairwise(slots))


def test_burst_allows_back_to_back_then_paces() -> None:
    clock = FakeClock(T0)
    limiter = RateLimiter(RateLimits(global_per_second=10, global_burst=3), clock)
    slots = [limiter.reserve_global() for _ in range(5)]
    assert slots[:3] == [T0, T0, T0]
    assert slots[3] == T0 + timedelta(milliseconds=100)


def max_in_any_second(times: list[datetime]) -> int:
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - timedelta(seconds=1):
            j += 1
        best = max(best, i - j + 1)
    return best


async def test_catching_up_after_late_wakeups_never_exceeds_the_limit_in_a_second() -> None:
    clock = FakeClock(T0)
    limiter = RateLimiter(RateLimits(global_per_second=50, global_burst=5), clock)
    used: list[datetime] = []
    for i in range(1000):
        slot = limiter.reserve_global()
        late = timedelta(milliseconds=35) if i % 7 == 0 else timedelta(0)  # a busy loop
        await clock.advance_to(max(slot, clock.now()) + late)
        used.append(slot)
    assert max_in_any_second(used) <= 50
    rate = (len(used) - 1) / (used[-1] - used[0]).total_seconds()
    assert rate >= 49  # the burst absorbs the late wake-ups instead of losing the slots


async def test_a_quiet_spell_does_not_bank_unlimited_credit() -> None:
    clock = FakeClock(T0)
    limiter = RateLimiter(RateLimits(global_per_second=10, global_burst=1), clock)
    limiter.reserve_global()
    await clock.advance(timedelta(minutes=5))
    first, second = limiter.reserve_global(), limiter.reserve_global()
    assert first == clock.now()
    assert second - first == timedelta(milliseconds=100)


async def test_per_channel_window() -> None:
    clock = FakeClock(T0)
    limiter = RateLimiter(DISCORD_RATE_LIMITS, clock)
    for _ in range(5):
        assert limiter.channel_ready_at("c1") == T0
        limiter.note_channel("c1")
    assert limiter.channel_ready_at("c1") == T0 + timedelta(seconds=5)
    assert limiter.channel_ready_at("c2") == T0
    limiter.hold_channel("c2", 30)
    assert limiter.channel_ready_at("c2") == T0 + timedelta(seconds=30)


def test_penalize_pushes_every_slot_back() -> None:
    clock = FakeClock(T0)
    limiter = RateLimiter(RateLimits(global_per_second=50), clock)
    limiter.penalize(3)
    assert limiter.reserve_global() == T0 + timedelta(seconds=3)


def test_ports_declare_limits_or_get_the_default() -> None:
    chat = RecordingChat(FakeClock(T0))
    assert chat.rate_limits is DEFAULT_RATE_LIMITS
    chat.rate_limits = DISCORD_RATE_LIMITS
    assert RateLimiter(chat.rate_limits, chat.clock).limits is DISCORD_RATE_LIMITS


def test_what_counts_as_temporary() -> None:
    assert temporary_delay(RetryLater(3, global_limit=True)) == (3.0, True)

    class SdkRateLimited(Exception):
        retry_after = 1.5

    assert temporary_delay(SdkRateLimited()) == (1.5, False)
    assert temporary_delay(ConnectionResetError()) is not None
    assert temporary_delay(Unsupported("x", "post")) is None
    assert temporary_delay(ValueError("no")) is None


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        RateLimits(global_per_second=0)
    with pytest.raises(ValueError):
        RateLimits(channel_count=0)


async def test_admit_keeps_real_sends_within_the_limit_after_late_wakeups() -> None:
    """Callers that wake late bunch up; admit() counts the real send times."""
    clock = FakeClock(T0)
    limiter = RateLimiter(RateLimits(global_per_second=5), clock)
    sent: list[datetime] = []
    for _ in range(5):
        await limiter.admit()
        sent.append(clock.now())
    waiter = asyncio.ensure_future(limiter.admit())
    await clock.advance(timedelta(milliseconds=500))
    assert not waiter.done()  # a sixth send within the same second must wait
    await clock.advance(timedelta(milliseconds=520))  # the window plus its small margin
    assert waiter.done()
    await waiter
    assert clock.now() - sent[0] >= timedelta(seconds=1)
