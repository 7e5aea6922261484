"""Prompt rotation and curriculum progress per channel, kept in SQLite so restarts lose nothing.

Every claim happens in one short BEGIN IMMEDIATE transaction: read what the channel has used,
choose, record. Two dispatchers (tasks or processes) claiming at once are serialised by
SQLite, so neither can pick a prompt the other just took. No member data is stored here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from groupbot.storage.backend import Db, lock_numbers

ALL_POOL = "*"


@dataclass(frozen=True, slots=True)
class Claim:
    """One prompt taken from a pool: `used` counts it, out of `pool_size`, in its cycle."""

    seq: int
    prompt_id: str
    pool: str
    cycle: int
    used: int
    pool_size: int


@dataclass(frozen=True, slots=True)
class CurriculumState:
    curriculum_id: str
    position: int  # the next step to post, 0-based
    started_at: str
    finished_at: str | None


Chooser = Callable[[Sequence[str]], str]


class PromptRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    # -- rotation ------------------------------------------------------------------------
    async def claim(self, group_id: str, channel_id: str, pool: str, pool_ids: Sequence[str],
                    choose: Chooser, now: datetime) -> Claim:
        """Take an unused prompt from the pool (starting a new cycle when it is used up)."""
        if not pool_ids:
            raise ValueError(f"the pool {pool!r} is empty")
        members = set(pool_ids)
        async with self.db.transaction() as conn:
            await lock_numbers(conn, "prompt_rotation", group_id, channel_id, pool)
            async with conn.execute(
                "SELECT MAX(cycle) FROM prompt_rotation WHERE group_id = ? AND channel_id = ? "
                "AND pool = ?", (group_id, channel_id, pool)) as cur:
                row = await cur.fetchone()
            cycle = int(row[0]) if row and row[0] is not None else 0
            async with conn.execute(
                "SELECT prompt_id FROM prompt_rotation WHERE group_id = ? AND channel_id = ? "
                "AND pool = ? AND cycle = ?", (group_id, channel_id, pool, cycle)) as cur:
                used = {r[0] for r in await cur.fetchall()} & members
            candidates = [pid for pid in pool_ids if pid not in used]
            if not candidates:
                async with conn.execute(
                    "SELECT prompt_id FROM prompt_rotation WHERE group_id = ? AND channel_id = ? "
                    "AND pool = ? ORDER BY seq DESC LIMIT 1", (group_id, channel_id, pool)) as cur:
                    last = await cur.fetchone()
                cycle += 1
                used = set()
                candidates = [pid for pid in pool_ids if last is None or pid != last[0]]
                candidates = candidates or list(pool_ids)
                # keep the cycle just finished (for the "not twice in a row" check); drop older
                await conn.execute(
                    "DELETE FROM prompt_rotation WHERE group_id = ? AND channel_id = ? "
                    "AND pool = ? AND cycle < ?", (group_id, channel_id, pool, cycle - 1))
            chosen = choose(candidates)
            if chosen not in candidates:
                raise ValueError(f"chooser returned {chosen!r}, which is not a candidate")
            async with conn.execute(
                "INSERT INTO prompt_rotation (group_id, channel_id, pool, cycle, prompt_id, "
                "used_at) VALUES (?, ?, ?, ?, ?, ?)",
                (group_id, channel_id, pool, cycle, chosen, now.isoformat())) as cur:
                seq = int(cur.lastrowid or 0)
        return Claim(seq, chosen, pool, cycle, len(used) + 1, len(members))

    async def release(self, claim: Claim) -> None:
        """Give a claimed prompt back (its post failed), so it stays unused in this cycle."""
        await self.db.execute("DELETE FROM prompt_rotation WHERE seq = ?", (claim.seq,))

    async def progress(self, group_id: str, channel_id: str, pool: str,
                       pool_ids: Sequence[str]) -> tuple[int, int]:
        """(used in the current cycle, pool size), counting only prompts still in the pool."""
        rows = await self.db.fetchall(
            "SELECT prompt_id FROM prompt_rotation WHERE group_id = ? AND channel_id = ? "
            "AND pool = ? AND cycle = (SELECT MAX(cycle) FROM prompt_rotation WHERE "
            "group_id = ? AND channel_id = ? AND pool = ?)",
            (group_id, channel_id, pool, group_id, channel_id, pool))
        members = set(pool_ids)
        used = {r[0] for r in rows} & members
        if used == members:  # a full cycle: the next claim starts afresh
            return 0, len(members)
        return len(used), len(members)

    async def recent(self, group_id: str, channel_id: str, limit: int = 10) -> list[str]:
        """The channel's most recently claimed prompt ids, newest first, any pool."""
        rows = await self.db.fetchall(
            "SELECT prompt_id FROM prompt_rotation WHERE group_id = ? AND channel_id = ? "
            "ORDER BY seq DESC LIMIT ?", (group_id, channel_id, limit))
        return [r[0] for r in rows]

    # -- curricula -----------------------------------------------------------------------
    async def set_curriculum(self, group_id: str, channel_id: str, curriculum_id: str,
                             now: datetime, position: int = 0) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO prompt_curriculum (group_id, channel_id, curriculum_id, position, "
                "started_at, updated_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, NULL) "
                "ON CONFLICT(group_id, channel_id) DO UPDATE SET "
                "curriculum_id = excluded.curriculum_id, position = excluded.position, "
                "started_at = excluded.started_at, updated_at = excluded.updated_at, "
                "finished_at = NULL",
                (group_id, channel_id, curriculum_id, position, now.isoformat(),
                 now.isoformat()))

    async def clear_curriculum(self, group_id: str, channel_id: str) -> bool:
        count = await self.db.execute(
            "DELETE FROM prompt_curriculum WHERE group_id = ? AND channel_id = ?",
            (group_id, channel_id))
        return count > 0

    async def curriculum(self, group_id: str, channel_id: str) -> CurriculumState | None:
        row = await self.db.fetchone(
            "SELECT curriculum_id, position, started_at, finished_at FROM prompt_curriculum "
            "WHERE group_id = ? AND channel_id = ?", (group_id, channel_id))
        if row is None:
            return None
        return CurriculumState(row[0], int(row[1]), row[2], row[3])

    async def advance_curriculum(self, group_id: str, channel_id: str,
                                 length_of: Callable[[str], int | None],
                                 now: datetime) -> tuple[str, int] | None:
        """Claim the channel's next curriculum step: (curriculum id, 0-based step), or None
        when the channel follows none, its curriculum is finished, or no longer exists."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT curriculum_id, position, finished_at FROM prompt_curriculum "
                "WHERE group_id = ? AND channel_id = ?", (group_id, channel_id)) as cur:
                row = await cur.fetchone()
            if row is None or row[2] is not None:
                return None
            cid, position = str(row[0]), int(row[1])
            length = length_of(cid)
            if length is None:
                return None
            if position >= length:
                await conn.execute(
                    "UPDATE prompt_curriculum SET finished_at = ?, updated_at = ? "
                    "WHERE group_id = ? AND channel_id = ?",
                    (now.isoformat(), now.isoformat(), group_id, channel_id))
                return None
            done = position + 1 >= length
            await conn.execute(
                "UPDATE prompt_curriculum SET position = ?, updated_at = ?, finished_at = ? "
                "WHERE group_id = ? AND channel_id = ?",
                (position + 1, now.isoformat(), now.isoformat() if done else None, group_id,
                 channel_id))
        return cid, position

    async def rewind_curriculum(self, group_id: str, channel_id: str, curriculum_id: str,
                                position: int, now: datetime) -> None:
        """Undo one `advance_curriculum` whose post failed (only if nothing moved since)."""
        await self.db.execute(
            "UPDATE prompt_curriculum SET position = ?, finished_at = NULL, updated_at = ? "
            "WHERE group_id = ? AND channel_id = ? AND curriculum_id = ? AND position = ?",
            (position, now.isoformat(), group_id, channel_id, curriculum_id, position + 1))
