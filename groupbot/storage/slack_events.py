"""Slack events handled, shared by every bot process on the database.

Slack delivers an event again when it thinks we missed it, and several processes behind one
load balancer each see some deliveries: the in-memory check of one process
(`platforms/slack/dedupe.py`) cannot know what another handled. Here the first process to
insert an event's id handles it; the others see the id and drop their copy. Ids older than
`KEEP` are deleted as new ones arrive, so the table stays small. Plain SQL for SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from groupbot.storage.backend import Db

KEEP = timedelta(minutes=15)  # longer than Slack's retries and a signed request's validity
PRUNE_EVERY = 200  # inserts between deletions of old ids


class SlackEventRepo:
    def __init__(self, db: Db) -> None:
        self.db = db
        self._since_prune = 0

    async def first(self, event_id: str, now: datetime) -> bool:
        """True for the first delivery of `event_id` to any process on this database (and
        records it); False when some process has it already."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO slack_events_seen (event_id, seen_at) VALUES (?, ?) "
                "ON CONFLICT (event_id) DO NOTHING",
                (event_id, now.isoformat(timespec="microseconds")))
            first = int(cur.rowcount) == 1
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self._since_prune = 0
            await self.prune(now - KEEP)
        return first

    async def prune(self, before: datetime) -> int:
        """Forget ids seen before `before`; how many."""
        async with self.db.transaction() as conn:
            cur = await conn.execute("DELETE FROM slack_events_seen WHERE seen_at < ?",
                                     (before.isoformat(timespec="microseconds"),))
            return int(cur.rowcount)
