"""Pacing of scheduled posts: a global rate plus a per-channel window, set by the adapter.

Adapters declare their limits with the chat port's `rate_limits` (a `RateLimits`); those that
publish none keep `ChatBase`'s `DEFAULT_RATE_LIMITS`. All waiting goes through the
injected `Clock`, so tests and benchmarks can run in virtual time.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from groupbot.core.ports import DEFAULT_RATE_LIMITS, Clock, RateLimits

# Published limits: Discord 50 requests/s global and 5 messages per 5 s per channel; Slack about
# one message per second per channel (its workspace-wide limit is unpublished; stay modest).
DISCORD_RATE_LIMITS = RateLimits(global_per_second=50.0, channel_count=5, channel_period=5.0)
SLACK_RATE_LIMITS = RateLimits(global_per_second=20.0, channel_count=1, channel_period=1.0)


class RetryLater(Exception):
    """A post the platform refused for now (429, a brief outage). Adapters may raise it;
    `global_limit` says the whole bot, not one channel, must wait."""

    def __init__(self, retry_after: float, *, global_limit: bool = False, reason: str = "") -> None:
        super().__init__(reason or f"retry after {retry_after:.1f} s")
        self.retry_after = max(0.0, float(retry_after))
        self.global_limit = global_limit


TEMPORARY_DEFAULT_DELAY = 5.0


def temporary_delay(exc: BaseException) -> tuple[float, bool] | None:
    """(seconds to wait, whole-bot?) when `exc` means "not posted, try again later"; else None.

    Besides `RetryLater`, any exception carrying a numeric `retry_after` (discord.py's and
    slack_sdk's rate-limit errors do) and connection-level errors count as temporary.
    """
    if isinstance(exc, RetryLater):
        return exc.retry_after, exc.global_limit
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, int | float) and not isinstance(retry_after, bool):
        return max(0.0, float(retry_after)), bool(getattr(exc, "is_global", False))
    if isinstance(exc, ConnectionError | TimeoutError):
        return TEMPORARY_DEFAULT_DELAY, False
    return None


class RateLimiter:
    """A GCRA global limiter (evenly spaced slots, a small catch-up burst) capped by a sliding
    one-second window, and a sliding window per channel.

    `reserve_global()` hands out the next global slot and commits it, so callers may then
    sleep until it without racing each other. Per-channel state is pruned as it ages.
    """

    def __init__(self, limits: RateLimits, clock: Clock) -> None:
        self.limits = limits
        self.clock = clock
        self._interval = timedelta(seconds=1.0 / limits.global_per_second)
        self._tolerance = self._interval * (limits.global_burst - 1)
        self._tat: datetime | None = None  # theoretical arrival time of the next request
        self._second = timedelta(seconds=1)
        self._window: deque[datetime] = deque(maxlen=max(1, int(limits.global_per_second)))
        self._sent: deque[datetime] = deque(maxlen=max(1, int(limits.global_per_second)))
        # the platform times requests on arrival, after our clock read: keep a small margin
        self._sent_window = self._second + timedelta(milliseconds=10)
        self._period = timedelta(seconds=limits.channel_period)
        self._channels: dict[str, deque[datetime]] = {}
        self._prune_at: datetime | None = None

    def reserve_global(self) -> datetime:
        """Commit and return the earliest instant the next request may go out."""
        now = self.clock.now()
        tat = self._tat if self._tat is not None and self._tat > now else now
        slot = max(now, tat - self._tolerance)
        if len(self._window) == self._window.maxlen:  # never more than the limit in 1 s
            slot = max(slot, self._window[0] + self._second)
        self._tat = max(tat, slot) + self._interval
        self._window.append(slot)
        return slot

    async def acquire_global(self) -> None:
        await self.clock.sleep_until(self.reserve_global())

    async def admit(self) -> None:
        """Wait, right before a request really goes out, until the last second of real sends
        has room, then count this one.

        Slots are spaced by `reserve_global`, but a caller that wakes late (a busy loop, a slow
        database claim) sends later than its slot and can bunch up with the next ones; this
        check on the actual send times keeps every one-second window within the limit.
        """
        while (free_at := self.admit_at()) > self.clock.now():
            await self.clock.sleep_until(free_at)
        self.note_sent()

    def admit_at(self) -> datetime:
        """When the next request may really go out (now, if the last second has room)."""
        now = self.clock.now()
        if len(self._sent) < (self._sent.maxlen or 1):
            return now
        return max(now, self._sent[0] + self._sent_window)

    def note_sent(self) -> None:
        """Count a request going out now (after `admit_at` said it may)."""
        self._sent.append(self.clock.now())

    def penalize(self, seconds: float) -> None:
        """The platform said the whole bot is over its limit: push every slot back."""
        until = self.clock.now() + timedelta(seconds=seconds) + self._tolerance
        if self._tat is None or self._tat < until:
            self._tat = until

    def channel_ready_at(self, channel_id: str) -> datetime:
        """When the channel's window next has room (now, if it has room already)."""
        now = self.clock.now()
        window = self._channels.get(channel_id)
        if window is None or len(window) < self.limits.channel_count:
            return now
        return max(now, window[0] + self._period)

    def note_channel(self, channel_id: str) -> None:
        """Record a post in the channel at the current time."""
        now = self.clock.now()
        window = self._channels.get(channel_id)
        if window is None:
            window = self._channels[channel_id] = deque(maxlen=self.limits.channel_count)
        window.append(now)
        self._maybe_prune(now)

    def hold_channel(self, channel_id: str, seconds: float) -> None:
        """The platform said this channel is over its limit: block it for `seconds`."""
        until = self.clock.now() + timedelta(seconds=seconds) - self._period
        window = self._channels.setdefault(channel_id,
                                           deque(maxlen=self.limits.channel_count))
        for _ in range(self.limits.channel_count):
            window.append(until)

    def _maybe_prune(self, now: datetime) -> None:
        if self._prune_at is not None and now < self._prune_at:
            return
        self._prune_at = now + self._period
        stale = [cid for cid, w in self._channels.items() if w and w[-1] + self._period <= now]
        for cid in stale:
            del self._channels[cid]


__all__ = ["DEFAULT_RATE_LIMITS", "DISCORD_RATE_LIMITS", "SLACK_RATE_LIMITS", "RateLimiter",
           "RateLimits", "RetryLater", "temporary_delay"]
