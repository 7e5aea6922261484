"""`Seen`, the set of events and signed requests already handled: each key once while it is
remembered, forgotten after its time, and never more than its limit."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from groupbot.platforms.slack.dedupe import DEDUPE_SECONDS, Seen


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_counts_once_while_it_is_remembered() -> None:
    clock = Clock()
    seen = Seen(seconds=60, limit=10, clock=clock)
    assert seen.first("event:Ev1") is True
    clock.now += 59.9
    assert seen.first("event:Ev1") is False
    assert seen.first("event:Ev2") is True
    clock.now += 0.2  # Ev1 is 60.1 s old, Ev2 0.2 s
    assert "event:Ev1" not in seen and "event:Ev2" in seen
    assert seen.first("event:Ev1") is True  # forgotten: counts again


def test_it_outlives_slack_retries_and_a_signature_s_validity() -> None:
    # Slack retries an event about six minutes after the first try; a signature with a
    # timestamp five minutes ahead stays valid for ten minutes after it first arrives
    assert DEDUPE_SECONDS > 10 * 60
    clock = Clock()
    seen = Seen(clock=clock)
    seen.first("sig:abc")
    clock.now += 10 * 60
    assert seen.first("sig:abc") is False


def test_memory_is_bounded_the_oldest_go_first() -> None:
    clock = Clock()
    seen = Seen(seconds=600, limit=3, clock=clock)
    for n in range(5):
        clock.now += 1
        assert seen.first(f"k{n}")
    assert len(seen) == 3 and seen.evicted == 2
    assert "k0" not in seen and "k1" not in seen and "k4" in seen
    clock.now += 600
    assert len(seen) == 0  # expired entries are dropped, not just ignored


def test_forget_lets_a_failed_first_run_go_again() -> None:
    seen = Seen(seconds=60, limit=10, clock=Clock())
    assert seen.first("event:Ev9")
    seen.forget("event:Ev9")
    assert seen.first("event:Ev9")
    seen.forget("never-seen")  # no error


async def test_two_processes_on_one_database_handle_an_event_once(tmp_path: Path) -> None:
    """Behind one load balancer a retry may reach the process that did not handle the first
    delivery: the shared ledger stops it there too. A ledger that cannot be written lets the
    event run (a second run is better than a member's message never read)."""
    from datetime import UTC, datetime

    from groupbot.config import Config
    from groupbot.core.ports import FakeClock
    from groupbot.platforms.slack.adapter import SlackAdapter
    from groupbot.storage.database import Database
    from groupbot.storage.store import Store

    path = tmp_path / "g.db"
    clock = FakeClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    async with Database(path) as one_db, Database(path) as other_db:
        adapters = [SlackAdapter(Config(), cast(Any, SimpleNamespace(services=SimpleNamespace(
            store=Store(db), clock=clock, settings=None))), cast(Any, SimpleNamespace()))
            for db in (one_db, other_db)]
        first, second = adapters
        assert await first.first_anywhere("Ev1")
        assert not await second.first_anywhere("Ev1")  # the other process had it
        assert not await first.first_anywhere("Ev1")  # and this one remembers it
        assert await second.first_anywhere("Ev2")
        assert await first.first_anywhere(None)  # (no id: nothing to compare)
        await other_db.close()
        assert await second.first_anywhere("Ev3")  # ledger unwritable: it runs
        assert second.duplicates == 1 and first.duplicates == 1
