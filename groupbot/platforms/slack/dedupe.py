"""Requests and events already handled, remembered for a while and in bounded memory.

Slack retries an event it thinks we missed (immediately, after a minute, after five: about six
minutes in all), each time with the same `event_id`; and a signed request could be sent again by
anyone who saw it, for as long as its signature is valid: while its timestamp is within five
minutes of our clock, so up to ten minutes after it first arrives (a timestamp five minutes
ahead). `DEDUPE_SECONDS` covers both. Only requests that passed the signature check are
remembered, so a stranger cannot fill the set; `limit` bounds it anyway (the oldest go first).

Kept in memory only, not across restarts: Slack retries only an event that was not
acknowledged, and one that was not acknowledged before a crash has not run, so running it after
the restart is right. What a restart forgets is a replay of a signed request that had run, sent
again by someone who captured it within its ten minutes; that is the one case left open.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

DEDUPE_SECONDS = 11 * 60  # ten minutes of signature validity, and a minute to spare
DEDUPE_LIMIT = 20_000  # Slack sends at most about 30,000 events an hour to one workspace


class Seen:
    """Keys met in the last `seconds`, at most `limit` of them (the oldest forgotten first)."""

    def __init__(self, seconds: float = DEDUPE_SECONDS, limit: int = DEDUPE_LIMIT,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.limit = limit
        self.clock = clock
        self.evicted = 0  # forgotten early because the set was full
        self._until: OrderedDict[str, float] = OrderedDict()  # key -> forget after; in order

    def first(self, key: str) -> bool:
        """True the first time `key` is met (and remembers it); False while it is remembered."""
        now = self.clock()
        self._expire(now)
        if key in self._until:
            return False
        self._until[key] = now + self.seconds
        while len(self._until) > self.limit:
            self._until.popitem(last=False)
            self.evicted += 1
        return True

    def forget(self, key: str) -> None:
        """Let `key` run again (its first run failed before anything happened)."""
        self._until.pop(key, None)

    def __contains__(self, key: object) -> bool:
        self._expire(self.clock())
        return key in self._until

    def __len__(self) -> int:
        self._expire(self.clock())
        return len(self._until)

    def _expire(self, now: float) -> None:
        # every key lives the same time, so insertion order is expiry order
        while self._until:
            key, until = next(iter(self._until.items()))
            if until > now:
                return
            del self._until[key]
