"""Schedules, their exception dates, and the occurrence ledger (claim -> posted, or missed).

Every state change of an occurrence is one short BEGIN IMMEDIATE transaction, so two
dispatchers (even on two connections to one file) can never both win the same occurrence.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from groupbot.storage.backend import Db


def ts(dt: datetime) -> str:
    """A fixed-width UTC timestamp, so stored times compare correctly as text."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    id: int
    group_id: str
    group_name: str
    platform: str
    channel_id: str
    channel_name: str
    kind: str  # "prompt" | "checkin"
    theme: str | None
    when_text: str
    timezone: str
    anchor: str | None
    grace_seconds: int
    paused: bool
    armed_from: datetime
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LedgerRow:
    schedule_id: int
    occurrence: str
    due_at: datetime
    state: str
    claimed_by: str | None
    claimed_at: datetime | None
    idempotency_key: str | None
    message_id: str | None
    note: str | None
    content: str | None = None  # the post recorded with the claim (JSON), see 0011
    content_ref: str | None = None
    attempts: int = 0


class Claim(enum.Enum):
    """The outcome of trying to claim one occurrence."""

    CLAIMED = "claimed"  # ours: post it
    TAKEN = "taken"  # already in the ledger (another dispatcher, or handled before)
    EXCEPTION = "exception"  # an exception date: recorded as skipped
    PAUSED = "paused"  # paused, or resumed after this occurrence was due
    GONE = "gone"  # the schedule was removed


_COLUMNS = ("s.id, s.group_id, g.name, g.platform, s.channel_id, s.channel_name, s.kind, "
            "s.theme, s.when_text, s.timezone, s.anchor, s.grace_seconds, s.paused, "
            "s.armed_from, s.created_by, s.created_at")
_LEDGER = ("schedule_id, occurrence, due_at, state, claimed_by, claimed_at, idempotency_key, "
           "message_id, note, content, content_ref, attempts")


def _row(r: Any) -> ScheduleRow:
    v = tuple(r)
    return ScheduleRow(int(v[0]), v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10],
                       int(v[11]), bool(v[12]), parse_ts(v[13]), v[14], parse_ts(v[15]))


def _ledger(r: Any) -> LedgerRow:
    v = tuple(r)
    return LedgerRow(int(v[0]), v[1], parse_ts(v[2]), v[3], v[4],
                     parse_ts(v[5]) if v[5] else None, v[6], v[7], v[8], v[9], v[10],
                     int(v[11] or 0))


class ScheduleRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    # -- schedules ---------------------------------------------------------------------------
    async def add(self, *, group_id: str, channel_id: str, channel_name: str, kind: str,
                  theme: str | None, when_text: str, timezone: str, anchor: str | None,
                  created_by: str, now: datetime, grace_seconds: int = 3600) -> int:
        async with self.db.transaction() as conn, conn.execute(
            "INSERT INTO schedules (group_id, channel_id, channel_name, kind, theme, when_text, "
            "timezone, anchor, grace_seconds, armed_from, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (group_id, channel_id, channel_name, kind, theme, when_text, timezone, anchor,
             grace_seconds, ts(now), created_by, ts(now)),
        ) as cur:
            assert cur.lastrowid is not None
            return cur.lastrowid

    async def add_many(self, rows: Iterable[tuple[str, str, str, str, str | None, str, str,
                                                  str | None, str]], now: datetime) -> int:
        """Bulk insert (group, channel id, channel name, kind, theme, when, tz, anchor, by)."""
        stamp = ts(now)
        params = [(*r, stamp, stamp) for r in rows]
        async with self.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO schedules (group_id, channel_id, channel_name, kind, theme, "
                "when_text, timezone, anchor, created_by, armed_from, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", params)
        return len(params)

    async def get(self, schedule_id: int, group_id: str | None = None) -> ScheduleRow | None:
        sql = (f"SELECT {_COLUMNS} FROM schedules s JOIN groups g ON g.id = s.group_id "
               "WHERE s.id = ?")
        params: list[object] = [schedule_id]
        if group_id is not None:
            sql += " AND s.group_id = ?"
            params.append(group_id)
        r = await self.db.fetchone(sql, params)
        return _row(r) if r is not None else None

    async def for_group(self, group_id: str) -> list[ScheduleRow]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM schedules s JOIN groups g ON g.id = s.group_id "
            "WHERE s.group_id = ? ORDER BY s.id", (group_id,))
        return [_row(r) for r in rows]

    async def count_for_group(self, group_id: str) -> int:
        r = await self.db.fetchone("SELECT COUNT(*) FROM schedules WHERE group_id = ?",
                                   (group_id,))
        return int(r[0]) if r else 0

    async def active(self) -> list[ScheduleRow]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM schedules s JOIN groups g ON g.id = s.group_id "
            "WHERE s.paused = 0 ORDER BY s.id")
        return [_row(r) for r in rows]

    async def set_paused(self, schedule_id: int, paused: bool, now: datetime) -> bool:
        """Pause, or resume from now on (occurrences due while paused never count)."""
        async with self.db.transaction() as conn:
            if paused:
                cur = await conn.execute(
                    "UPDATE schedules SET paused = 1 WHERE id = ? AND paused = 0", (schedule_id,))
            else:
                cur = await conn.execute(
                    "UPDATE schedules SET paused = 0, armed_from = ? WHERE id = ? AND paused = 1",
                    (ts(now), schedule_id))
            return cur.rowcount == 1

    async def remove(self, schedule_id: int) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute("DELETE FROM schedules WHERE id = ?", (schedule_id,))
            return cur.rowcount == 1

    # -- exception dates ---------------------------------------------------------------------
    async def add_exception(self, schedule_id: int, local_date: str, added_by: str) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO schedule_exceptions (schedule_id, local_date, added_by) "
                "VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (schedule_id, local_date, added_by))
            return cur.rowcount == 1

    async def remove_exception(self, schedule_id: int, local_date: str) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM schedule_exceptions WHERE schedule_id = ? AND local_date = ?",
                (schedule_id, local_date))
            return cur.rowcount == 1

    async def exceptions(self, schedule_ids: Iterable[int] | None = None) -> dict[int, set[str]]:
        """Exception dates per schedule (all schedules when `schedule_ids` is None)."""
        if schedule_ids is None:
            rows = await self.db.fetchall("SELECT schedule_id, local_date FROM schedule_exceptions")
        else:
            ids = list(schedule_ids)
            if not ids:
                return {}
            marks = ",".join("?" * len(ids))
            rows = await self.db.fetchall(
                "SELECT schedule_id, local_date FROM schedule_exceptions "
                f"WHERE schedule_id IN ({marks})", ids)
        out: dict[int, set[str]] = {}
        for r in rows:
            out.setdefault(int(r[0]), set()).add(r[1])
        return out

    # -- the ledger --------------------------------------------------------------------------
    async def claimable(self, schedule_id: int, occurrence: str, due: datetime) -> Claim:
        """What `claim` would answer now, without writing: checked before the content is
        made, so nothing (a prompt, a check-in row) is made for an occurrence that will not
        be posted. `claim` checks again."""
        r = await self.db.fetchone(
            "SELECT paused, armed_from, "
            "EXISTS(SELECT 1 FROM schedule_exceptions WHERE schedule_id = s.id "
            "AND local_date = ?), "
            "EXISTS(SELECT 1 FROM schedule_occurrences WHERE schedule_id = s.id "
            "AND occurrence = ?) FROM schedules s WHERE id = ?",
            (occurrence[:10], occurrence, schedule_id))
        if r is None:
            return Claim.GONE
        if r[0] or r[1] >= ts(due):
            return Claim.PAUSED
        if r[3]:
            return Claim.TAKEN
        return Claim.EXCEPTION if r[2] else Claim.CLAIMED

    async def claim(self, schedule_id: int, occurrence: str, due: datetime, *, by: str,
                    idempotency_key: str, now: datetime, content: str | None = None,
                    content_ref: str | None = None) -> Claim:
        """Claim one occurrence for posting, in one BEGIN IMMEDIATE transaction, recording
        with it the content to post and the idempotency key to post it under: a process
        that takes the claim over after a crash posts exactly that (never another prompt)."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT paused, armed_from, "
                "EXISTS(SELECT 1 FROM schedule_exceptions WHERE schedule_id = s.id "
                "AND local_date = ?) FROM schedules s WHERE id = ?",
                (occurrence[:10], schedule_id),
            ) as cur:
                sched = await cur.fetchone()
            if sched is None:
                return Claim.GONE
            if sched[0] or sched[1] >= ts(due):
                return Claim.PAUSED
            claimed = not sched[2]
            async with conn.execute(
                "INSERT INTO schedule_occurrences (schedule_id, occurrence, due_at, state, "
                "claimed_by, claimed_at, idempotency_key, note, content, content_ref, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (schedule_id, occurrence, ts(due), "claimed" if claimed else "skipped",
                 by if claimed else None, ts(now) if claimed else None,
                 idempotency_key if claimed else None,
                 None if claimed else "exception date",
                 content if claimed else None, content_ref if claimed else None, ts(now)),
            ) as cur:
                inserted = cur.rowcount == 1
        if not inserted:
            return Claim.TAKEN
        return Claim.CLAIMED if claimed else Claim.EXCEPTION

    async def set_content(self, schedule_id: int, occurrence: str, by: str, content: str,
                          content_ref: str | None) -> bool:
        """Record the content of a claim that has none (one made before migration 0011)."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE schedule_occurrences SET content = ?, content_ref = ? "
                "WHERE schedule_id = ? AND occurrence = ? AND state = 'claimed' "
                "AND claimed_by = ? AND content IS NULL",
                (content, content_ref, schedule_id, occurrence, by))
            return cur.rowcount == 1

    async def begin_attempt(self, schedule_id: int, occurrence: str, by: str,
                            now: datetime) -> bool:
        """Right before each send: renew the claim's lease (`claimed_at` is when the latest
        attempt began) and count the attempt. False when the claim is no longer ours (taken
        over, settled, or the schedule removed): then nothing may be sent."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE schedule_occurrences SET claimed_at = ?, attempts = attempts + 1, "
                "updated_at = ? WHERE schedule_id = ? AND occurrence = ? "
                "AND state = 'claimed' AND claimed_by = ?",
                (ts(now), ts(now), schedule_id, occurrence, by))
            return cur.rowcount == 1

    async def mark_posted(self, schedule_id: int, occurrence: str, message_id: str,
                          now: datetime) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE schedule_occurrences SET state = 'posted', message_id = ?, updated_at = ? "
                "WHERE schedule_id = ? AND occurrence = ? AND state IN ('claimed', 'uncertain')",
                (message_id, ts(now), schedule_id, occurrence))
            return cur.rowcount == 1

    async def settle(self, schedule_id: int, occurrence: str, state: str, note: str,
                     now: datetime, *, claimed_by: str | None = None) -> bool:
        """Move a claimed occurrence to a final state (failed, missed, uncertain)."""
        sql = ("UPDATE schedule_occurrences SET state = ?, note = ?, updated_at = ? "
               "WHERE schedule_id = ? AND occurrence = ? AND state = 'claimed'")
        params: list[object] = [state, note[:500], ts(now), schedule_id, occurrence]
        if claimed_by is not None:
            sql += " AND claimed_by = ?"
            params.append(claimed_by)
        async with self.db.transaction() as conn:
            cur = await conn.execute(sql, params)
            return cur.rowcount == 1

    async def record(self, schedule_id: int, occurrence: str, due: datetime, state: str,
                     note: str, now: datetime) -> bool:
        """Record an occurrence that was never claimed (missed, skipped). False if known."""
        return await self.record_many([(schedule_id, occurrence, due, state, note)], now) == 1

    async def record_many(self, rows: Iterable[tuple[int, str, datetime, str, str]],
                          now: datetime) -> int:
        stamp = ts(now)
        params = [(sid, occ, ts(due), state, note[:500], stamp)
                  for sid, occ, due, state, note in rows]
        if not params:
            return 0
        async with self.db.transaction() as conn:
            before = conn.total_changes
            await conn.executemany(
                "INSERT INTO schedule_occurrences (schedule_id, occurrence, due_at, state, note, "
                "updated_at) SELECT ?, ?, ?, ?, ?, ? ON CONFLICT DO NOTHING", params)
            return conn.total_changes - before

    async def takeover(self, schedule_id: int, occurrence: str, old: str | None, new: str,
                       now: datetime) -> bool:
        """Take over another (dead) dispatcher's claim; only one taker can win."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE schedule_occurrences SET claimed_by = ?, claimed_at = ?, updated_at = ? "
                "WHERE schedule_id = ? AND occurrence = ? AND state = 'claimed' "
                "AND claimed_by IS ?", (new, ts(now), ts(now), schedule_id, occurrence, old))
            return cur.rowcount == 1

    async def entry(self, schedule_id: int, occurrence: str) -> LedgerRow | None:
        r = await self.db.fetchone(
            f"SELECT {_LEDGER} FROM schedule_occurrences WHERE schedule_id = ? "
            "AND occurrence = ?", (schedule_id, occurrence))
        return _ledger(r) if r is not None else None

    async def claims(self) -> list[LedgerRow]:
        rows = await self.db.fetchall(
            f"SELECT {_LEDGER} FROM schedule_occurrences WHERE state = 'claimed' "
            "ORDER BY due_at")
        return [_ledger(r) for r in rows]

    async def last_due(self) -> dict[int, datetime]:
        """The latest occurrence handled per schedule: where catching up starts."""
        rows = await self.db.fetchall(
            "SELECT schedule_id, MAX(due_at) FROM schedule_occurrences GROUP BY schedule_id")
        return {int(r[0]): parse_ts(r[1]) for r in rows}

    async def handled(self, schedule_id: int, occurrences: Iterable[str]) -> set[str]:
        keys = list(occurrences)
        if not keys:
            return set()
        marks = ",".join("?" * len(keys))
        rows = await self.db.fetchall(
            "SELECT occurrence FROM schedule_occurrences WHERE schedule_id = ? "
            f"AND occurrence IN ({marks})", [schedule_id, *keys])
        return {r[0] for r in rows}

    async def prune(self, before: datetime, keep_latest: int = 20) -> int:
        """Forget settled occurrences due before `before`, keeping each schedule's latest
        `keep_latest` (so catch-up still starts from the last one, and `/mod schedule`
        history still shows them). Claimed and uncertain rows are never pruned: they wait
        to be reconciled. Returns the number of rows removed."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM schedule_occurrences WHERE due_at < ? "
                "AND state IN ('posted', 'missed', 'skipped', 'failed') "
                "AND (schedule_id, occurrence) NOT IN ("
                "  SELECT schedule_id, occurrence FROM ("
                "    SELECT schedule_id, occurrence, ROW_NUMBER() OVER ("
                "      PARTITION BY schedule_id ORDER BY due_at DESC) AS n "
                "    FROM schedule_occurrences) AS ranked WHERE n <= ?)",
                (ts(before), keep_latest))
            return int(cur.rowcount or 0)

    async def history(self, schedule_id: int, limit: int = 10) -> list[LedgerRow]:
        rows = await self.db.fetchall(
            f"SELECT {_LEDGER} FROM schedule_occurrences WHERE schedule_id = ? "
            "ORDER BY due_at DESC LIMIT ?", (schedule_id, limit))
        return [_ledger(r) for r in rows]

    async def count_states(self, schedule_id: int | None = None) -> dict[str, int]:
        sql = "SELECT state, COUNT(*) FROM schedule_occurrences"
        params: list[object] = []
        if schedule_id is not None:
            sql += " WHERE schedule_id = ?"
            params.append(schedule_id)
        rows = await self.db.fetchall(sql + " GROUP BY state", params)
        return {r[0]: int(r[1]) for r in rows}
