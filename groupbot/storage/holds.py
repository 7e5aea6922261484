"""Held messages: what a moderator needs to restore a message the policy held for review.

A hold is a queue item of kind `hold` (see `groupbot.storage.queue`) and a row here with the
message's place (channel, message id), whether the bot could remove it, the strike weight a
confirmed removal counts, and the member's text. The text is kept only so the message can be
restored (reposted with attribution: no platform can undelete), so it is erased as soon as the
hold is settled (restored or the removal confirmed) and when the member runs /mydata delete.
The case of a hold keeps what the group's text retention allows, like any case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from groupbot.core.ports import utc
from groupbot.storage.backend import Conn, Db, Row

OUTCOMES = ("restored", "confirmed")
_COLUMNS = (
    "group_id, item_number, case_number, member_id, channel_id, channel_name, message_id, "
    "held_at, removed, strike_weight, text, outcome, resolved_by, resolved_at, "
    "restored_message_id"
)
_STATUS = {None: "waiting for a moderator", "restored": "restored by a moderator",
           "confirmed": "removal confirmed by a moderator"}


@dataclass(frozen=True, slots=True)
class Hold:
    group_id: str
    item_number: int
    case_number: int
    member_id: str
    channel_id: str
    channel_name: str
    message_id: str
    held_at: datetime
    removed: bool  # the bot removed the message (False: the platform could not)
    strike_weight: float  # what a confirmed removal counts
    text: str | None  # None once settled, or erased at the member's request
    outcome: str | None  # None while waiting; then restored | confirmed
    resolved_by: str | None
    resolved_at: datetime | None
    restored_message_id: str | None

    @property
    def waiting(self) -> bool:
        return self.outcome is None


def _ts(dt: datetime) -> str:
    return utc(dt).isoformat()


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _hold(r: Row) -> Hold:
    held = _dt(r[7])
    assert held is not None
    return Hold(group_id=r[0], item_number=int(r[1]), case_number=int(r[2]), member_id=r[3],
                channel_id=r[4], channel_name=r[5], message_id=r[6], held_at=held,
                removed=bool(r[8]), strike_weight=float(r[9]), text=r[10], outcome=r[11],
                resolved_by=r[12], resolved_at=_dt(r[13]), restored_message_id=r[14])


class HoldRepo:
    """Every group's held messages. Member data for /mydata (the text is the member's)."""

    def __init__(self, db: Db) -> None:
        self.db = db

    async def record(self, group_id: str, item_number: int, *, case_number: int,
                     member_id: str, channel_id: str, channel_name: str, message_id: str,
                     held_at: datetime, removed: bool, strike_weight: float,
                     text: str) -> Hold:
        async with self.db.transaction() as conn:
            await self.insert(conn, group_id, item_number, case_number=case_number,
                              member_id=member_id, channel_id=channel_id,
                              channel_name=channel_name, message_id=message_id,
                              held_at=held_at, removed=removed, strike_weight=strike_weight,
                              text=text)
        found = await self.get(group_id, item_number)
        assert found is not None
        return found

    async def insert(self, conn: Conn, group_id: str, item_number: int, *,
                     case_number: int, member_id: str, channel_id: str, channel_name: str,
                     message_id: str, held_at: datetime, removed: bool, strike_weight: float,
                     text: str) -> None:
        """`record` inside a transaction the caller holds (the outbox's)."""
        await conn.execute(
            f"INSERT INTO mod_holds ({_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)",
            (group_id, item_number, case_number, member_id, channel_id, channel_name,
             message_id, _ts(held_at), int(removed), strike_weight,
             text.encode("utf-8", "replace").decode("utf-8")))

    async def get(self, group_id: str, item_number: int) -> Hold | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM mod_holds WHERE group_id = ? AND item_number = ?",
            (group_id, item_number))
        return _hold(row) if row else None

    async def texts(self, group_id: str, item_numbers: Sequence[int]) -> dict[int, str]:
        """The held texts still kept for these items (for the moderators' queue list)."""
        if not item_numbers:
            return {}
        marks = ",".join("?" * len(item_numbers))
        rows = await self.db.fetchall(
            "SELECT item_number, text FROM mod_holds WHERE group_id = ? AND text IS NOT NULL "
            f"AND item_number IN ({marks})", (group_id, *item_numbers))
        return {int(r[0]): str(r[1]) for r in rows}

    async def settle(self, group_id: str, item_number: int, outcome: str, by: str,
                     now: datetime, restored_message_id: str | None = None) -> Hold | None:
        """Record the moderator's decision and erase the held text, in one step. None when
        there is no such hold or it was settled already (left unchanged)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        async with self.db.transaction() as conn, conn.execute(
            "UPDATE mod_holds SET outcome = ?, resolved_by = ?, resolved_at = ?, "
            "restored_message_id = ?, text = NULL "
            "WHERE group_id = ? AND item_number = ? AND outcome IS NULL",
            (outcome, by, _ts(now), restored_message_id, group_id, item_number),
        ) as cur:
            changed = cur.rowcount
        return await self.get(group_id, item_number) if changed else None

    # -- /mydata ---------------------------------------------------------------------------
    async def export_member(self, group_id: str, member_id: str) -> dict[str, Any]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM mod_holds WHERE group_id = ? AND member_id = ? "
            "ORDER BY item_number", (group_id, member_id))
        return {"held_messages": [
            {"case": h.case_number, "item": h.item_number, "channel": h.channel_name,
             "held_at": h.held_at.isoformat(), "status": _STATUS.get(h.outcome, h.outcome),
             "your_text": h.text}
            for h in map(_hold, rows)]}

    async def delete_member(self, group_id: str, member_id: str) -> int:
        """Erase the member's held texts. The holds stay (who, when, where, the outcome), so a
        moderator can still confirm a removal; a restore then has nothing to repost."""
        async with self.db.transaction() as conn, conn.execute(
            "UPDATE mod_holds SET text = NULL WHERE group_id = ? AND member_id = ? "
            "AND text IS NOT NULL", (group_id, member_id),
        ) as cur:
            return cur.rowcount


__all__ = ["OUTCOMES", "Hold", "HoldRepo"]
