"""The moderators' queue and the alerts the moderator log could not take.

A queue item is a request for a moderator, numbered per group: a member asking to talk
(`crisis`, listed first), an `appeal`, an `escalation`, an `alert` that could not be
delivered, or a message the policy `hold`s for review (its text and place are in
`groupbot.storage.holds`). Its status goes open -> claimed (by whom, when) -> resolved
(by whom, when, an optional note). Items are never deleted; /mydata delete erases a member's
own words in them and the text of alerts about them, and keeps the skeleton (who, when, why,
status), as cases do. Pending alerts wait in `mod_alerts` until the moderator log takes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from groupbot.core.ports import utc
from groupbot.storage.backend import Conn, Db, Row, lock_numbers

KINDS = ("crisis", "appeal", "escalation", "alert", "hold")
_ITEM_COLUMNS = (
    "group_id, number, kind, member_id, asked_by, case_number, reason, text, created_at, "
    "status, claimed_by, claimed_at, resolved_by, resolved_at, resolution, announced_at, "
    "reannounced"
)
_ALERT_COLUMNS = (
    "a.id, a.group_id, g.name, g.platform, a.item_number, a.member_id, a.title, a.body, "
    "a.created_at, a.attempts, a.next_attempt_at, a.last_error"
)
_KEEP_ALERT = (
    "INSERT INTO mod_alerts (group_id, item_number, member_id, title, body, created_at, "
    "next_attempt_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
# crisis requests first, then oldest first
_WAITING_ORDER = "ORDER BY CASE kind WHEN 'crisis' THEN 0 ELSE 1 END, created_at, number"


@dataclass(frozen=True, slots=True)
class QueueItem:
    group_id: str
    number: int
    kind: str
    member_id: str | None
    asked_by: str | None
    case_number: int | None
    reason: str
    text: str | None
    created_at: datetime
    status: str  # open | claimed | resolved
    claimed_by: str | None
    claimed_at: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None
    resolution: str | None
    announced_at: datetime | None
    reannounced: int

    @property
    def waiting(self) -> bool:
        """Not resolved yet (open, or claimed by a moderator who is on it)."""
        return self.status != "resolved"


@dataclass(frozen=True, slots=True)
class PendingAlert:
    id: int
    group_id: str
    group_name: str
    platform: str
    item_number: int | None
    member_id: str | None
    title: str | None
    body: str
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    last_error: str | None


def _ts(dt: datetime) -> str:
    return utc(dt).isoformat()


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _must(value: str | None) -> datetime:
    found = _dt(value)
    assert found is not None
    return found


def _item(r: Row) -> QueueItem:
    return QueueItem(
        group_id=r[0], number=int(r[1]), kind=r[2], member_id=r[3], asked_by=r[4],
        case_number=int(r[5]) if r[5] is not None else None, reason=r[6], text=r[7],
        created_at=_must(r[8]), status=r[9], claimed_by=r[10], claimed_at=_dt(r[11]),
        resolved_by=r[12], resolved_at=_dt(r[13]), resolution=r[14], announced_at=_dt(r[15]),
        reannounced=int(r[16]))


def _alert(r: Row) -> PendingAlert:
    return PendingAlert(
        id=int(r[0]), group_id=r[1], group_name=r[2], platform=r[3],
        item_number=int(r[4]) if r[4] is not None else None, member_id=r[5], title=r[6],
        body=r[7], created_at=_must(r[8]), attempts=int(r[9]), next_attempt_at=_must(r[10]),
        last_error=r[11])


def erased_alert(member_id: str, item_number: int | None) -> str:
    """What is left of an alert about a member who asked for their data to be erased."""
    where = f" It is item {item_number} in /mod queue." if item_number is not None else ""
    return (f"An alert about <@{member_id}> waited here; its text was erased at their "
            f"request.{where}")


class QueueRepo:
    """The queue items and pending alerts of every group. Member data for /mydata."""

    def __init__(self, db: Db) -> None:
        self.db = db

    # -- items ---------------------------------------------------------------------------
    async def open_item(self, group_id: str, kind: str, now: datetime, *,
                        member_id: str | None = None, asked_by: str | None = None,
                        case_number: int | None = None, reason: str = "",
                        text: str | None = None) -> QueueItem:
        """Number and store a new open item; it counts as announced now."""
        if kind not in KINDS:
            raise ValueError(f"unknown queue item kind {kind!r}")
        async with self.db.transaction() as conn:
            number = await self.insert_item(conn, group_id, kind, now, member_id=member_id,
                                            asked_by=asked_by, case_number=case_number,
                                            reason=reason, text=text)
        item = await self.get(group_id, number)
        assert item is not None
        return item

    async def insert_item(self, conn: Conn, group_id: str, kind: str,
                          now: datetime, *, member_id: str | None = None,
                          asked_by: str | None = None, case_number: int | None = None,
                          reason: str = "", text: str | None = None) -> int:
        """`open_item` inside a transaction the caller holds (the outbox's); its number."""
        if kind not in KINDS:
            raise ValueError(f"unknown queue item kind {kind!r}")
        await lock_numbers(conn, "mod_queue", group_id)  # gap-free, across processes too
        async with conn.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM mod_queue WHERE group_id = ?",
            (group_id,),
        ) as cur:
            row = await cur.fetchone()
        number = int(row[0]) if row else 1
        await conn.execute(
            "INSERT INTO mod_queue (group_id, number, kind, member_id, asked_by, "
            "case_number, reason, text, created_at, announced_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (group_id, number, kind, member_id, asked_by, case_number, reason, text,
             _ts(now), _ts(now)))
        return number

    async def waiting_crisis_in(self, conn: Conn, group_id: str,
                                member_id: str) -> int | None:
        """The crisis request already waiting for this member, if any (in the caller's
        transaction)."""
        async with conn.execute(
            "SELECT number FROM mod_queue WHERE group_id = ? AND status != 'resolved' "
            "AND kind = 'crisis' AND member_id = ? ORDER BY number LIMIT 1",
            (group_id, member_id),
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else None

    async def get(self, group_id: str, number: int) -> QueueItem | None:
        row = await self.db.fetchone(
            f"SELECT {_ITEM_COLUMNS} FROM mod_queue WHERE group_id = ? AND number = ?",
            (group_id, number))
        return _item(row) if row else None

    async def waiting(self, group_id: str, limit: int = 25) -> tuple[list[QueueItem], int]:
        """Items not resolved yet, crisis requests first, then oldest first; and how many
        there are in all."""
        rows = await self.db.fetchall(
            f"SELECT {_ITEM_COLUMNS} FROM mod_queue WHERE group_id = ? AND status != 'resolved' "
            f"{_WAITING_ORDER} LIMIT ?", (group_id, limit))
        total = await self.db.fetchone(
            "SELECT COUNT(*) FROM mod_queue WHERE group_id = ? AND status != 'resolved'",
            (group_id,))
        return [_item(r) for r in rows], int(total[0]) if total else 0

    async def find_waiting(self, group_id: str, *, kind: str | None = None,
                           member_id: str | None = None, asked_by: str | None = None,
                           case_number: int | None = None) -> list[QueueItem]:
        """Items not resolved yet that match every criterion given, oldest first."""
        sql = (f"SELECT {_ITEM_COLUMNS} FROM mod_queue WHERE group_id = ? "
               "AND status != 'resolved'")
        params: list[Any] = [group_id]
        for column, value in (("kind", kind), ("member_id", member_id),
                              ("asked_by", asked_by), ("case_number", case_number)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        rows = await self.db.fetchall(sql + " ORDER BY number", params)
        return [_item(r) for r in rows]

    async def open_crisis(self) -> list[QueueItem]:
        """Every group's crisis requests that nobody has taken yet (for re-announcing)."""
        rows = await self.db.fetchall(
            f"SELECT {_ITEM_COLUMNS} FROM mod_queue WHERE status = 'open' AND kind = 'crisis' "
            "ORDER BY group_id, number")
        return [_item(r) for r in rows]

    async def claim(self, group_id: str, number: int, by: str,
                    now: datetime) -> tuple[QueueItem, QueueItem] | None:
        """Take an item that is not resolved (from whoever had it). Returns the item before
        and after, or None when there is no such item; a resolved one is left unchanged."""
        return await self._move(
            group_id, number,
            "UPDATE mod_queue SET status = 'claimed', claimed_by = ?, claimed_at = ? "
            "WHERE group_id = ? AND number = ?", (by, _ts(now), group_id, number))

    async def resolve(self, group_id: str, number: int, by: str, now: datetime,
                      note: str | None = None) -> tuple[QueueItem, QueueItem] | None:
        """Close an item (a resolved one is left unchanged). Before and after, or None."""
        return await self._move(
            group_id, number,
            "UPDATE mod_queue SET status = 'resolved', resolved_by = ?, resolved_at = ?, "
            "resolution = ? WHERE group_id = ? AND number = ?",
            (by, _ts(now), note or None, group_id, number))

    async def _move(self, group_id: str, number: int, update: str,
                    params: tuple[object, ...]) -> tuple[QueueItem, QueueItem] | None:
        """Apply `update` to an item still waiting, in one transaction; the item before and
        after, or None when there is no such item."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                f"SELECT {_ITEM_COLUMNS} FROM mod_queue WHERE group_id = ? AND number = ? "
                "/*FOR UPDATE*/", (group_id, number),
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            before = _item(row)
            if before.waiting:
                await conn.execute(update, params)
        after = await self.get(group_id, number)
        assert after is not None
        return before, after

    async def resolve_for_case(self, group_id: str, case_number: int, by: str, now: datetime,
                               note: str | None = None) -> list[int]:
        """Close the items of a case (its escalation and appeals) when the case is closed."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT number FROM mod_queue WHERE group_id = ? AND case_number = ? "
                "AND status != 'resolved' AND kind IN ('escalation', 'appeal') ORDER BY number",
                (group_id, case_number),
            ) as cur:
                numbers = [int(r[0]) for r in await cur.fetchall()]
            for number in numbers:
                await conn.execute(
                    "UPDATE mod_queue SET status = 'resolved', resolved_by = ?, resolved_at = ?, "
                    "resolution = ? WHERE group_id = ? AND number = ?",
                    (by, _ts(now), note or None, group_id, number))
        return numbers

    async def mark_reannounced(self, group_id: str, number: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE mod_queue SET announced_at = ?, reannounced = reannounced + 1 "
            "WHERE group_id = ? AND number = ?", (_ts(now), group_id, number))

    async def group_of(self, group_id: str) -> tuple[str, str] | None:
        """The group's (name, platform), to address an alert to it."""
        row = await self.db.fetchone("SELECT name, platform FROM groups WHERE id = ?",
                                     (group_id,))
        return (str(row[0]), str(row[1])) if row else None

    # -- pending alerts ------------------------------------------------------------------
    async def keep_alert(self, group_id: str, *, item_number: int | None,
                         member_id: str | None, title: str | None, body: str,
                         error: str, now: datetime, next_attempt: datetime,
                         conn: Conn | None = None) -> int:
        """Keep an alert for the moderator log (in the caller's transaction when `conn` is
        given); its id."""
        params = (group_id, item_number, member_id, title, body, _ts(now), _ts(next_attempt),
                  error[:500])
        if conn is None:
            return await self.db.execute(_KEEP_ALERT, params)
        async with conn.execute(_KEEP_ALERT, params) as cur:
            return cur.lastrowid or 0

    async def pending_alerts(self, group_id: str | None = None) -> list[PendingAlert]:
        """Alerts still waiting for the moderator log, oldest first (one group, or all)."""
        sql = (f"SELECT {_ALERT_COLUMNS} FROM mod_alerts a JOIN groups g ON g.id = a.group_id")
        params: tuple[Any, ...] = ()
        if group_id is not None:
            sql += " WHERE a.group_id = ?"
            params = (group_id,)
        rows = await self.db.fetchall(sql + " ORDER BY a.group_id, a.id", params)
        return [_alert(r) for r in rows]

    async def alert_delivered(self, alert_id: int) -> None:
        """The moderator log took it: it is there now, so it leaves the database."""
        await self.db.execute("DELETE FROM mod_alerts WHERE id = ?", (alert_id,))

    async def alert_failed(self, alert_id: int, error: str, next_attempt: datetime) -> None:
        await self.db.execute(
            "UPDATE mod_alerts SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? "
            "WHERE id = ?", (_ts(next_attempt), error[:500], alert_id))

    async def postpone_alerts(self, ids: Sequence[int], next_attempt: datetime) -> None:
        """Wait for the next attempt without trying (the log of their group just failed)."""
        async with self.db.transaction() as conn:
            for alert_id in ids:
                await conn.execute("UPDATE mod_alerts SET next_attempt_at = ? WHERE id = ?",
                                   (_ts(next_attempt), alert_id))

    async def alerts_for_item(self, group_id: str, item_number: int) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM mod_alerts WHERE group_id = ? AND item_number = ?",
            (group_id, item_number))
        return int(row[0]) if row else 0

    # -- /mydata ---------------------------------------------------------------------------
    async def export_member(self, group_id: str, member_id: str) -> dict[str, Any]:
        rows = await self.db.fetchall(
            f"SELECT {_ITEM_COLUMNS} FROM mod_queue WHERE group_id = ? "
            "AND (member_id = ? OR asked_by = ?) ORDER BY number",
            (group_id, member_id, member_id))
        waiting = await self.db.fetchone(
            "SELECT COUNT(*) FROM mod_alerts WHERE group_id = ? AND member_id = ?",
            (group_id, member_id))
        items = []
        for it in map(_item, rows):
            items.append({
                "item": it.number, "kind": it.kind, "case": it.case_number,
                "you_asked": it.asked_by == member_id, "why": it.reason,
                "your_words": it.text if it.asked_by == member_id else None,
                "created_at": it.created_at.isoformat(), "status": it.status,
                "taken_at": it.claimed_at.isoformat() if it.claimed_at else None,
                "resolved_at": it.resolved_at.isoformat() if it.resolved_at else None,
            })
        return {"queue_items": items,
                "alerts_waiting_for_moderators": int(waiting[0]) if waiting else 0}

    async def delete_member(self, group_id: str, member_id: str) -> int:
        """Erase the member's own words in queue items and the text of alerts about them.
        The items stay (who, when, why in the bot's words, status), so the moderators'
        record is complete and a request still waiting is not silently dropped."""
        async with self.db.transaction() as conn:
            count = 0
            async with conn.execute(
                "UPDATE mod_queue SET text = NULL WHERE group_id = ? AND text IS NOT NULL "
                "AND (member_id = ? OR asked_by = ?)", (group_id, member_id, member_id)) as cur:
                count += cur.rowcount
            async with conn.execute(
                "SELECT id, item_number, body FROM mod_alerts WHERE group_id = ? "
                "AND member_id = ?", (group_id, member_id)) as cur:
                alerts = list(await cur.fetchall())
            for alert_id, item_number, body in alerts:
                erased = erased_alert(member_id, item_number)
                if body != erased:
                    await conn.execute("UPDATE mod_alerts SET body = ? WHERE id = ?",
                                       (erased, alert_id))
                    count += 1
        return count
